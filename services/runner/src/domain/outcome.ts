import type { FinishedReport, JobFailure } from '@cairn/contracts';

/**
 * A batch scheduler's own account of how it ended a job, in GA4GH TES's classes (`domain/slurm-states`
 * makes one from Slurm's state, reason and exit code). It is the word on the end: a cancellation, for
 * one, counts only once the scheduler says so.
 */
export type SchedulerEnd =
  | { verdict: 'succeeded' }
  | { verdict: 'executor'; reason: string; exitCode?: number }
  | { verdict: 'system'; reason: string }
  | { verdict: 'cancelled'; reason: string };

/** How the command ended, as a backend tells it. */
export type CommandEnd =
  | {
      started: true;
      exitCode: number | null;
      signal: string | null;
      /** The backend stopped the command because it passed this limit (seconds). */
      timedOutAfterSeconds?: number;
      /** The sandbox stopped the command, or refused its outputs, for breaking a limit: the reason, naming it. */
      limitBroken?: string;
      /** A scheduler ran the command and said how it ended. */
      scheduler?: SchedulerEnd;
    }
  /** The command could not be started at all (not on PATH, not executable, refused by the scheduler). */
  | { started: false; reason: string };

export interface RunCircumstances {
  /** The jobs service asked for cancellation before the command ended. */
  cancelRequested: boolean;
  /** The runner itself was told to stop for good while the command ran. */
  runnerStopped: boolean;
  lastLogLines: string[];
}

export type Outcome = FinishedReport extends infer Report ? (Report extends unknown ? Omit<Report, 'jobId' | 'runnerId'> : never) : never;

export const systemFailure = (reason: string): Outcome => ({ outcome: 'failed', failure: { kind: 'system', reason } });

/**
 * What the runner reports once the command has ended, drawing GA4GH TES's line: whatever the command
 * did (a non-zero exit, a signal, running past its limit) is an `executor` failure with its exit code and
 * last log lines; what the runner could not do (start it, keep running) is a `system` failure.
 * A zero exit is only a success once the outputs are uploaded; that is the caller's part.
 */
export function outcomeOf(end: CommandEnd, circumstances: RunCircumstances): Outcome {
  const executor = (reason: string, exitCode?: number): Outcome => {
    const failure: JobFailure = { kind: 'executor', reason, lastLogLines: circumstances.lastLogLines, ...(exitCode === undefined ? {} : { exitCode }) };
    return { outcome: 'failed', failure };
  };
  if (end.started && end.scheduler) return scheduledOutcomeOf(end.scheduler, circumstances, executor);
  if (circumstances.cancelRequested) return { outcome: 'cancelled' };
  if (!end.started) return systemFailure(`the command could not be started: ${end.reason}`);
  if (circumstances.runnerStopped) return systemFailure(RUNNER_STOPPED);
  if (end.limitBroken !== undefined) return executor(end.limitBroken);
  if (end.timedOutAfterSeconds !== undefined) {
    return executor(`the command ran past its time limit of ${end.timedOutAfterSeconds} s and was stopped`);
  }
  if (end.exitCode === 0) return { outcome: 'succeeded', exitCode: 0 };
  if (end.exitCode !== null) return executor(`the command exited with code ${end.exitCode}`, end.exitCode);
  return executor(`the command was killed by ${end.signal ?? 'a signal'}`);
}

const RUNNER_STOPPED = 'the runner was stopped before the command ended';

/**
 * The scheduler's verdict stands, whatever the runner asked for: a job that completed before its
 * cancellation took effect succeeded. Its cancellation is Cairn's only when Cairn asked for it; one
 * from elsewhere (an administrator's `scancel`) is a failure the command did not cause.
 */
function scheduledOutcomeOf(end: SchedulerEnd, circumstances: RunCircumstances, executor: (reason: string, exitCode?: number) => Outcome): Outcome {
  switch (end.verdict) {
    case 'succeeded':
      return { outcome: 'succeeded', exitCode: 0 };
    case 'executor':
      return executor(end.reason, end.exitCode);
    case 'system':
      return systemFailure(end.reason);
    case 'cancelled':
      if (circumstances.cancelRequested) return { outcome: 'cancelled' };
      return systemFailure(circumstances.runnerStopped ? RUNNER_STOPPED : `${end.reason}, which nobody asked for through Cairn`);
  }
}
