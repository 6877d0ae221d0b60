import { JOB_LIMITS, type JobLimitName, type JobSandbox } from '@cairn/contracts';
import { RunnerConfigurationError } from './queues';

/** Every limit a job runs under, all set. */
export type SandboxLimits = Record<JobLimitName, number>;

/** What the sandbox gives one job: the network or none, and its limits. */
export interface SandboxPolicy {
  network: boolean;
  limits: SandboxLimits;
}

/** The runner's ceilings where `CAIRN_RUNNER_MAX_*` says nothing; a template asking for nothing gets them. */
export const DEFAULT_CEILINGS: SandboxLimits = {
  memoryBytes: 4 * 1024 ** 3,
  processes: 512,
  cpuSeconds: 24 * 3600,
  outputFiles: 10_000,
  outputBytes: 10 * 1024 ** 3,
};

/** The variable that sets each ceiling, and whether it takes a size (`512M`, `2G`) or a count. */
export const CEILING_VARIABLES: Record<JobLimitName, { variable: string; size: boolean }> = {
  memoryBytes: { variable: 'CAIRN_RUNNER_MAX_MEMORY', size: true },
  processes: { variable: 'CAIRN_RUNNER_MAX_PROCESSES', size: false },
  cpuSeconds: { variable: 'CAIRN_RUNNER_MAX_CPU_SECONDS', size: false },
  outputFiles: { variable: 'CAIRN_RUNNER_MAX_OUTPUT_FILES', size: false },
  outputBytes: { variable: 'CAIRN_RUNNER_MAX_OUTPUT_BYTES', size: true },
};

const SIZE = /^([1-9][0-9]*)([KMGT]?)$/;
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** The runner-wide ceilings from `CAIRN_RUNNER_MAX_*`; sizes in bytes or with K, M, G or T (powers of 1024). */
export function sandboxCeilingsFrom(env: NodeJS.ProcessEnv): SandboxLimits {
  const ceilings = { ...DEFAULT_CEILINGS };
  for (const name of JOB_LIMITS) {
    const { variable, size } = CEILING_VARIABLES[name];
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const match = SIZE.exec(raw.toUpperCase());
    const value = match && (size || match[2] === '') ? Number(match[1]) * UNITS[match[2]] : NaN;
    if (!Number.isSafeInteger(value)) throw new RunnerConfigurationError(`${variable} must be ${size ? 'a size such as 512M or 2G' : 'a whole number from 1'}, got "${raw}"`);
    ceilings[name] = value;
  }
  return ceilings;
}

/** A job's sandbox: what its template asks for, each limit cut to the runner's ceiling; no network unless asked. */
export function sandboxPolicyOf(asked: JobSandbox | undefined, ceilings: SandboxLimits): SandboxPolicy {
  const limits = { ...ceilings };
  for (const name of JOB_LIMITS) {
    const wanted = asked?.limits?.[name];
    if (typeof wanted === 'number' && wanted >= 1) limits[name] = Math.min(Math.floor(wanted), ceilings[name]);
  }
  return { network: asked?.network === true, limits };
}

const bytes = (value: number) => {
  for (const unit of ['T', 'G', 'M', 'K'] as const) if (value >= UNITS[unit] && value % UNITS[unit] === 0) return `${value / UNITS[unit]} ${unit}iB`;
  return `${value} bytes`;
};

/** What `limitReason` says of each limit: "its limit of 512 processes". */
const LIMIT_WORDS: Record<JobLimitName, (value: number) => string> = {
  memoryBytes: (value) => `its memory limit of ${bytes(value)}`,
  processes: (value) => `its limit of ${value} processes (threads included)`,
  cpuSeconds: (value) => `its CPU time limit of ${value} s`,
  outputFiles: (value) => `its limit of ${value} output files`,
  outputBytes: (value) => `its output limit of ${bytes(value)}`,
};

/** The reason a job fails with when it broke a limit; it names the limit. */
export function limitReason(name: JobLimitName, limits: SandboxLimits): string {
  return `the command reached ${LIMIT_WORDS[name](limits[name])} and was stopped`;
}

/** Resource use of a job's processes at one moment, and of its output folder. */
export interface SandboxUsage {
  memoryBytes: number;
  processes: number;
  cpuSeconds: number;
  outputFiles: number;
  outputBytes: number;
}

/**
 * The limit a usage broke, if any. Processes count when they reach the limit (the kernel refuses the
 * next one, so the command could only wait); everything else once it is passed.
 */
export function brokenLimit(usage: Partial<SandboxUsage>, limits: SandboxLimits): JobLimitName | undefined {
  return JOB_LIMITS.find((name) => {
    const used = usage[name];
    if (used === undefined) return false;
    return name === 'processes' ? used >= limits[name] : used > limits[name];
  });
}
