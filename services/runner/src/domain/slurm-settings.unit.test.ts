import { machineOptionsOf, resourcesFor, slurmMinutesFor, slurmSettingsFrom } from './slurm-settings';

const WORKDIR = { CAIRN_SLURM_WORKDIR: '/shared/cairn', CAIRN_RUNNER_ID: 'runner-slurm-1' };

describe('the slurm backend\'s settings (issue #13: "CPU count, memory and time limit come from the machine type")', () => {
  it('given only the work folder, then every machine type has its default CPUs and memory, GPU types a GPU each, and the cluster\'s default partition', () => {
    const settings = slurmSettingsFrom(WORKDIR);
    expect(settings).toMatchObject({ workDir: '/shared/cairn', maxSubmitted: 100, pollMs: 1_000 });
    expect(resourcesFor(settings, { type: 'cpu', performance: 'standard' })).toEqual({ cpus: 1, memory: '2G' });
    expect(resourcesFor(settings, { type: 'gpu', performance: 'turbo' })).toEqual({ cpus: 4, memory: '16G', gres: 'gpu:2' });
  });

  it('given "a mapping configured per machine type (CAIRN_SLURM_PARTITIONS, e.g. gpu/turbo=gpu-fast)", then that type\'s jobs go to that partition', () => {
    const settings = slurmSettingsFrom({ ...WORKDIR, CAIRN_SLURM_PARTITIONS: 'cpu/standard=cpu, gpu/turbo=gpu-fast' });
    expect(resourcesFor(settings, { type: 'gpu', performance: 'turbo' }).partition).toBe('gpu-fast');
    expect(resourcesFor(settings, { type: 'cpu', performance: 'standard' }).partition).toBe('cpu');
    expect(resourcesFor(settings, { type: 'cpu', performance: 'turbo' }).partition).toBeUndefined();
  });

  it('takes CPUs, memory, GPUs (a count or <type>:<count>), the longest time, the jobs held at once and the poll interval from the environment', () => {
    const settings = slurmSettingsFrom({
      ...WORKDIR,
      CAIRN_SLURM_CPUS: 'cpu/turbo=2',
      CAIRN_SLURM_MEMORY: 'cpu/turbo=512M',
      CAIRN_SLURM_GPUS: 'gpu/turbo=a100:4',
      CAIRN_SLURM_TIME_LIMITS: 'cpu/turbo=4h',
      CAIRN_SLURM_MAX_SUBMITTED: '500',
      CAIRN_SLURM_POLL_MS: '250',
    });
    expect(resourcesFor(settings, { type: 'cpu', performance: 'turbo' })).toEqual({ cpus: 2, memory: '512M', maxMinutes: 240 });
    expect(resourcesFor(settings, { type: 'gpu', performance: 'turbo' }).gres).toBe('gpu:a100:4');
    expect(settings).toMatchObject({ maxSubmitted: 500, pollMs: 250 });
  });

  it("given the site file's machines, then each type it names gets its options over the variables', and only those types are mapped", () => {
    const machines = machineOptionsOf(
      { 'gpu/turbo': { partition: 'gpu-fast', qos: 'high', gres: 'gpu:a100:2', cpusPerTask: 16, memory: '128G', timeLimit: '1d' }, 'cpu/standard': { partition: 'short' } },
      'site.json',
    );
    const settings = slurmSettingsFrom({ ...WORKDIR, CAIRN_SLURM_PARTITIONS: 'cpu/standard=cpu,gpu/turbo=gpu', CAIRN_SLURM_CPUS: 'cpu/standard=2' }, machines);
    expect(resourcesFor(settings, { type: 'gpu', performance: 'turbo' })).toEqual({ partition: 'gpu-fast', qos: 'high', gres: 'gpu:a100:2', cpus: 16, memory: '128G', maxMinutes: 1440 });
    expect(resourcesFor(settings, { type: 'cpu', performance: 'standard' })).toEqual({ partition: 'short', cpus: 2, memory: '2G' });
    expect(settings.mapped).toEqual(['cpu/standard', 'gpu/turbo']);
    expect(slurmSettingsFrom(WORKDIR).mapped).toEqual(['cpu/standard', 'cpu/turbo', 'gpu/standard', 'gpu/turbo']);
  });

  it.each([
    [{ 'gpu/fast': {} }, 'site.json: machines.gpu/fast is no machine type'],
    [{ 'gpu/turbo': { partition: 'gpu fast' } }, 'site.json: machines.gpu/turbo.partition must be a partition name, got "gpu fast"'],
    [{ 'gpu/turbo': { gres: 'gpu;2' } }, 'machines.gpu/turbo.gres must be a gres such as gpu:1 or gpu:a100:2'],
    [{ 'gpu/turbo': { account: 'x' } }, 'machines.gpu/turbo.account is not a Slurm option Cairn sets'],
    [{ 'cpu/turbo': { timeLimit: '1w' } }, 'machines.cpu/turbo.timeLimit must be a time such as 90m, 4h or 2d'],
  ])('refuses the site file machines %j', (machines, message) => {
    expect(() => machineOptionsOf(machines, 'site.json')).toThrow(message);
  });

  it.each([
    [{ CAIRN_SLURM_WORKDIR: '/shared/cairn' }, 'the slurm backend needs a runner id that survives a restart: set CAIRN_RUNNER_ID (dev mode) or CAIRN_RUNNER_TOKEN'],
    [{ CAIRN_RUNNER_ID: 'r' }, 'CAIRN_SLURM_WORKDIR must be an absolute path on a file system every Slurm node mounts at the same place, got ""'],
    [{ CAIRN_RUNNER_ID: 'r', CAIRN_SLURM_WORKDIR: '/shared/100%' }, 'CAIRN_SLURM_WORKDIR may hold no % or backslash'],
    [{ ...WORKDIR, CAIRN_SLURM_PARTITIONS: 'gpu/fast=gpu' }, 'CAIRN_SLURM_PARTITIONS: "gpu/fast" is no machine type; use cpu/standard, cpu/turbo, gpu/standard, gpu/turbo'],
    [{ ...WORKDIR, CAIRN_SLURM_PARTITIONS: 'gpu/turbo=gpu fast' }, 'CAIRN_SLURM_PARTITIONS: gpu/turbo must be a partition name, got "gpu fast"'],
    [{ ...WORKDIR, CAIRN_SLURM_CPUS: 'cpu/turbo=0' }, 'CAIRN_SLURM_CPUS: cpu/turbo must be a CPU count, got "0"'],
    [{ ...WORKDIR, CAIRN_SLURM_MEMORY: 'cpu/turbo=lots' }, 'CAIRN_SLURM_MEMORY: cpu/turbo must be a memory size such as 2G or 512M, got "lots"'],
    [{ ...WORKDIR, CAIRN_SLURM_TIME_LIMITS: 'cpu/turbo=1w' }, 'CAIRN_SLURM_TIME_LIMITS: cpu/turbo must be a time such as 90m, 4h or 2d, got "1w"'],
    [{ ...WORKDIR, CAIRN_SLURM_MAX_SUBMITTED: '0' }, 'CAIRN_SLURM_MAX_SUBMITTED must be a whole number from 1 to 100000, got "0"'],
  ])('refuses %j', (env, message) => {
    expect(() => slurmSettingsFrom(env)).toThrow(message);
  });

  it('given Slurm counts whole minutes, then a job\'s limit in seconds is rounded up, and cut to its machine type\'s longest', () => {
    expect(slurmMinutesFor(1, { cpus: 1, memory: '1G' })).toBe(1);
    expect(slurmMinutesFor(600, { cpus: 1, memory: '1G' })).toBe(10);
    expect(slurmMinutesFor(601, { cpus: 1, memory: '1G' })).toBe(11);
    expect(slurmMinutesFor(86_400, { cpus: 1, memory: '1G', maxMinutes: 240 })).toBe(240);
  });
});
