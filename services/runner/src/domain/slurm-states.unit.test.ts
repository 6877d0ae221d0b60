import { parseExitCode, phaseOf, schedulerEndOf, type SlurmJobEnd } from './slurm-states';

const ended = (state: string, reason: string, exitCode = 0, signal = 0): SlurmJobEnd => ({ slurmJobId: '7', state, reason, exitCode, signal });

describe('Slurm\'s states in Cairn\'s words (issue #13: "they map to Cairn\'s states")', () => {
  it('given PENDING (and the other waits), then the job is queued; given RUNNING or COMPLETING, running; given an end, ended', () => {
    expect(['PENDING', 'CONFIGURING', 'REQUEUED'].map(phaseOf)).toEqual(['queued', 'queued', 'queued']);
    expect(['RUNNING', 'COMPLETING', 'SUSPENDED'].map(phaseOf)).toEqual(['running', 'running', 'running']);
    expect(['COMPLETED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'CANCELLED'].map(phaseOf)).toEqual(Array(8).fill('ended'));
  });

  it('given a state with what Slurm appends to it ("CANCELLED by 0", "COMPLETED+"), then its base state counts', () => {
    expect(phaseOf('CANCELLED by 0')).toBe('ended');
    expect(schedulerEndOf(ended('CANCELLED by 0', 'None'))).toMatchObject({ verdict: 'cancelled' });
    expect(phaseOf('COMPLETED+')).toBe('ended');
  });

  it('given a state this Slurm does not name yet, then it counts as running until the next look says more', () => {
    expect(phaseOf('SOMETHING_NEW')).toBe('running');
  });

  it('given COMPLETED, then succeeded', () => {
    expect(schedulerEndOf(ended('COMPLETED', 'None'))).toEqual({ verdict: 'succeeded' });
  });

  it('given FAILED / TIMEOUT / OUT_OF_MEMORY, then "failed, executor" with the exit code and Slurm\'s reason', () => {
    expect(schedulerEndOf(ended('FAILED', 'NonZeroExitCode', 3))).toEqual({
      verdict: 'executor',
      reason: 'the command exited with code 3 (Slurm job 7: FAILED, NonZeroExitCode)',
      exitCode: 3,
    });
    expect(schedulerEndOf(ended('TIMEOUT', 'TimeLimit', 0, 15))).toEqual({
      verdict: 'executor',
      reason: 'the command ran past its time limit and Slurm stopped it (Slurm job 7: TIMEOUT, TimeLimit)',
    });
    expect(schedulerEndOf(ended('OUT_OF_MEMORY', 'OutOfMemory', 0, 9))).toEqual({
      verdict: 'executor',
      reason: 'the command ran out of the memory its machine type grants (Slurm job 7: OUT_OF_MEMORY, OutOfMemory)',
    });
    expect(schedulerEndOf(ended('FAILED', 'None', 0, 9))).toEqual({ verdict: 'executor', reason: 'the command was killed by signal 9 (Slurm job 7: FAILED)' });
  });

  it('given NODE_FAIL / PREEMPTED / BOOT_FAIL (or any other end), then "failed, system" naming Slurm\'s state', () => {
    expect(['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'].map((state) => schedulerEndOf(ended(state, 'None')))).toEqual([
      { verdict: 'system', reason: 'the node running the command failed (Slurm job 7: NODE_FAIL)' },
      { verdict: 'system', reason: 'Slurm preempted the job for another (Slurm job 7: PREEMPTED)' },
      { verdict: 'system', reason: 'the node for the job failed to boot (Slurm job 7: BOOT_FAIL)' },
      { verdict: 'system', reason: 'Slurm ended the job without running it to its end (Slurm job 7: DEADLINE)' },
    ]);
  });

  it('given CANCELLED, then cancelled (whether Cairn asked for it is the runner\'s to say)', () => {
    expect(schedulerEndOf(ended('CANCELLED', 'None', 0, 15))).toEqual({ verdict: 'cancelled', reason: 'the job was cancelled in Slurm (Slurm job 7: CANCELLED)' });
  });

  it('reads scontrol\'s ExitCode=<exit>:<signal>', () => {
    expect(parseExitCode('3:0')).toEqual({ exitCode: 3, signal: 0 });
    expect(parseExitCode('0:15')).toEqual({ exitCode: 0, signal: 15 });
    expect(parseExitCode('')).toEqual({ exitCode: 0, signal: 0 });
  });
});
