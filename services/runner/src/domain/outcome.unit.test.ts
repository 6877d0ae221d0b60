import { outcomeOf, type CommandEnd, type RunCircumstances, type SchedulerEnd } from './outcome';

const plainly: RunCircumstances = { cancelRequested: false, runnerStopped: false, lastLogLines: ['refining', 'R-free 0.21'] };

describe('how a job ends (GA4GH TES: the executor\'s failures apart from the system\'s)', () => {
  it('given an exit code 0, then the job succeeded (its outputs are uploaded before it is reported)', () => {
    expect(outcomeOf({ started: true, exitCode: 0, signal: null }, plainly)).toEqual({ outcome: 'succeeded', exitCode: 0 });
  });

  it('given "a command that exits non-zero", then it fails with failure.kind executor, its exit code and the last log lines', () => {
    expect(outcomeOf({ started: true, exitCode: 3, signal: null }, plainly)).toEqual({
      outcome: 'failed',
      failure: { kind: 'executor', reason: 'the command exited with code 3', exitCode: 3, lastLogLines: ['refining', 'R-free 0.21'] },
    });
  });

  it('given a command that "passes its time limit", then it fails with failure.kind executor saying so, whatever signal stopped it', () => {
    expect(outcomeOf({ started: true, exitCode: null, signal: 'SIGTERM', timedOutAfterSeconds: 600 }, plainly)).toEqual({
      outcome: 'failed',
      failure: { kind: 'executor', reason: 'the command ran past its time limit of 600 s and was stopped', lastLogLines: ['refining', 'R-free 0.21'] },
    });
  });

  it('given a command the sandbox stopped for breaking a limit, then it fails with failure.kind executor and the reason naming the limit', () => {
    const reason = 'the command reached its limit of 64 processes (threads included) and was stopped';
    expect(outcomeOf({ started: true, exitCode: 143, signal: null, limitBroken: reason }, plainly)).toEqual({
      outcome: 'failed',
      failure: { kind: 'executor', reason, lastLogLines: ['refining', 'R-free 0.21'] },
    });
  });

  it('given a command killed by a signal nobody here sent (the kernel\'s OOM killer), then it is the executor\'s failure', () => {
    expect(outcomeOf({ started: true, exitCode: null, signal: 'SIGKILL' }, plainly)).toMatchObject({ failure: { kind: 'executor', reason: 'the command was killed by SIGKILL' } });
  });

  it('given a command that could not be started, then it is a system failure: the runner lacks the program, the job did nothing wrong', () => {
    expect(outcomeOf({ started: false, reason: '"dials.index" is not an executable on the runner\'s PATH' }, plainly)).toEqual({
      outcome: 'failed',
      failure: { kind: 'system', reason: 'the command could not be started: "dials.index" is not an executable on the runner\'s PATH' },
    });
  });

  it('given cancellation was requested, then the runner confirms "cancelled" however the stopped command ended', () => {
    for (const end of [{ started: true as const, exitCode: null, signal: 'SIGTERM' }, { started: true as const, exitCode: 0, signal: null }, { started: false as const, reason: 'x' }]) {
      expect(outcomeOf(end, { ...plainly, cancelRequested: true })).toEqual({ outcome: 'cancelled' });
    }
  });

  it('given the runner was stopped for good while the command ran, then it is a system failure', () => {
    expect(outcomeOf({ started: true, exitCode: null, signal: 'SIGTERM' }, { ...plainly, runnerStopped: true })).toEqual({
      outcome: 'failed',
      failure: { kind: 'system', reason: 'the runner was stopped before the command ended' },
    });
  });

  describe('when a scheduler ran the command, its verdict stands', () => {
    const ran = (scheduler: SchedulerEnd): CommandEnd => ({ started: true, exitCode: null, signal: null, scheduler });

    it('given the scheduler says it failed as the executor\'s fault, then executor with its reason, exit code and the last log lines', () => {
      expect(outcomeOf(ran({ verdict: 'executor', reason: 'the command exited with code 3 (Slurm job 7: FAILED, NonZeroExitCode)', exitCode: 3 }), plainly)).toEqual({
        outcome: 'failed',
        failure: { kind: 'executor', reason: 'the command exited with code 3 (Slurm job 7: FAILED, NonZeroExitCode)', exitCode: 3, lastLogLines: ['refining', 'R-free 0.21'] },
      });
    });

    it('given the scheduler says the cluster failed it, then system', () => {
      expect(outcomeOf(ran({ verdict: 'system', reason: 'the node running the command failed (Slurm job 7: NODE_FAIL)' }), plainly)).toEqual({
        outcome: 'failed',
        failure: { kind: 'system', reason: 'the node running the command failed (Slurm job 7: NODE_FAIL)' },
      });
    });

    it('given "cancel is confirmed from the state, never assumed": a job asked to cancel that completed first succeeded', () => {
      expect(outcomeOf(ran({ verdict: 'succeeded' }), { ...plainly, cancelRequested: true })).toEqual({ outcome: 'succeeded', exitCode: 0 });
      expect(outcomeOf(ran({ verdict: 'cancelled', reason: 'x' }), { ...plainly, cancelRequested: true })).toEqual({ outcome: 'cancelled' });
    });

    it('given a cancellation nobody asked for through Cairn (an administrator\'s scancel), then a system failure saying so', () => {
      expect(outcomeOf(ran({ verdict: 'cancelled', reason: 'the job was cancelled in Slurm (Slurm job 7: CANCELLED)' }), plainly)).toEqual({
        outcome: 'failed',
        failure: { kind: 'system', reason: 'the job was cancelled in Slurm (Slurm job 7: CANCELLED), which nobody asked for through Cairn' },
      });
      expect(outcomeOf(ran({ verdict: 'cancelled', reason: 'x' }), { ...plainly, runnerStopped: true })).toMatchObject({ failure: { kind: 'system', reason: 'the runner was stopped before the command ended' } });
    });
  });
});
