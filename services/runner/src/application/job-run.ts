import { expandCommand, type Assignment, type FinishedReport } from '@cairn/contracts';
import type { ExecutionBackend, RunningCommand, Workspace } from '../backends/backend';
import { stagedNamesOf } from '../domain/input-names';
import { outcomeOf, systemFailure } from '../domain/outcome';
import type { JobsClient } from './jobs-client';
import { LogShipper, type LogLimits } from './log-shipper';
import { ProgressReporter } from './progress-reporter';
import type { ProjectFiles } from './project-files';
import { untilAnswered } from './retry';

/** How a run ended for the runner: the outcome it reported, or `abandoned` when the jobs service had ended the job. */
export type RunEnding = FinishedReport['outcome'] | 'abandoned';

export interface JobRunContext {
  runnerId: string;
  backend: ExecutionBackend;
  jobs: JobsClient;
  files: ProjectFiles;
  logLimits: LogLimits;
  /** How long the end of a job is retried while the jobs service does not answer. */
  finishPatienceMs: number;
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
  private readonly ids: { jobId: string; runnerId: string };

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
    const heartbeats = this.startHeartbeats();
    let workspace: Workspace | undefined;
    try {
      try {
        workspace = await this.stage();
      } catch (error) {
        return await this.finish(systemFailure(`staging the inputs failed: ${(error as Error).message}`));
      }
      if (this.abandoned) return 'abandoned';
      if (this.cancelRequested || this.runnerStopped) {
        return await this.finish(this.cancelRequested ? { outcome: 'cancelled' } : systemFailure('the runner was stopped before the command started'));
      }
      const argv = expandCommand(assignment.command, {
        inputs: workspace.inputPaths,
        outputDir: workspace.outputDir,
        workDir: workspace.workDir,
        parameters: assignment.parameters,
      });
      context.log(`job ${assignment.jobId}: running ${JSON.stringify(argv)}`);
      const logs = new LogShipper(this.ids, context.jobs, context.logLimits, context.log);
      const progress = new ProgressReporter(this.ids, context.jobs, context.log);
      const command = context.backend.start(workspace, argv, (output) => {
        progress.observe(output);
        return logs.accept(output);
      });
      this.command = command;
      let timedOut = false;
      const limit = setTimeout(() => {
        timedOut = true;
        void command.stop();
      }, assignment.timeLimitSeconds * 1000);
      const end = await command.ended;
      clearTimeout(limit);
      await Promise.all([logs.finish(), progress.finish()]);
      if (this.abandoned) return 'abandoned';
      const outcome = outcomeOf(end, {
        cancelRequested: this.cancelRequested,
        runnerStopped: this.runnerStopped,
        lastLogLines: logs.lastLines.current(),
        ...(timedOut ? { timedOutAfterSeconds: assignment.timeLimitSeconds } : {}),
      });
      if (outcome.outcome === 'succeeded') {
        const uploadFailure = await this.uploadOutputs(workspace);
        if (uploadFailure) return await this.finish(systemFailure(uploadFailure));
      }
      return await this.finish(outcome);
    } finally {
      clearInterval(heartbeats);
      if (workspace) await context.backend.release(workspace).catch((error: Error) => context.log(`job ${assignment.jobId}: scratch folder left behind (${error.message})`));
    }
  }

  private async stage(): Promise<Workspace> {
    const { assignment, context } = this;
    const names = stagedNamesOf(assignment.inputs.map((input) => input.path));
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
    const folder = assignment.outputFolder.endsWith('/') ? assignment.outputFolder : `${assignment.outputFolder}/`;
    for (const output of outputs) {
      try {
        const uploaded = await context.files.upload(assignment.projectId, `${folder}${output.relativePath}`, output.localPath, assignment.position);
        await untilAnswered(() => context.jobs.report('output', { ...this.ids, ...uploaded }), context.finishPatienceMs);
      } catch (error) {
        return `uploading the output ${output.relativePath} failed: ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  private async finish(outcome: Omit<FinishedReport, 'jobId' | 'runnerId'>): Promise<RunEnding> {
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

  private startHeartbeats(): NodeJS.Timeout {
    let inFlight = false;
    return setInterval(() => {
      if (inFlight || this.abandoned) return;
      inFlight = true;
      this.context.jobs
        .report('heartbeat', this.ids)
        .then((reply) => {
          if (reply.cancel) this.requestCancel();
          else if (!reply.accepted) this.abandon(reply.reason);
        })
        .catch((error: Error) => this.context.log(`job ${this.ids.jobId}: heartbeat not answered (${error.message})`))
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
