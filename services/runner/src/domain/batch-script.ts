import { shellQuoted } from './shell';
import { guardedPrologue } from './site';
import type { SlurmResources } from './slurm-settings';

/** `cairn-<jobId>`: how a runner finds the Slurm job of a Cairn job again, in `squeue --name`. */
export function slurmJobNameOf(jobId: string): string {
  return `cairn-${jobId}`;
}

/** What the batch script writes as its last act: the command's exit status, or that it could not start it. */
export const NOT_STARTED = 'not-started';

export interface BatchJob {
  jobId: string;
  runnerId: string;
  /** The template's expanded argument vector: each element reaches the command as one literal argument. */
  argv: readonly string[];
  /** The command's whole environment. */
  env: Record<string, string>;
  /** Shell lines of the site run before the command (its prologue, the template's modules loaded). */
  prologue?: readonly string[];
  workDir: string;
  files: {
    stdout: string;
    stderr: string;
    /** Where the script leaves the command's exit status (or `NOT_STARTED`), for when Slurm has forgotten the job. */
    exitStatus: string;
  };
  resources: SlurmResources;
  minutes: number;
}

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The batch script of a job: the environment, the site's prologue, then the argument vector with every
 * element single-quoted, so no parameter is interpolated. A prologue line that fails, or a program that
 * is not there after it, is the node's problem, not the job's: the script then writes `NOT_STARTED`.
 * It ends by writing the exit status beside the logs.
 */
export function batchScriptOf(job: BatchJob): string {
  const [program] = job.argv;
  if (program === undefined) throw new Error('the command is empty');
  const environment = Object.entries(job.env).map(([name, value]) => {
    if (!ENVIRONMENT_NAME.test(name)) throw new Error(`"${name}" cannot be an environment variable's name`);
    return `export ${name}=${shellQuoted(value)}`;
  });
  const exitStatus = shellQuoted(job.files.exitStatus);
  const exitStatusWritten = shellQuoted(`${job.files.exitStatus}.written`);
  return [
    '#!/bin/bash',
    ...resourceOptionsOf(job).map((option) => `#SBATCH ${option}`),
    `# Cairn job ${job.jobId}, submitted by runner ${job.runnerId}. Every word of the command is`,
    '# single-quoted: the shell expands nothing in it.',
    '# What the job writes in its folder is its owner\'s alone, whatever umask the node gives it.',
    'umask 077',
    ...environment,
    'cairn_not_started() {',
    `  printf 'cairn: %s\\n' "$1" >&2`,
    `  printf '%s\\n' ${NOT_STARTED} > ${exitStatusWritten} && mv -f ${exitStatusWritten} ${exitStatus}`,
    '  exit 127',
    '}',
    ...guardedPrologue(job.prologue ?? [], 'cairn_not_started'),
    `command -v -- ${shellQuoted(program)} >/dev/null 2>&1 || cairn_not_started ${shellQuoted(`"${program}" is not an executable on the node's PATH`)}`,
    job.argv.map(shellQuoted).join(' '),
    'status=$?',
    `printf '%s\\n' "$status" > ${exitStatusWritten} && mv -f ${exitStatusWritten} ${exitStatus}`,
    'exit "$status"',
    '',
  ].join('\n');
}

/**
 * `sbatch`'s arguments for the job: resources from its machine type, the job name and comment naming
 * the Cairn job, and no requeue (a requeued script would run the command again over its first
 * outputs). `--export=ALL` hands the job sbatch's own environment, which is only what the Slurm
 * clients need (`SlurmCli.environmentFrom`: never the runner's token), and the script sets the
 * command's on top. (`NIL` and `NONE` have slurmd build the user's login environment for every job:
 * 0.5 s of each job on the test cluster.)
 */
export function sbatchArgumentsOf(job: BatchJob, scriptFile: string): string[] {
  return [
    '--parsable',
    `--job-name=${slurmJobNameOf(job.jobId)}`,
    `--comment=cairn job ${job.jobId} runner ${job.runnerId}`,
    `--chdir=${job.workDir}`,
    `--output=${job.files.stdout}`,
    `--error=${job.files.stderr}`,
    '--export=ALL',
    '--no-requeue',
    scriptFile,
  ];
}

/**
 * What the job asks Slurm for, from its machine type's mapping: one task on one node with its CPUs,
 * memory and time, on its partition and QoS, with its gres. The script carries them as `#SBATCH` lines,
 * so the script kept in the job's folder says what was asked.
 */
export function resourceOptionsOf(job: Pick<BatchJob, 'resources' | 'minutes'>): string[] {
  const { resources } = job;
  return [
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${resources.cpus}`,
    `--mem=${resources.memory}`,
    `--time=${job.minutes}`,
    ...(resources.partition === undefined ? [] : [`--partition=${resources.partition}`]),
    ...(resources.qos === undefined ? [] : [`--qos=${resources.qos}`]),
    ...(resources.gres === undefined ? [] : [`--gres=${resources.gres}`]),
  ];
}
