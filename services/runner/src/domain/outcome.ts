import type { FinishedReport, JobFailure } from '@cairn/contracts';

/** How the command ended, as a backend tells it. */
export type CommandEnd =
  | { started: true; exitCode: number | null; signal: string | null }
  /** The command could not be started at all (not on PATH, not executable). */
  | { started: false; reason: string };

export interface RunCircumstances {
  /** The jobs service asked for cancellation before the command ended. */
  cancelRequested: boolean;
  /** The runner stopped the command because it passed this limit (seconds). */
  timedOutAfterSeconds?: number;
  /** The runner itself was told to stop for good while the command ran. */
  runnerStopped: boolean;
  lastLogLines: string[];
}

type Outcome = FinishedReport extends infer Report ? (Report extends unknown ? Omit<Report, 'jobId' | 'runnerId'> : never) : never;

export const systemFailure = (reason: string): Outcome => ({ outcome: 'failed', failure: { kind: 'system', reason } });

/**
 * What the runner reports once the command has ended, drawing GA4GH TES's line: whatever the command
 * did (a non-zero exit, a signal, running past its limit) is an `executor` failure with its exit code and
 * last log lines; what the runner could not do (start it, keep running) is a `system` failure.
 * A zero exit is only a success once the outputs are uploaded; that is the caller's part.
 */
export function outcomeOf(end: CommandEnd, circumstances: RunCircumstances): Outcome {
  if (circumstances.cancelRequested) return { outcome: 'cancelled' };
  if (!end.started) return systemFailure(`the command could not be started: ${end.reason}`);
  if (circumstances.runnerStopped) return systemFailure('the runner was stopped before the command ended');
  const lastLogLines = circumstances.lastLogLines;
  const executor = (reason: string, exitCode?: number): Outcome => {
    const failure: JobFailure = { kind: 'executor', reason, lastLogLines, ...(exitCode === undefined ? {} : { exitCode }) };
    return { outcome: 'failed', failure };
  };
  if (circumstances.timedOutAfterSeconds !== undefined) {
    return executor(`the command ran past its time limit of ${circumstances.timedOutAfterSeconds} s and was stopped`);
  }
  if (end.exitCode === 0) return { outcome: 'succeeded', exitCode: 0 };
  if (end.exitCode !== null) return executor(`the command exited with code ${end.exitCode}`, end.exitCode);
  return executor(`the command was killed by ${end.signal ?? 'a signal'}`);
}
