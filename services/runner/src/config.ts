import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConnectionOptions } from 'nats';
import type { Machine } from '@cairn/contracts';
import { natsConnectionOptions } from '@cairn/messaging';
import { parseQueues, RunnerConfigurationError } from './domain/queues';
import { sandboxCeilingsFrom, type SandboxLimits } from './domain/sandbox-limits';
import { BARE_SITE, siteOf, type Site } from './domain/site';

export const BACKENDS = ['local', 'slurm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface RunnerArguments {
  queues: Machine[];
  backend: BackendName;
  slots: number;
}

export const USAGE = `usage: runner [--queues cpu/standard,gpu/turbo] [--backend local|slurm] [--slots N]

  --queues   the machine queues to serve (default: every queue)
  --backend  where commands run: local (child processes on this machine, the default) or slurm
             (batch jobs on the Slurm cluster the Slurm client programs on PATH reach)
  --slots    local: jobs run at the same time (default 1); slurm holds CAIRN_SLURM_MAX_SUBMITTED

Environment: NATS_URL, NATS_NKEY_SEED_FILE (the file with the runner's NKEY seed), NATS_CA_FILE, CAIRN_API_URL (the platform's HTTP API), CAIRN_RUNNER_TOKEN (or CAIRN_RUNNER_TOKEN_FILE) or CAIRN_AUTH_MODE=dev
with CAIRN_DEV_JWT_SECRET, CAIRN_RUNNER_ID, CAIRN_RUNNER_SCRATCH (scratch folders of the jobs), PORT and
HOST (where /health/live, /health/ready and /metrics are served; none without PORT), CAIRN_DRAIN_TIMEOUT_MS
(how long a SIGTERM lets running jobs finish before handing them back; default 280000), CAIRN_LOG_LEVEL,
CAIRN_RUNNER_SITE (the site file: bin folders, environment, prologue, modules, images, wrapper; deploy/runner/README.md).
local: CAIRN_RUNNER_SANDBOX (bubblewrap, the default, or none), CAIRN_RUNNER_SANDBOX_PROC (fresh or none), CAIRN_RUNNER_BWRAP, CAIRN_RUNNER_MAX_MEMORY, CAIRN_RUNNER_MAX_PROCESSES,
CAIRN_RUNNER_MAX_CPU_SECONDS, CAIRN_RUNNER_MAX_OUTPUT_FILES, CAIRN_RUNNER_MAX_OUTPUT_BYTES (each job's limits' ceilings).
slurm: CAIRN_SLURM_WORKDIR (shared by the runner and every node), CAIRN_SLURM_PARTITIONS, CAIRN_SLURM_CPUS,
CAIRN_SLURM_MEMORY, CAIRN_SLURM_GPUS, CAIRN_SLURM_TIME_LIMITS (machine=value,...), CAIRN_SLURM_MAX_SUBMITTED,
CAIRN_SLURM_POLL_MS, SLURM_CONF and SBATCH_* (passed to sbatch).`;

export function parseRunnerArguments(argv: string[]): RunnerArguments {
  let values: { queues?: string; backend?: string; slots?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { queues: { type: 'string' }, backend: { type: 'string' }, slots: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new RunnerConfigurationError((error as Error).message);
  }
  const backend = values.backend ?? 'local';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new RunnerConfigurationError(`--backend: "${backend}" is not one of ${BACKENDS.join(', ')}`);
  if (backend === 'slurm' && values.slots !== undefined) {
    throw new RunnerConfigurationError('--slots is the local backend\'s; the slurm backend holds up to CAIRN_SLURM_MAX_SUBMITTED jobs in Slurm');
  }
  const slots = Number(values.slots ?? 1);
  if (!Number.isInteger(slots) || slots < 1 || slots > 64) throw new RunnerConfigurationError(`--slots must be an integer from 1 to 64, got "${values.slots}"`);
  return { queues: parseQueues(values.queues), backend: backend as BackendName, slots };
}

export interface RunnerEnvironment {
  /** NATS as this runner (`natsConnectionOptions`: NATS_URL, NATS_NKEY_SEED_FILE, NATS_CA_FILE). */
  nats: ConnectionOptions;
  apiUrl: string;
  scratchDir: string;
  /** `PORT` and `HOST`: where `/health/*` and `/metrics` are served; no port, no server. */
  healthPort?: number;
  healthHost: string;
  /** `CAIRN_DRAIN_TIMEOUT_MS`: how long a stop lets running jobs finish before handing them back (below the grace period). */
  drainTimeoutMs: number;
  /** `CAIRN_RUNNER_SANDBOX`: the local backend runs each command under bubblewrap, or (`none`) as a plain child process. */
  sandbox: 'bubblewrap' | 'none';
  /** `CAIRN_RUNNER_MAX_*`: the ceilings of every job's limits. */
  ceilings: SandboxLimits;
  /** `CAIRN_RUNNER_BWRAP`: the bubblewrap program, when not `bwrap` on PATH. */
  bwrap?: string;
  /** `CAIRN_RUNNER_SANDBOX_PROC=none`: the sandbox has no `/proc` (where the runner's own is masked: a container). */
  withoutProc: boolean;
}

/** Below the runner's Kubernetes grace period (300 s), which leaves the rest for the hand-back reports. */
export const DEFAULT_RUNNER_DRAIN_TIMEOUT_MS = 280_000;

export function runnerEnvironmentFrom(env: NodeJS.ProcessEnv, runnerId: string): RunnerEnvironment {
  const apiUrl = (env.CAIRN_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!URL.canParse(apiUrl)) throw new RunnerConfigurationError(`CAIRN_API_URL "${apiUrl}" is not a URL`);
  const port = env.PORT ? Number(env.PORT) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new RunnerConfigurationError(`PORT must be a port number, got "${env.PORT}"`);
  const drainTimeoutMs = env.CAIRN_DRAIN_TIMEOUT_MS ? Number(env.CAIRN_DRAIN_TIMEOUT_MS) : DEFAULT_RUNNER_DRAIN_TIMEOUT_MS;
  if (!Number.isSafeInteger(drainTimeoutMs) || drainTimeoutMs < 0) {
    throw new RunnerConfigurationError(`CAIRN_DRAIN_TIMEOUT_MS must be a non-negative integer, got "${env.CAIRN_DRAIN_TIMEOUT_MS}"`);
  }
  const sandbox = env.CAIRN_RUNNER_SANDBOX?.trim() || 'bubblewrap';
  const sandboxProcFrom = (value: string | undefined) => {
    if (value === undefined || value === '' || value === 'fresh') return false;
    if (value === 'none') return true;
    throw new RunnerConfigurationError(`CAIRN_RUNNER_SANDBOX_PROC must be fresh or none, got "${value}"`);
  };
  if (sandbox !== 'bubblewrap' && sandbox !== 'none') throw new RunnerConfigurationError(`CAIRN_RUNNER_SANDBOX must be bubblewrap or none, got "${sandbox}"`);
  return {
    nats: natsConnectionOptions({ kind: 'runner', id: runnerId }, env),
    apiUrl,
    scratchDir: env.CAIRN_RUNNER_SCRATCH || join(tmpdir(), `cairn-${runnerId}`),
    ...(port === undefined ? {} : { healthPort: port }),
    healthHost: env.HOST ?? '127.0.0.1',
    drainTimeoutMs,
    sandbox,
    ceilings: sandboxCeilingsFrom(env),
    ...(env.CAIRN_RUNNER_BWRAP ? { bwrap: env.CAIRN_RUNNER_BWRAP } : {}),
    withoutProc: sandboxProcFrom(env.CAIRN_RUNNER_SANDBOX_PROC),
  };
}

/** The site file `CAIRN_RUNNER_SITE` names (JSON, `deploy/runner/README.md`); without one, the machine as it is. */
export async function siteFrom(env: NodeJS.ProcessEnv): Promise<Site> {
  const path = env.CAIRN_RUNNER_SITE?.trim();
  if (!path) return BARE_SITE;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RunnerConfigurationError(`CAIRN_RUNNER_SITE: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RunnerConfigurationError(`CAIRN_RUNNER_SITE: ${path} is not JSON (${(error as Error).message})`);
  }
  return siteOf(parsed, path);
}
