import { batchScriptOf, sbatchArgumentsOf, type BatchJob } from './batch-script';
import { shellQuoted } from './shell';

const job: BatchJob = {
  jobId: 'j-1',
  runnerId: 'runner-a',
  argv: ['cairn-render-molecule', '/w/inputs/caffeine.xyz', '--title=$(rm -rf ~) "it\'s"\nnext line', '--out', '/w/out'],
  env: { PATH: '/w/bin:/usr/bin', HOME: '/w' },
  workDir: '/w',
  files: { stdout: '/w/cairn-runner/stdout.log', stderr: '/w/cairn-runner/stderr.log', exitStatus: '/w/cairn-runner/exit-status' },
  resources: { cpus: 4, memory: '16G', gres: 'gpu:2', partition: 'gpu-fast', qos: 'high' },
  minutes: 10,
};

describe('the batch script of a job (issue #13: "generated from the template\'s argument vector, with proper quoting and no shell interpolation")', () => {
  it('quotes every word in single quotes, a single quote as \'\\\'\'', () => {
    expect(shellQuoted('plain')).toBe("'plain'");
    expect(shellQuoted("it's $(x) `y` \"z\"\n")).toBe("'it'\\''s $(x) `y` \"z\"\n'");
    expect(() => shellQuoted('a\0b')).toThrow('NUL');
  });

  it('runs the argument vector as single-quoted words after the environment, and writes the exit status beside the logs', () => {
    const script = batchScriptOf(job);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain("export PATH='/w/bin:/usr/bin'\nexport HOME='/w'\n");
    expect(script).toContain(`'cairn-render-molecule' '/w/inputs/caffeine.xyz' '--title=$(rm -rf ~) "it'\\''s"\nnext line' '--out' '/w/out'\nstatus=$?\n`);
    expect(script).toContain(`printf '%s\\n' "$status" > '/w/cairn-runner/exit-status.written' && mv -f '/w/cairn-runner/exit-status.written' '/w/cairn-runner/exit-status'\nexit "$status"\n`);
  });

  it('checks that the program is on the node first, and says it could not start it otherwise', () => {
    const script = batchScriptOf(job);
    expect(script).toContain("cairn_not_started() {\n  printf 'cairn: %s\\n' \"$1\" >&2\n  printf '%s\\n' not-started >");
    expect(script).toContain("command -v -- 'cairn-render-molecule' >/dev/null 2>&1 || cairn_not_started '\"cairn-render-molecule\" is not an executable on the node'\\''s PATH'\n");
  });

  it("runs the site's prologue before the program check, each line stopping the job as not started when it fails", () => {
    const script = batchScriptOf({ ...job, prologue: ['source /etc/profile.d/lmod.sh', "module load 'dials'"] });
    expect(script).toContain(
      "source /etc/profile.d/lmod.sh || cairn_not_started 'the site'\\''s prologue failed at: source /etc/profile.d/lmod.sh'\nmodule load 'dials' || cairn_not_started 'the site'\\''s prologue failed at: module load '\\''dials'\\'''\ncommand -v",
    );
  });

  it('refuses an empty command and an environment name no shell takes', () => {
    expect(() => batchScriptOf({ ...job, argv: [] })).toThrow('the command is empty');
    expect(() => batchScriptOf({ ...job, env: { 'NOT-A-NAME': 'x' } })).toThrow('"NOT-A-NAME" cannot be an environment variable\'s name');
  });

  it('names the Cairn job in the job name and the comment, and hands on sbatch\'s own (Slurm-only) environment', () => {
    expect(sbatchArgumentsOf(job, '/w/cairn-runner/job.sh')).toEqual([
      '--parsable',
      '--job-name=cairn-j-1',
      '--comment=cairn job j-1 runner runner-a',
      '--chdir=/w',
      '--output=/w/cairn-runner/stdout.log',
      '--error=/w/cairn-runner/stderr.log',
      '--export=ALL',
      '--no-requeue',
      '/w/cairn-runner/job.sh',
    ]);
  });

  it("carries its machine type's Slurm options as #SBATCH lines before any command: one task, CPUs, memory, time, partition, QoS, gres", () => {
    expect(batchScriptOf(job)).toMatch(
      /^#!\/bin\/bash\n#SBATCH --nodes=1\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=4\n#SBATCH --mem=16G\n#SBATCH --time=10\n#SBATCH --partition=gpu-fast\n#SBATCH --qos=high\n#SBATCH --gres=gpu:2\n# Cairn job/,
    );
    expect(batchScriptOf({ ...job, resources: { cpus: 1, memory: '2G' } })).not.toMatch(/--(partition|qos|gres)/);
  });
});
