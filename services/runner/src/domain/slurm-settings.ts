import { ALL_MACHINES, machineKeyOf, type Machine } from '@cairn/contracts';
import { RunnerConfigurationError } from './queues';

/** What a job on one machine type asks Slurm for. */
export interface SlurmResources {
  /** `--partition`; none: the cluster's default partition. */
  partition?: string;
  /** `--qos`; none: the association's default. */
  qos?: string;
  /** `--cpus-per-task` of the one task. */
  cpus: number;
  /** `--mem`, in Slurm's notation (`2G`, `512M`). */
  memory: string;
  /** `--gres`: `gpu:1`, `gpu:a100:2`. */
  gres?: string;
  /** The longest a job of this type may run (a partition's `MaxTime`), in minutes; a job's own limit above it is cut to it. */
  maxMinutes?: number;
}

export interface SlurmSettings {
  /** `CAIRN_SLURM_WORKDIR`: a folder the runner and every node see at the same path (a shared file system). */
  workDir: string;
  /** `CAIRN_SLURM_MAX_SUBMITTED`: jobs this runner holds in Slurm at once; the rest wait in their work queues. */
  maxSubmitted: number;
  /** `CAIRN_SLURM_POLL_MS`: how often the jobs' states and output files are read. */
  pollMs: number;
  /** By machine key (`gpu/turbo`). */
  resources: Record<string, SlurmResources>;
  /**
   * The machine types this runner maps onto the cluster, which it announces: those the site file's
   * `machines` names, or every one when the site file names none (the variables and their defaults).
   */
  mapped: string[];
}

/** One machine type's entry in the site file's `machines`: what its jobs ask Slurm for. */
export interface MachineOptions {
  partition?: string;
  qos?: string;
  gres?: string;
  cpusPerTask?: number;
  memory?: string;
  /** The longest a job of this type may run: `90m`, `4h`, `2d`. */
  timeLimit?: string;
}

const DEFAULT_CPUS: Record<string, number> = { 'cpu/standard': 1, 'cpu/turbo': 4, 'gpu/standard': 2, 'gpu/turbo': 4 };
const DEFAULT_MEMORY: Record<string, string> = { 'cpu/standard': '2G', 'cpu/turbo': '8G', 'gpu/standard': '8G', 'gpu/turbo': '16G' };
const DEFAULT_GRES: Record<string, string> = { 'gpu/standard': 'gpu:1', 'gpu/turbo': 'gpu:2' };

const MACHINE_KEYS = ALL_MACHINES.map(machineKeyOf);

/**
 * `cpu/standard=1,gpu/turbo=4`: a value per machine type, the notation of every per-machine setting
 * (`CAIRN_SLURM_PARTITIONS=gpu/turbo=gpu-fast`). Machine types not named keep their default.
 */
export function parseMachineMap<T>(variable: string, text: string | undefined, parseValue: (value: string) => T | undefined, expected: string): Record<string, T> {
  const map: Record<string, T> = {};
  if (text === undefined || text.trim() === '') return map;
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const separator = entry.indexOf('=');
    const key = separator < 0 ? entry : entry.slice(0, separator).trim();
    if (!MACHINE_KEYS.includes(key)) throw new RunnerConfigurationError(`${variable}: "${key}" is no machine type; use ${MACHINE_KEYS.join(', ')}`);
    const raw = separator < 0 ? '' : entry.slice(separator + 1).trim();
    const value = parseValue(raw);
    if (value === undefined) throw new RunnerConfigurationError(`${variable}: ${key} must be ${expected}, got "${raw}"`);
    map[key] = value;
  }
  return map;
}

const partitionName = (value: string) => (/^[A-Za-z0-9_.-]+$/.test(value) ? value : undefined);
const cpuCount = (value: string) => (/^[1-9][0-9]{0,3}$/.test(value) ? Number(value) : undefined);
const memory = (value: string) => (/^[1-9][0-9]*[KMGT]?$/.test(value) ? value : undefined);
const gpus = (value: string) => (/^([A-Za-z0-9_.-]+:)?[1-9][0-9]*$/.test(value) ? `gpu:${value}` : undefined);
const gres = (value: string) => (/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*)*$/.test(value) ? value : undefined);

/**
 * The site file's `machines`: per machine type, the Slurm options its jobs get, each checked as its
 * variable is. What an entry leaves out keeps the variable's value or the default.
 */
export function machineOptionsOf(value: unknown, source: string): Record<string, MachineOptions> {
  const refuse = (field: string, message: string) => new RunnerConfigurationError(`${source}: machines${field} ${message}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse('', `must map machine types (${MACHINE_KEYS.join(', ')}) to Slurm options`);
  const checks: Record<keyof MachineOptions, [(raw: string) => unknown, string]> = {
    partition: [partitionName, 'a partition name'],
    qos: [partitionName, 'a QoS name'],
    gres: [gres, 'a gres such as gpu:1 or gpu:a100:2'],
    cpusPerTask: [cpuCount, 'a CPU count'],
    memory: [memory, 'a memory size such as 2G or 512M'],
    timeLimit: [minutesOf, 'a time such as 90m, 4h or 2d'],
  };
  const machines: Record<string, MachineOptions> = {};
  for (const [key, options] of Object.entries(value)) {
    if (!MACHINE_KEYS.includes(key)) throw refuse(`.${key}`, `is no machine type; use ${MACHINE_KEYS.join(', ')}`);
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw refuse(`.${key}`, 'must be an object of Slurm options');
    for (const [option, raw] of Object.entries(options as Record<string, unknown>)) {
      const check = checks[option as keyof MachineOptions];
      if (!check) throw refuse(`.${key}.${option}`, `is not a Slurm option Cairn sets (${Object.keys(checks).join(', ')})`);
      if ((typeof raw !== 'string' && typeof raw !== 'number') || check[0](String(raw)) === undefined) throw refuse(`.${key}.${option}`, `must be ${check[1]}, got ${JSON.stringify(raw)}`);
    }
    machines[key] = options as MachineOptions;
  }
  return machines;
}

/** `90` or `90m` minutes, `4h`, `2d`. */
export function minutesOf(value: string): number | undefined {
  const match = /^([1-9][0-9]*)([mhd]?)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * { '': 1, m: 1, h: 60, d: 24 * 60 }[match[2] as '' | 'm' | 'h' | 'd'];
}

function positiveInteger(env: NodeJS.ProcessEnv, variable: string, fallback: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RunnerConfigurationError(`${variable} must be a whole number from 1 to ${max}, got "${raw}"`);
  return value;
}

/**
 * The slurm backend's settings from the runner's environment (README: "Running jobs on Slurm") and its
 * site file's `machines` (`machineOptionsOf`), which has the last word on the machine types it names.
 */
export function slurmSettingsFrom(env: NodeJS.ProcessEnv, machines?: Record<string, MachineOptions>): SlurmSettings {
  // Its Slurm jobs outlive the process: the next one takes them up only under the same runner id.
  if (!env.CAIRN_RUNNER_TOKEN && !env.CAIRN_RUNNER_ID) {
    throw new RunnerConfigurationError('the slurm backend needs a runner id that survives a restart: set CAIRN_RUNNER_ID (dev mode) or CAIRN_RUNNER_TOKEN');
  }
  const workDir = env.CAIRN_SLURM_WORKDIR ?? '';
  if (!workDir.startsWith('/')) {
    throw new RunnerConfigurationError(`CAIRN_SLURM_WORKDIR must be an absolute path on a file system every Slurm node mounts at the same place, got "${workDir}"`);
  }
  // sbatch reads % in --output as a pattern (%j, %u...), and a backslash as turning the patterns off.
  if (/[%\\]/.test(workDir)) throw new RunnerConfigurationError(`CAIRN_SLURM_WORKDIR may hold no % or backslash (sbatch reads them in file names), got "${workDir}"`);
  const partitions = parseMachineMap('CAIRN_SLURM_PARTITIONS', env.CAIRN_SLURM_PARTITIONS, partitionName, 'a partition name');
  const cpus = { ...DEFAULT_CPUS, ...parseMachineMap('CAIRN_SLURM_CPUS', env.CAIRN_SLURM_CPUS, cpuCount, 'a CPU count') };
  const memories = { ...DEFAULT_MEMORY, ...parseMachineMap('CAIRN_SLURM_MEMORY', env.CAIRN_SLURM_MEMORY, memory, 'a memory size such as 2G or 512M') };
  const gresOf = { ...DEFAULT_GRES, ...parseMachineMap('CAIRN_SLURM_GPUS', env.CAIRN_SLURM_GPUS, gpus, 'a GPU count or <type>:<count>') };
  const maxMinutes = parseMachineMap('CAIRN_SLURM_TIME_LIMITS', env.CAIRN_SLURM_TIME_LIMITS, minutesOf, 'a time such as 90m, 4h or 2d');
  const resources = Object.fromEntries(
    MACHINE_KEYS.map((key): [string, SlurmResources] => {
      const site = machines?.[key] ?? {};
      const partition = site.partition ?? partitions[key];
      const gresOfKey = site.gres ?? gresOf[key];
      const longest = site.timeLimit === undefined ? maxMinutes[key] : minutesOf(site.timeLimit);
      return [
        key,
        {
          cpus: site.cpusPerTask === undefined ? cpus[key] : Number(site.cpusPerTask),
          memory: site.memory ?? memories[key],
          ...(partition === undefined ? {} : { partition }),
          ...(site.qos === undefined ? {} : { qos: site.qos }),
          ...(gresOfKey === undefined ? {} : { gres: gresOfKey }),
          ...(longest === undefined ? {} : { maxMinutes: longest }),
        },
      ];
    }),
  );
  return {
    workDir,
    maxSubmitted: positiveInteger(env, 'CAIRN_SLURM_MAX_SUBMITTED', 100, 100_000),
    pollMs: positiveInteger(env, 'CAIRN_SLURM_POLL_MS', 1_000, 60_000),
    resources,
    mapped: machines === undefined ? [...MACHINE_KEYS] : MACHINE_KEYS.filter((key) => machines[key] !== undefined),
  };
}

/** Slurm counts time limits in whole minutes: a job's limit in seconds, rounded up, cut to its machine type's longest. */
export function slurmMinutesFor(timeLimitSeconds: number, resources: SlurmResources): number {
  const minutes = Math.max(1, Math.ceil(timeLimitSeconds / 60));
  return resources.maxMinutes === undefined ? minutes : Math.min(minutes, resources.maxMinutes);
}

export function resourcesFor(settings: SlurmSettings, machine: Machine): SlurmResources {
  return settings.resources[machineKeyOf(machine)];
}
