import type { SchedulerEnd } from './outcome';

/** Where a Slurm job is, in Cairn's words: waiting in Slurm's queue, running, or ended with a verdict. */
export type SlurmPhase = 'queued' | 'running' | 'ended';

/** The base states of `squeue --format=%T` and `scontrol show job`'s `JobState`, by the phase they mean. */
const PHASES: Record<string, SlurmPhase> = {
  PENDING: 'queued',
  REQUEUED: 'queued',
  REQUEUE_HOLD: 'queued',
  REQUEUE_FED: 'queued',
  RESV_DEL_HOLD: 'queued',
  // Nodes are being booted for it: still waiting.
  CONFIGURING: 'queued',
  RUNNING: 'running',
  // Ended, but its processes are still being cleaned up: the final state is not known yet.
  COMPLETING: 'running',
  SUSPENDED: 'running',
  STOPPED: 'running',
  SIGNALING: 'running',
  STAGE_OUT: 'running',
  RESIZING: 'running',
  COMPLETED: 'ended',
  FAILED: 'ended',
  TIMEOUT: 'ended',
  OUT_OF_MEMORY: 'ended',
  NODE_FAIL: 'ended',
  PREEMPTED: 'ended',
  BOOT_FAIL: 'ended',
  DEADLINE: 'ended',
  CANCELLED: 'ended',
  SPECIAL_EXIT: 'ended',
  REVOKED: 'ended',
};

/** `CANCELLED by 0`, `COMPLETED+`: the state's name without what Slurm appends to it. */
export function baseStateOf(state: string): string {
  return /^[A-Z_]+/.exec(state.trim().toUpperCase())?.[0] ?? '';
}

/** The phase of a Slurm state; a state this Slurm does not name yet counts as still running (the next look decides). */
export function phaseOf(state: string): SlurmPhase {
  return PHASES[baseStateOf(state)] ?? 'running';
}

/** A Slurm job that has ended, as `scontrol show job` tells it. */
export interface SlurmJobEnd {
  slurmJobId: string;
  state: string;
  /** Slurm's `Reason` (`NonZeroExitCode`, `TimeLimit`, `None` ...). */
  reason: string;
  /** `ExitCode=<exit>:<signal>` of the batch script. */
  exitCode: number;
  signal: number;
}

/**
 * What Slurm's end of a job means for Cairn. `COMPLETED` succeeded; the command's own doing
 * (`FAILED`, `TIMEOUT`, `OUT_OF_MEMORY`) is an `executor` failure with its exit code; the cluster's
 * (`NODE_FAIL`, `PREEMPTED`, `BOOT_FAIL`, and any other end) a `system` one; `CANCELLED` is a
 * cancellation. Every reason names the Slurm job, its state and Slurm's reason.
 */
export function schedulerEndOf(end: SlurmJobEnd): SchedulerEnd {
  const state = baseStateOf(end.state);
  const slurmSays = `Slurm job ${end.slurmJobId}: ${state}${end.reason && end.reason !== 'None' ? `, ${end.reason}` : ''}`;
  const killedBy = end.signal > 0 ? ` by signal ${end.signal}` : '';
  switch (state) {
    case 'COMPLETED':
      return end.exitCode === 0 ? { verdict: 'succeeded' } : { verdict: 'executor', reason: `the command exited with code ${end.exitCode} (${slurmSays})`, exitCode: end.exitCode };
    case 'FAILED':
      return end.signal > 0 && end.exitCode === 0
        ? { verdict: 'executor', reason: `the command was killed${killedBy} (${slurmSays})` }
        : { verdict: 'executor', reason: `the command exited with code ${end.exitCode} (${slurmSays})`, exitCode: end.exitCode };
    case 'TIMEOUT':
      return { verdict: 'executor', reason: `the command ran past its time limit and Slurm stopped it (${slurmSays})` };
    case 'OUT_OF_MEMORY':
      return { verdict: 'executor', reason: `the command ran out of the memory its machine type grants (${slurmSays})`, ...(end.exitCode > 0 ? { exitCode: end.exitCode } : {}) };
    case 'CANCELLED':
      return { verdict: 'cancelled', reason: `the job was cancelled in Slurm (${slurmSays})` };
    case 'NODE_FAIL':
      return { verdict: 'system', reason: `the node running the command failed (${slurmSays})` };
    case 'PREEMPTED':
      return { verdict: 'system', reason: `Slurm preempted the job for another (${slurmSays})` };
    case 'BOOT_FAIL':
      return { verdict: 'system', reason: `the node for the job failed to boot (${slurmSays})` };
    default:
      return { verdict: 'system', reason: `Slurm ended the job without running it to its end (${slurmSays})` };
  }
}

/** `ExitCode=3:0` → exit 3, signal 0. */
export function parseExitCode(field: string): { exitCode: number; signal: number } {
  const [exit, signal] = field.split(':').map((part) => Number.parseInt(part, 10));
  return { exitCode: Number.isFinite(exit) ? exit : 0, signal: Number.isFinite(signal) ? signal : 0 };
}
