import { RunnerConfigurationError } from './queues';
import { brokenLimit, DEFAULT_CEILINGS, limitReason, sandboxCeilingsFrom, sandboxPolicyOf } from './sandbox-limits';

describe("a job's sandbox limits", () => {
  it('are the runner-wide ceilings when nothing is set, and CAIRN_RUNNER_MAX_* sets them (sizes with K, M, G, T)', () => {
    expect(sandboxCeilingsFrom({})).toEqual(DEFAULT_CEILINGS);
    expect(sandboxCeilingsFrom({ CAIRN_RUNNER_MAX_MEMORY: '512M', CAIRN_RUNNER_MAX_PROCESSES: '64', CAIRN_RUNNER_MAX_OUTPUT_BYTES: '2g' })).toEqual({
      ...DEFAULT_CEILINGS,
      memoryBytes: 512 * 1024 ** 2,
      processes: 64,
      outputBytes: 2 * 1024 ** 3,
    });
  });

  it.each([
    [{ CAIRN_RUNNER_MAX_MEMORY: 'lots' }, 'CAIRN_RUNNER_MAX_MEMORY must be a size such as 512M or 2G, got "lots"'],
    [{ CAIRN_RUNNER_MAX_PROCESSES: '64K' }, 'CAIRN_RUNNER_MAX_PROCESSES must be a whole number from 1, got "64K"'],
    [{ CAIRN_RUNNER_MAX_CPU_SECONDS: '0' }, 'CAIRN_RUNNER_MAX_CPU_SECONDS must be a whole number from 1, got "0"'],
  ])('refuses %j', (env, message) => {
    expect(() => sandboxCeilingsFrom(env)).toThrow(new RunnerConfigurationError(message));
  });

  it('take what the template asks for, cut to the ceiling, and give no network unless asked', () => {
    const ceilings = { ...DEFAULT_CEILINGS, processes: 64 };
    expect(sandboxPolicyOf(undefined, ceilings)).toEqual({ network: false, limits: ceilings });
    expect(sandboxPolicyOf({ network: true, limits: { processes: 1000, outputFiles: 3 } }, ceilings)).toEqual({
      network: true,
      limits: { ...ceilings, processes: 64, outputFiles: 3 },
    });
  });

  it('are broken once passed, processes once reached (the kernel refuses the next one)', () => {
    const limits = { ...DEFAULT_CEILINGS, processes: 64, outputBytes: 1024 ** 2 };
    expect(brokenLimit({ processes: 63, outputBytes: 1024 ** 2 }, limits)).toBeUndefined();
    expect(brokenLimit({ processes: 64 }, limits)).toBe('processes');
    expect(brokenLimit({ outputBytes: 1024 ** 2 + 1 }, limits)).toBe('outputBytes');
  });

  it('name the limit in the reason a job fails with', () => {
    const limits = { memoryBytes: 256 * 1024 ** 2, processes: 64, cpuSeconds: 2, outputFiles: 3, outputBytes: 1500 };
    expect(limitReason('memoryBytes', limits)).toBe('the command reached its memory limit of 256 MiB and was stopped');
    expect(limitReason('processes', limits)).toBe('the command reached its limit of 64 processes (threads included) and was stopped');
    expect(limitReason('cpuSeconds', limits)).toBe('the command reached its CPU time limit of 2 s and was stopped');
    expect(limitReason('outputFiles', limits)).toBe('the command reached its limit of 3 output files and was stopped');
    expect(limitReason('outputBytes', limits)).toBe('the command reached its output limit of 1500 bytes and was stopped');
  });
});
