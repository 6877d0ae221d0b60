import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expandCommand, type Assignment, type FinishedReport } from '@cairn/contracts';
import { NO_OUTPUT_YET, type CommandObserver, type ExecutionBackend, type Reattachment, type RunningCommand, type Workspace } from '../backends/backend';
import { stagedPathsOf } from '../domain/input-names';
import { outcomeOf, systemFailure, type Outcome } from '../domain/outcome';
import { CRATE_METADATA_NAME, processRunCrate, type CrateFile } from '../domain/ro-crate';
import { siteCommandOf, unprovidedBy, type Site } from '../domain/site';
import type { JobsClient } from './jobs-client';
import { JobJournal } from './job-journal';
import { JOB_LOG_NAME, JobLogFile } from './job-log-file';
import { LogShipper, type LogJournal, type LogLimits, type LogPosition } from './log-shipper';
import { ProgressReporter } from './progress-reporter';
import type { ProjectFiles } from './project-files';
import { untilAnswered } from './retry';
import { heartbeatsSent } from './runner-metrics';

/** How a run ended for the runner: the outcome it reported, or `abandoned` when the jobs service had ended the job. */
export type RunEnding = FinishedReport['outcome'] | 'abandoned';

export interface JobRunContext {
  runnerId: string;
  backend: ExecutionBackend;
  jobs: JobsClient;
  files: ProjectFiles;
  /** The platform's API as this runner reaches it: the crate names inputs and related jobs by URLs under it. */
  apiUrl: string;
  logLimits: LogLimits;
  /** How long the end of a job is retried while the jobs service does not answer. */
  finishPatienceMs: number;
  /** What the runner's site gives commands, and which modules and images it can provide. */
  site: Site;
  log(line: string): void;
}

/**
 * One claimed job from staging to its end report: inputs downloaded into a scratch folder, the command
 * run with a time limit while its output goes out as log chunks and heartbeats say the runner is alive,
 * outputs uploaded, and the end reported. Cancellation may come from a heartbeat's answer or the cancel
 * subject at any point.
 */
export class JobRun {
  private cancelRequested = false;
  /** The jobs service no longer counts this runner as the job's holder (it ended the job): stop, report nothing. */
  private abandoned = false;
  private runnerStopped = false;
  private command?: RunningCommand;
  private workspace?: Workspace;
  private readonly ids: { jobId: string; runnerId: string };
  /** The outputs reported so far, and the files the runner put beside them: what the crate lists. */
  private readonly outputs: CrateFile[] = [];
  private readonly alongside: CrateFile[] = [];

  constructor(
    readonly assignment: Assignment,
    private readonly context: JobRunContext,
  ) {
    this.ids = { jobId: assignment.jobId, runnerId: context.runnerId };
  }

  requestCancel(): void {
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.context.log(`job ${this.ids.jobId}: cancellation requested`);
    void this.command?.stop();
  }

  /** The runner is going away for good: the command is stopped and the job reported as a `system` failure. */
  stopForShutdown(): void {
    this.runnerStopped = true;
    void this.command?.stop();
  }

  async run(): Promise<RunEnding> {
    const { assignment, context } = this;
    return this.holding(async () => {
      // Before a byte is staged: a job this site cannot run is the platform's to place elsewhere, not the job's fault.
      const unprovided = unprovidedBy(context.site, assignment.environment);
      if (unprovided) return this.finish(systemFailure(unprovided));
      let workspace: Workspace;
      try {
        workspace = this.workspace = await this.stage();
      } catch (error) {
        return this.finish(systemFailure(`staging the inputs failed: ${(error as Error).message}`));
      }
      if (this.abandoned) return 'abandoned';
      if (this.cancelRequested || this.runnerStopped) {
        return this.finish(this.cancelRequested ? { outcome: 'cancelled' } : systemFailure('the runner was stopped before the command started'));
      }
      const journal = workspace.runnerDir === undefined ? undefined : new JobJournal(workspace.runnerDir);
      try {
        await journal?.keepAssignment(assignment);
      } catch (error) {
        return this.finish(systemFailure(`the job could not be kept beside its folder, so a restarted runner could not take it up: ${(error as Error).message}`));
      }
      const argv = expandCommand(assignment.command, {
        inputs: workspace.inputPaths,
        outputDir: workspace.outputDir,
        workDir: workspace.workDir,
        parameters: assignment.parameters,
      });
      const onSite = siteCommandOf(context.site, assignment.environment, argv);
      context.log(`job ${assignment.jobId}: running ${JSON.stringify(onSite.argv)}${onSite.prologue.length > 0 ? ` after ${JSON.stringify(onSite.prologue)}` : ''}`);
      const spec = {
        argv: onSite.argv,
        prologue: onSite.prologue,
        machine: assignment.machine,
        timeLimitSeconds: assignment.timeLimitSeconds,
        ...(assignment.sandbox && { sandbox: assignment.sandbox }),
      };
      return this.follow(workspace, (observer) => context.backend.start(workspace, spec, observer), journal && { journal });
    });
  }

  /**
   * Takes up a job an earlier process of this runner started, whose command the backend found again:
   * heartbeats resume at once, the log goes on from the journal's last chunk, and the job ends as if
   * the runner had never been gone.
   */
  async resume(reattachment: Reattachment, journal: JobJournal): Promise<RunEnding> {
    this.context.log(`job ${this.ids.jobId}: taken up again after a restart`);
    return this.holding(async () => {
      const workspace = (this.workspace = reattachment.workspace);
      const from = await journal.logPosition().catch((error: Error) => {
        this.context.log(`job ${this.ids.jobId}: its log position is unreadable, the log goes on from its start (${error.message})`);
        return undefined;
      });
      return this.follow(workspace, (observer) => reattachment.follow(observer, from?.covered ?? NO_OUTPUT_YET), { journal, ...(from ? { from } : {}) });
    });
  }

  /** Heartbeats while `body` runs; the workspace it took is released after it, whatever happened. */
  private async holding(body: () => Promise<RunEnding>): Promise<RunEnding> {
    const heartbeats = this.startHeartbeats();
    try {
      return await body();
    } finally {
      clearInterval(heartbeats);
      const { workspace } = this;
      if (workspace) await this.context.backend.release(workspace).catch((error: Error) => this.context.log(`job ${this.ids.jobId}: scratch folder left behind (${error.message})`));
    }
  }

  /** From the command's start (or its being found again) to the job's end report. */
  private async follow(workspace: Workspace, start: (observer: CommandObserver) => RunningCommand, durable?: { journal: LogJournal; from?: LogPosition }): Promise<RunEnding> {
    const { context } = this;
    const logs = new LogShipper(this.ids, context.jobs, context.logLimits, context.log, durable);
    const progress = new ProgressReporter(this.ids, context.jobs, context.log);
    const logFile = await JobLogFile.open(workspace.runnerDir);
    const command = start({
      output: (output) => {
        progress.observe(output);
        logFile.append(output);
        return logs.accept(output);
      },
      placed: (placement) => progress.place(placement),
    });
    this.command = command;
    // Asked for while the command was being started or found again.
    if (this.cancelRequested || this.runnerStopped || this.abandoned) void command.stop();
    const end = await command.ended;
    await Promise.all([logs.finish(), progress.finish()]);
    if (this.abandoned) {
      await logFile.remove().catch(() => undefined);
      return 'abandoned';
    }
    const outcome = outcomeOf(end, {
      cancelRequested: this.cancelRequested,
      runnerStopped: this.runnerStopped,
      lastLogLines: logs.lastLines.current(),
    });
    const uploadFailure = outcome.outcome === 'succeeded' ? await this.uploadOutputs(workspace) : undefined;
    await this.uploadLog(logFile);
    return this.finish(uploadFailure ? systemFailure(uploadFailure) : outcome);
  }

  /**
   * The job's whole log into its output folder, whatever the outcome (a failed job's log is what explains
   * it), and reported as one of its outputs, so the job lists it with the rest; the same on every backend.
   * Without it the job still ends as it did: the jobs service keeps the log as well.
   */
  private async uploadLog(logFile: JobLogFile): Promise<void> {
    const { assignment, context } = this;
    const path = `${this.outputFolder()}${JOB_LOG_NAME}`;
    try {
      const failure = await logFile.flushed();
      if (failure) throw failure;
      const uploaded = await context.files.upload(assignment.projectId, path, logFile.path, assignment.position);
      await untilAnswered(() => context.jobs.report('output', { ...this.ids, ...uploaded }), context.finishPatienceMs);
      // The crate lists it beside the results: the command did not write it.
      this.alongside.push(uploaded);
    } catch (error) {
      context.log(`job ${this.ids.jobId}: its log was not written to ${path} (${(error as Error).message})`);
    } finally {
      await logFile.remove().catch(() => undefined);
    }
  }

  private outputFolder(): string {
    const folder = this.assignment.outputFolder;
    return folder.endsWith('/') ? folder : `${folder}/`;
  }

  private async stage(): Promise<Workspace> {
    const { assignment, context } = this;
    const names = stagedPathsOf(assignment.inputs.map((input) => input.path));
    return context.backend.stage(
      assignment.jobId,
      assignment.inputs.map((input, index) => ({
        name: names[index],
        open: () => context.files.download(assignment.projectId, input.fileId, assignment.position),
      })),
    );
  }

  /** Every output file uploaded into the job's folder and reported; the reason of the first failure, if any. */
  private async uploadOutputs(workspace: Workspace): Promise<string | undefined> {
    const { assignment, context } = this;
    let outputs;
    try {
      outputs = await context.backend.outputs(workspace);
    } catch (error) {
      return `the outputs could not be listed: ${(error as Error).message}`;
    }
    const folder = this.outputFolder();
    for (const output of outputs) {
      try {
        const uploaded = await context.files.upload(assignment.projectId, `${folder}${output.relativePath}`, output.localPath, assignment.position);
        await untilAnswered(() => context.jobs.report('output', { ...this.ids, ...uploaded }), context.finishPatienceMs);
        this.outputs.push(uploaded);
      } catch (error) {
        return `uploading the output ${output.relativePath} failed: ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  private async finish(outcome: Outcome): Promise<RunEnding> {
    await this.writeCrate(outcome);
    const report = { ...this.ids, ...outcome } as FinishedReport;
    const summary = report.outcome === 'failed' ? `failed (${report.failure.kind}: ${report.failure.reason})` : report.outcome;
    try {
      const reply = await untilAnswered(() => this.context.jobs.report('finished', report), this.context.finishPatienceMs);
      this.context.log(`job ${this.ids.jobId}: ${summary}${reply.accepted ? '' : ` — not recorded: ${reply.reason ?? 'refused'}`}`);
    } catch (error) {
      this.context.log(`job ${this.ids.jobId}: ${summary}, but the end could not be reported (${(error as Error).message})`);
    }
    return report.outcome;
  }

  /**
   * The job's Process Run Crate into its folder, whatever the outcome, while the runner still holds the
   * job (after the end report the folder is closed to it). Without it the job still ends as it did.
   */
  private async writeCrate(ending: Outcome): Promise<void> {
    const { assignment, context } = this;
    const path = `${this.outputFolder()}${CRATE_METADATA_NAME}`;
    const started = performance.now();
    const crate = processRunCrate({
      assignment,
      ending,
      endedAt: new Date().toISOString(),
      outputs: this.outputs,
      alongside: this.alongside,
      apiUrl: context.apiUrl,
      runnerId: context.runnerId,
    });
    const scratch = await mkdtemp(join(tmpdir(), 'cairn-crate-'));
    try {
      const local = join(scratch, CRATE_METADATA_NAME);
      const json = `${JSON.stringify(crate, null, 2)}\n`;
      await writeFile(local, json);
      await context.files.upload(assignment.projectId, path, local, assignment.position);
      // Operators (and the crate benchmark) read what a crate costs the job.
      context.log(`job ${this.ids.jobId}: crate written to ${path} in ${(performance.now() - started).toFixed(1)} ms (${crate['@graph'].length} entities, ${json.length} bytes)`);
    } catch (error) {
      context.log(`job ${this.ids.jobId}: its crate was not written to ${path} (${(error as Error).message})`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private startHeartbeats(): NodeJS.Timeout {
    let inFlight = false;
    return setInterval(() => {
      if (inFlight || this.abandoned) return;
      inFlight = true;
      this.context.jobs
        .report('heartbeat', this.ids)
        .then((reply) => {
          heartbeatsSent.inc({ runner: this.ids.runnerId, answer: reply.cancel ? 'cancel' : reply.accepted ? 'accepted' : 'refused' });
          if (reply.cancel) this.requestCancel();
          else if (!reply.accepted) this.abandon(reply.reason);
        })
        .catch((error: Error) => {
          heartbeatsSent.inc({ runner: this.ids.runnerId, answer: 'unanswered' });
          this.context.log(`job ${this.ids.jobId}: heartbeat not answered (${error.message})`);
        })
        .finally(() => {
          inFlight = false;
        });
    }, this.assignment.heartbeatIntervalMs);
  }

  private abandon(reason: string | undefined): void {
    this.abandoned = true;
    this.context.log(`job ${this.ids.jobId}: the jobs service no longer counts this runner as its holder (${reason ?? 'no reason given'}); stopping it`);
    void this.command?.stop();
  }
}
