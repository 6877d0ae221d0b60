import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { batchScriptOf, NOT_STARTED, sbatchArgumentsOf, slurmJobNameOf } from '../domain/batch-script';
import type { CommandEnd } from '../domain/outcome';
import { resourcesFor, slurmMinutesFor, type SlurmSettings } from '../domain/slurm-settings';
import { phaseOf, schedulerEndOf, type SlurmPhase } from '../domain/slurm-states';
import {
  NO_OUTPUT_YET,
  type CommandObserver,
  type CommandSpec,
  type ExecutionBackend,
  type InputSource,
  type OutputFile,
  type Reattachment,
  type RunningCommand,
  type StreamOffsets,
  type Workspace,
} from './backend';
import { OutputFileFollower } from './output-file-follower';
import type { QueuedSlurmJob, SlurmCli } from './slurm-cli';
import { commandEnvironment, filesBelow, makeFolder, PRIVATE, stageWorkspace, writePrivately } from './workspace-folders';

export interface SlurmBackendOptions {
  settings: SlurmSettings;
  cli: SlurmCli;
  /** The jobs' folders are `<CAIRN_SLURM_WORKDIR>/<runnerId>/jobs/<jobId>`: a restarted runner finds its own there. */
  runnerId: string;
  /** Folders put first on the command's PATH on the node; they must be on the shared file system too. */
  binDirs: string[];
  /** Extra environment for every command. */
  env?: Record<string, string>;
  log?(line: string): void;
}

/** The runner's own files in a job's folder, beside what the command sees. */
const RUNNER_FOLDER = 'cairn-runner';
const FILES = { script: 'job.sh', stdout: 'stdout.log', stderr: 'stderr.log', exitStatus: 'exit-status', slurmJobId: 'slurm-job-id' } as const;

const runnerFile = (workspace: Workspace, file: keyof typeof FILES) => join(workspace.runnerDir!, FILES[file]);

/**
 * Jobs as Slurm batch jobs. `stage` lays the job's folder out on the shared work folder, `start`
 * writes its batch script and submits it with `sbatch --parsable`, and one poll for all the jobs it
 * follows reads their states from `squeue` (and from `scontrol show job` once they have left the
 * queue) and the new lines of their stdout and stderr files. `stop` is `scancel`; the job's end is
 * still what Slurm says it was. The jobs live on without the runner: a restarted runner `reattach`es
 * to those its folders name.
 */
export class SlurmBackend implements ExecutionBackend {
  readonly name = 'slurm';
  readonly sandbox = 'scheduler';
  private readonly jobsDir: string;
  private readonly followed = new Set<FollowedSlurmJob>();
  private polling?: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  /** The machine types the site file's `machines` names (every one without it). */
  get mapped(): readonly string[] {
    return this.options.settings.mapped;
  }

  constructor(private readonly options: SlurmBackendOptions) {
    this.jobsDir = join(options.settings.workDir, options.runnerId, 'jobs');
    this.log = options.log ?? (() => undefined);
  }

  /** The job's folder and everything in it are its owner's alone (0700, files 0600), whatever the umask. */
  async stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace> {
    await mkdir(this.jobsDir, { recursive: true, mode: PRIVATE.folder });
    await chmod(this.jobsDir, PRIVATE.folder);
    const workDir = join(this.jobsDir, jobId);
    // Not recursive: a folder left by an earlier claim of the same job is not overwritten.
    await makeFolder(workDir, PRIVATE.folder);
    return stageWorkspace(workDir, jobId, inputs, RUNNER_FOLDER, PRIVATE);
  }

  start(workspace: Workspace, spec: CommandSpec, observer: CommandObserver): RunningCommand {
    const job = this.follow(workspace, observer, NO_OUTPUT_YET);
    job.submission = this.submit(job, spec).catch((error: Error) => job.end({ started: false, reason: error.message }));
    return job.command;
  }

  outputs(workspace: Workspace): Promise<OutputFile[]> {
    return filesBelow(workspace.outputDir);
  }

  async release(workspace: Workspace): Promise<void> {
    await rm(workspace.workDir, { recursive: true, force: true });
  }

  /**
   * Every job folder of this runner is a job it had not finished with: its Slurm job is found by the id
   * the folder keeps, else by the Cairn id in its name (the runner was lost between `sbatch` and
   * keeping the id). A folder whose job never reached Slurm ends as not started.
   */
  async reattach(): Promise<Reattachment[]> {
    const jobIds = await readdir(this.jobsDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const workspaces = jobIds.map((jobId): Workspace => {
      const workDir = join(this.jobsDir, jobId);
      return { jobId, workDir, outputDir: join(workDir, 'out'), inputPaths: [], runnerDir: join(workDir, RUNNER_FOLDER) };
    });
    const kept = new Map<string, string>();
    for (const workspace of workspaces) {
      const slurmJobId = (await readFile(runnerFile(workspace, 'slurmJobId'), 'utf8').catch(() => '')).trim();
      if (slurmJobId !== '') kept.set(workspace.jobId, slurmJobId);
    }
    const unkept = workspaces.filter((workspace) => !kept.has(workspace.jobId));
    const byName = new Map<string, QueuedSlurmJob>();
    if (unkept.length > 0) {
      for (const found of await this.options.cli.named(unkept.map((workspace) => slurmJobNameOf(workspace.jobId)))) byName.set(found.name, found);
    }
    return workspaces.map((workspace) => ({
      workspace,
      follow: (observer, from) => {
        const job = this.follow(workspace, observer, from);
        const slurmJobId = kept.get(workspace.jobId) ?? byName.get(slurmJobNameOf(workspace.jobId))?.slurmJobId;
        if (slurmJobId === undefined) void job.end({ started: false, reason: 'the runner was lost before it submitted the job to Slurm' });
        else job.slurmJobId = slurmJobId;
        this.log(`job ${workspace.jobId}: following Slurm job ${slurmJobId ?? '(none)'} again`);
        return job.command;
      },
    }));
  }

  private follow(workspace: Workspace, observer: CommandObserver, from: StreamOffsets): FollowedSlurmJob {
    const job = new FollowedSlurmJob(workspace, observer, from, this.options.cli, this.log);
    this.followed.add(job);
    void job.command.ended.finally(() => this.followed.delete(job));
    this.schedulePoll();
    return job;
  }

  private async submit(job: FollowedSlurmJob, spec: CommandSpec): Promise<void> {
    const { workspace } = job;
    const resources = resourcesFor(this.options.settings, spec.machine);
    const batchJob = {
      jobId: workspace.jobId,
      runnerId: this.options.runnerId,
      argv: spec.argv,
      ...(spec.prologue && { prologue: spec.prologue }),
      env: commandEnvironment(workspace, this.options.binDirs, this.options.env),
      workDir: workspace.workDir,
      files: { stdout: runnerFile(workspace, 'stdout'), stderr: runnerFile(workspace, 'stderr'), exitStatus: runnerFile(workspace, 'exitStatus') },
      resources,
      minutes: slurmMinutesFor(spec.timeLimitSeconds, resources),
    };
    const script = runnerFile(workspace, 'script');
    await writePrivately(script, batchScriptOf(batchJob));
    // Slurm opens the log files it is given, keeping their mode: made here, they are private from the start.
    for (const log of [batchJob.files.stdout, batchJob.files.stderr]) await writePrivately(log, '');
    if (job.stopRequested) return job.end({ started: false, reason: 'the job was stopped before it was submitted to Slurm' });
    let slurmJobId: string;
    try {
      slurmJobId = await this.options.cli.submit(sbatchArgumentsOf(batchJob, script));
    } catch (error) {
      // sbatch may have been answered too late: the job may be in Slurm all the same.
      const [submitted] = await this.options.cli.named([slurmJobNameOf(workspace.jobId)]).catch(() => []);
      if (!submitted) throw new Error(`sbatch did not take the job: ${(error as Error).message}`);
      slurmJobId = submitted.slurmJobId;
    }
    job.slurmJobId = slurmJobId;
    await writePrivately(runnerFile(workspace, 'slurmJobId'), `${slurmJobId}\n`);
    this.log(`job ${workspace.jobId}: submitted as Slurm job ${slurmJobId} (${resources.partition ?? 'default partition'}${resources.qos ? `, QoS ${resources.qos}` : ''}, ${resources.cpus} CPU, ${resources.memory}${resources.gres ? `, ${resources.gres}` : ''}, ${batchJob.minutes} min)`);
    if (job.stopRequested) await job.cancel();
  }

  private schedulePoll(): void {
    if (this.polling || this.followed.size === 0) return;
    this.polling = setTimeout(() => {
      void this.poll().finally(() => {
        this.polling = undefined;
        this.schedulePoll();
      });
    }, this.options.settings.pollMs);
  }

  /**
   * One `squeue` for every job followed; for each that has left the queue, `scontrol` in the
   * background (the next poll does not wait for those lookups); then everyone's new output.
   */
  private async poll(): Promise<void> {
    const submitted = [...this.followed].filter((job) => job.slurmJobId !== undefined && job.phase !== 'ended');
    if (submitted.length > 0) {
      try {
        const queued = new Map((await this.options.cli.queued(submitted.map((job) => job.slurmJobId!))).map((entry) => [entry.slurmJobId, entry]));
        for (const job of submitted) {
          const entry = queued.get(job.slurmJobId!);
          if (entry) void job.observe(entry);
          else job.lookUpEnd();
        }
      } catch (error) {
        this.log(`squeue failed, the jobs' states are read again in ${this.options.settings.pollMs} ms: ${(error as Error).message}`);
      }
    }
    for (const job of this.followed) if (job.phase !== 'ended') job.readOutput();
  }
}

/** One Slurm job as the backend follows it, from submission to the end Slurm reports. */
class FollowedSlurmJob {
  slurmJobId?: string;
  submission?: Promise<void>;
  phase: SlurmPhase | 'submitting' = 'submitting';
  stopRequested = false;
  private cancelTaken = false;
  readonly command: RunningCommand;
  private settle!: (end: CommandEnd) => void;
  private readonly outputs: OutputFileFollower[];
  private reading?: Promise<void>;
  private lookingUp?: Promise<void>;

  constructor(
    readonly workspace: Workspace,
    private readonly observer: CommandObserver,
    from: StreamOffsets,
    private readonly cli: SlurmCli,
    private readonly log: (line: string) => void,
  ) {
    this.outputs = [
      new OutputFileFollower(runnerFile(workspace, 'stdout'), 'stdout', observer, from.stdout),
      new OutputFileFollower(runnerFile(workspace, 'stderr'), 'stderr', observer, from.stderr),
    ];
    const ended = new Promise<CommandEnd>((resolve) => (this.settle = resolve));
    this.command = {
      ended,
      stop: async () => {
        if (!this.stopRequested) {
          this.stopRequested = true;
          if (this.slurmJobId !== undefined) await this.cancel();
        }
        await ended;
      },
    };
  }

  /** `scancel`, once it has been taken; a failed one is sent again on the next poll. The end stays whatever Slurm then says. */
  async cancel(): Promise<void> {
    if (this.slurmJobId === undefined || this.phase === 'ended' || this.cancelTaken) return;
    try {
      await this.cli.cancel(this.slurmJobId);
      this.cancelTaken = true;
    } catch (error) {
      this.log(`job ${this.workspace.jobId}: scancel ${this.slurmJobId} failed (${(error as Error).message}); sent again on the next poll`);
    }
  }

  /**
   * A look at the job in the queue. Where it is is said when it waits, and when it starts running after
   * it was said to wait (so the wait is not the last word); a job found running at once needs no word.
   */
  async observe(queued: QueuedSlurmJob): Promise<void> {
    const phase = phaseOf(queued.state);
    if (phase !== this.phase && phase !== 'ended') {
      const wasWaiting = this.phase === 'queued';
      this.phase = phase;
      if (phase === 'queued') this.observer.placed?.(`waiting in Slurm's queue: job ${this.slurmJobId} on partition ${queued.partition} (${queued.reason})`);
      else if (wasWaiting) this.observer.placed?.(`running in Slurm: job ${this.slurmJobId} on ${queued.nodes || 'its node'}`);
    }
    if (this.stopRequested) await this.cancel();
  }

  /** Gone from `squeue`: ended. Asks how, unless a lookup is under way. */
  lookUpEnd(): void {
    this.lookingUp ??= this.leftQueue().finally(() => {
      this.lookingUp = undefined;
    });
  }

  /** `scontrol` says how the job ended; once Slurm has forgotten it, the exit status its script left does. */
  private async leftQueue(): Promise<void> {
    let shown;
    try {
      shown = await this.cli.show(this.slurmJobId!);
    } catch (error) {
      this.log(`job ${this.workspace.jobId}: scontrol show job ${this.slurmJobId} failed, asked again on the next poll (${(error as Error).message})`);
      return;
    }
    if (shown && phaseOf(shown.state) !== 'ended') return;
    const notStarted = await this.notStarted();
    if (notStarted) return this.end(notStarted);
    if (shown) {
      return this.end({ started: true, exitCode: shown.exitCode, signal: shown.signal > 0 ? `signal ${shown.signal}` : null, scheduler: schedulerEndOf(shown) });
    }
    return this.end(await this.forgottenEnd());
  }

  /**
   * Reads what the job has added to its output files, unless the last read is still being handed on:
   * stdout's, then stderr's. (Two files keep no order between the streams; this keeps one per read.)
   */
  readOutput(): void {
    if (this.reading) return;
    this.reading = this.eachOutput((output) => output.read())
      .then(
        () => undefined,
        (error: Error) => this.log(`job ${this.workspace.jobId}: its output could not be read (${error.message})`),
      )
      .finally(() => {
        this.reading = undefined;
      });
  }

  /** Ends the command once the rest of its output has reached the observer. */
  async end(end: CommandEnd): Promise<void> {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    await this.eachOutput((output) => output.finish()).catch((error: Error) => this.log(`job ${this.workspace.jobId}: the end of its output could not be read (${error.message})`));
    this.settle(end);
  }

  private async eachOutput(step: (output: OutputFileFollower) => Promise<void>): Promise<void> {
    for (const output of this.outputs) await step(output);
  }

  private async exitStatus(): Promise<string | undefined> {
    return (await readFile(runnerFile(this.workspace, 'exitStatus'), 'utf8').catch(() => undefined))?.trim();
  }

  private async notStarted(): Promise<CommandEnd | undefined> {
    if ((await this.exitStatus()) !== NOT_STARTED) return undefined;
    const said = (await readFile(runnerFile(this.workspace, 'stderr'), 'utf8').catch(() => '')).trim().split('\n').at(-1);
    return { started: false, reason: said?.replace(/^cairn: /, '') || 'the program is not on the node' };
  }

  /** Slurm no longer remembers the job (it ended longer than `MinJobAge` ago, while no runner followed it). */
  private async forgottenEnd(): Promise<CommandEnd> {
    const status = await this.exitStatus();
    const unseen = `Slurm job ${this.slurmJobId} ended while no runner followed it, and Slurm has forgotten it since`;
    if (status === undefined || !/^\d+$/.test(status)) {
      return { started: true, exitCode: null, signal: null, scheduler: { verdict: 'system', reason: `${unseen}; its script left no exit status, so it was stopped before the command ended` } };
    }
    const exitCode = Number(status);
    return {
      started: true,
      exitCode,
      signal: null,
      scheduler: exitCode === 0 ? { verdict: 'succeeded' } : { verdict: 'executor', reason: `the command exited with code ${exitCode} (${unseen})`, exitCode },
    };
  }
}
