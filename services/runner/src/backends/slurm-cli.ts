import { execFile } from 'node:child_process';
import { parseExitCode } from '../domain/slurm-states';

/** A Slurm client program failed: it could not reach the controller, or refused what it was asked. */
export class SlurmCommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    cause: string,
  ) {
    super(`${command}: ${stderr.trim() || cause}`);
    this.name = 'SlurmCommandError';
  }
}

/** One line of `squeue`. */
export interface QueuedSlurmJob {
  slurmJobId: string;
  name: string;
  state: string;
  reason: string;
  partition: string;
  /** The node(s) running it; empty while it waits. */
  nodes: string;
}

/** What `scontrol show job` says of a job the controller still remembers. */
export interface ShownSlurmJob {
  slurmJobId: string;
  state: string;
  reason: string;
  exitCode: number;
  signal: number;
}

export interface SlurmCliOptions {
  /** The clients' environment: `SLURM_CONF` and the `SBATCH_*` defaults a facility sets (account, QOS), nothing else of the runner's. */
  env: NodeJS.ProcessEnv;
  /** Client programs running at once, so a burst of submissions does not fork hundreds of them. */
  maxConcurrent?: number;
  timeoutMs?: number;
}

const INVALID_JOB_ID = /Invalid job id specified/i;
const FIELD_SEPARATOR = '|';

/**
 * The Slurm client programs (`sbatch`, `squeue`, `scontrol`, `scancel`) as they are on the runner's
 * PATH, each run without a shell. Their environment is only what Slurm needs: a runner inside a Slurm
 * allocation would otherwise hand its own `SLURM_*` job variables to every submission.
 */
export class SlurmCli {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxConcurrent: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: SlurmCliOptions) {
    this.maxConcurrent = options.maxConcurrent ?? 4;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The runner's environment cut to what the Slurm clients read. */
  static environmentFrom(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const kept = Object.entries(env).filter(([name]) => ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'SLURM_CONF'].includes(name) || name.startsWith('SBATCH_'));
    return Object.fromEntries(kept);
  }

  /** Submits a batch job; its Slurm job id. */
  async submit(args: readonly string[]): Promise<string> {
    const stdout = await this.run('sbatch', args);
    const slurmJobId = stdout.trim().split(';')[0];
    if (!/^\d+$/.test(slurmJobId)) throw new SlurmCommandError('sbatch', '', `answered "${stdout.trim()}" instead of a job id`);
    return slurmJobId;
  }

  /** The jobs still in the queue (waiting or running), of those asked for by id. */
  queued(slurmJobIds: readonly string[]): Promise<QueuedSlurmJob[]> {
    return this.squeue([`--jobs=${slurmJobIds.join(',')}`]);
  }

  /** Every job the controller still remembers by one of these names, ended ones too. */
  named(names: readonly string[]): Promise<QueuedSlurmJob[]> {
    return this.squeue(['--states=all', `--name=${names.join(',')}`]);
  }

  /** The job as the controller remembers it, or undefined once it has forgotten it (`MinJobAge` after its end). */
  async show(slurmJobId: string): Promise<ShownSlurmJob | undefined> {
    let stdout: string;
    try {
      stdout = await this.run('scontrol', ['--oneliner', 'show', 'job', slurmJobId]);
    } catch (error) {
      if (error instanceof SlurmCommandError && INVALID_JOB_ID.test(error.stderr)) return undefined;
      throw error;
    }
    const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(stdout)?.[1] ?? '';
    return { slurmJobId, state: field('JobState'), reason: field('Reason'), ...parseExitCode(field('ExitCode')) };
  }

  async cancel(slurmJobId: string): Promise<void> {
    await this.run('scancel', [slurmJobId]);
  }

  private async squeue(selection: string[]): Promise<QueuedSlurmJob[]> {
    let stdout: string;
    try {
      stdout = await this.run('squeue', ['--noheader', ...selection, `--format=${['%i', '%j', '%T', '%r', '%P', '%N'].join(FIELD_SEPARATOR)}`]);
    } catch (error) {
      // Asked for one job id only, squeue says so when the controller has forgotten it.
      if (error instanceof SlurmCommandError && INVALID_JOB_ID.test(error.stderr)) return [];
      throw error;
    }
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [slurmJobId, name, state, reason, partition, nodes] = line.trim().split(FIELD_SEPARATOR);
        return { slurmJobId, name, state, reason, partition, nodes: nodes ?? '' };
      });
  }

  private async run(program: string, args: readonly string[]): Promise<string> {
    while (this.running >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await new Promise<string>((resolve, reject) => {
        execFile(program, args, { env: this.options.env, timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error) reject(new SlurmCommandError(program, String(stderr), error.message));
          else resolve(String(stdout));
        });
      });
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
