import { connect, type ConnectionOptions, type JsMsg, type NatsConnection, type Subscription } from 'nats';
import { cancelSubjectOf, machineKeyOf, RUNNER_ANNOUNCE_INTERVAL_MS, WORK_STREAM, workConsumerOf, type Assignment, type CancelNotice, type Machine, type WorkItem } from '@cairn/contracts';
import type { ReadinessProbe } from '@cairn/http';
import { connectThroughReloads, ConsumerGoneError, ensureWorkQueues, natsReadiness, pullBatch } from '@cairn/messaging';
import { NO_OUTPUT_YET, type ExecutionBackend } from '../backends/backend';
import { BARE_SITE, type Site } from '../domain/site';
import type { RunnerCredentials } from './credentials';
import { JobJournal } from './job-journal';
import { JobRun, type RunEnding } from './job-run';
import { JobsClient } from './jobs-client';
import { DEFAULT_LOG_LIMITS, type LogLimits } from './log-shipper';
import { ProjectFiles } from './project-files';
import { untilAnswered } from './retry';

export interface RunnerOptions {
  /** NATS as this runner: its credentials and inbox prefix (`natsConnectionOptions`). */
  nats: ConnectionOptions;
  /** Base URL of the platform's HTTP API (the edge): where the projects service's file API is. */
  apiUrl: string;
  credentials: RunnerCredentials;
  backend: ExecutionBackend;
  /** The machine queues this runner serves. */
  queues: readonly Machine[];
  /** Jobs run at the same time. */
  slots?: number;
  /** The site file's description of this runner's site (`CAIRN_RUNNER_SITE`); none: the machine as it is. */
  site?: Site;
  /** How long one pull waits for work before asking again. */
  pollMs?: number;
  /** The jobs service's answer to one request. */
  requestTimeoutMs?: number;
  logLimits?: Partial<LogLimits>;
  log?(line: string): void;
}

/** A work item that came while every slot was busy goes back at once, for another runner (or this one, later). */
const BACK_AT_ONCE_MS = 0;
/** The jobs service did not answer a claim, or refused this runner's token: the item is offered again after this pause. */
const CLAIM_RETRY_DELAY_MS = 2_000;
/** A claim is retried for at most this long: well inside the work queue's ack wait, so the item stays ours. */
const CLAIM_PATIENCE_MS = 10_000;
/** Work items pulled, and claimed, at once when that many slots are free. */
const MAX_CLAIMS_AT_ONCE = 16;

/**
 * The runner process' work: pulls from the shared consumer of every queue it serves, claims each item with
 * the jobs service, acknowledges it, and runs the job (`JobRun`), at most `slots` at a time.
 * `stop` takes no more work and waits for the running jobs to end (their time limits bound the wait);
 * `abort` stops them too, reporting each as a `system` failure.
 */
export class Runner {
  private readonly runs = new Map<string, JobRun>();
  /** Slots taken: jobs running plus items being claimed. */
  private busy = 0;
  private readonly loops: Promise<void>[] = [];
  private readonly pulls = new AbortController();
  private stopping = false;
  private readonly ended: Record<RunEnding, number> = { succeeded: 0, failed: 0, cancelled: 0, abandoned: 0 };
  private stopped?: Promise<void>;
  private roomWaiters: (() => void)[] = [];
  private readonly slots: number;
  private readonly log: (line: string) => void;
  private readonly natsReadiness: ReadinessProbe;
  private announcing?: NodeJS.Timeout;

  private constructor(
    private readonly options: RunnerOptions,
    private readonly nc: NatsConnection,
    private readonly jobs: JobsClient,
    private readonly cancels: Subscription,
  ) {
    this.slots = options.slots ?? 1;
    this.log = options.log ?? (() => undefined);
    this.natsReadiness = natsReadiness(nc);
  }

  get runnerId(): string {
    return this.options.credentials.runnerId;
  }

  /** The jobs running now, by id. */
  get runningJobIds(): string[] {
    return [...this.runs.keys()];
  }

  static async start(options: RunnerOptions): Promise<Runner> {
    const { runnerId } = options.credentials;
    // A runner starts right after its registration, which reloads nats-server's authorization.
    const onRefused = (error: Error, attempt: number) => options.log?.(`NATS refused the connection (${error.message}, try ${attempt}); trying again: its authorization may be reloading`);
    const nc = await connectThroughReloads(() => connect({ ...options.nats, maxReconnectAttempts: -1 }), { onRefused });
    try {
      await ensureWorkQueues(await nc.jetstreamManager(), options.queues);
      const jobs = await connectThroughReloads(() => JobsClient.connect(options.nats, options.credentials, options.requestTimeoutMs), { onRefused });
      const runner = new Runner(options, nc, jobs, nc.subscribe(cancelSubjectOf(runnerId)));
      runner.followCancellations();
      await runner.announce();
      runner.announcing = setInterval(() => void runner.announce(), RUNNER_ANNOUNCE_INTERVAL_MS);
      await runner.takeUpReattached();
      for (const machine of options.queues) runner.loops.push(runner.serve(machine));
      runner.log(
        `runner ${runnerId} serving ${options.queues.map(machineKeyOf).join(', ')} on ${[options.nats.servers].flat().join(',')} (backend ${options.backend.name}, sandbox ${options.backend.sandbox}, ${runner.slots} slot${runner.slots === 1 ? '' : 's'}, files via ${options.apiUrl})`,
      );
      return runner;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** The machine types it serves and its backend maps. */
  get mappedMachines(): string[] {
    const { mapped } = this.options.backend;
    return this.options.queues.map(machineKeyOf).filter((key) => !mapped || mapped.includes(key));
  }

  /**
   * Tells the platform which machine types it maps (runner protocol, 3a), at its start and then again
   * before the last announcement expires. Unanswered, it is said again at the next interval.
   */
  private async announce(): Promise<void> {
    try {
      await this.jobs.report('announce', { runnerId: this.runnerId, machines: this.mappedMachines });
    } catch (error) {
      this.log(`the announcement of the machine types it maps was not answered (${(error as Error).message}); it is sent again in ${RUNNER_ANNOUNCE_INTERVAL_MS / 1000} s`);
    }
  }

  /** What keeps its commands from it (the health answers say). */
  get sandbox(): ExecutionBackend['sandbox'] {
    return this.options.backend.sandbox;
  }

  /** What `/health/ready` asks: still claiming work, and NATS answering. */
  readinessProbes(): ReadinessProbe[] {
    return [
      {
        name: 'claiming work',
        check: async () => {
          if (this.stopping) throw new Error('stopping: it takes no more work');
          return true;
        },
      },
      this.natsReadiness,
    ];
  }

  /** Jobs ended since the runner started, by how they ended. */
  get endedJobs(): Readonly<Record<RunEnding, number>> {
    return this.ended;
  }

  /**
   * Takes no more work; resolves once the running jobs have ended and the connections are closed. With
   * `handBackAfterMs`, jobs still running then are stopped and reported as `system` failures (what the
   * platform sees of a lost runner, at once instead of after the heartbeat timeout), so that the stop
   * ends within an orchestrator's grace period.
   */
  stop(options: { handBackAfterMs?: number } = {}): Promise<void> {
    this.stopped ??= this.shutDown();
    const { handBackAfterMs } = options;
    if (handBackAfterMs !== undefined) {
      const deadline = setTimeout(() => {
        if (this.runs.size === 0) return;
        this.log(`drain timeout (${handBackAfterMs} ms): handing back ${this.runningJobIds.join(', ')}`);
        this.abort();
      }, handBackAfterMs);
      void this.stopped.finally(() => clearTimeout(deadline));
    }
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.announcing);
    this.pulls.abort();
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    await Promise.allSettled(this.loops);
    while (this.runs.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    this.cancels.unsubscribe();
    await this.jobs.close();
    await this.nc.drain();
  }

  /** Stops the running commands now; each job ends as a `system` failure. `stop` still closes the rest. */
  abort(): void {
    for (const run of this.runs.values()) run.stopForShutdown();
  }

  private async serve(machine: Machine): Promise<void> {
    const consumer = workConsumerOf(machine);
    while (!this.stopping) {
      if (this.busy >= this.slots) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
        continue;
      }
      let messages: JsMsg[];
      try {
        const room = Math.min(this.slots - this.busy, MAX_CLAIMS_AT_ONCE);
        ({ messages } = await pullBatch(this.nc, { stream: WORK_STREAM, consumer, batch: room, waitMs: this.options.pollMs ?? 5_000 }, this.pulls.signal));
      } catch (error) {
        if (this.stopping) break;
        this.log(`queue ${machineKeyOf(machine)}: ${(error as Error).message}`);
        if (error instanceof ConsumerGoneError) await ensureWorkQueues(await this.nc.jetstreamManager(), [machine]).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      // Claimed side by side: a runner with many slots (a scheduler's) fills them at the jobs service's pace, not one round trip at a time.
      await Promise.all(
        messages.map(async (message) => {
          if (this.stopping || this.busy >= this.slots) {
            message.nak(BACK_AT_ONCE_MS);
            return;
          }
          this.busy += 1;
          const running = await this.take(message, machine);
          if (running) void running.ended.finally(() => this.freeSlot());
          else this.freeSlot();
        }),
      );
    }
  }

  private freeSlot(): void {
    this.busy -= 1;
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  /**
   * Claims the item; once the jobs service has answered, the item is acknowledged whatever it said.
   * The job's run when the claim gave this runner a job, else undefined.
   */
  private async take(message: JsMsg, machine: Machine): Promise<{ ended: Promise<void> } | undefined> {
    let item: WorkItem;
    try {
      item = message.json<WorkItem>();
      if (typeof item.jobId !== 'string' || item.jobId === '') throw new Error('no jobId');
    } catch (error) {
      this.log(`queue ${machineKeyOf(machine)}: a work item that is no job was dropped (${(error as Error).message})`);
      message.term('not a work item');
      return undefined;
    }
    let reply;
    try {
      reply = await untilAnswered(() => this.jobs.claim(item.jobId), CLAIM_PATIENCE_MS);
    } catch (error) {
      this.log(`job ${item.jobId}: claim not answered, offered again later (${(error as Error).message})`);
      message.nak(CLAIM_RETRY_DELAY_MS);
      return undefined;
    }
    message.ack();
    if (reply.outcome === 'gone') {
      this.log(`job ${item.jobId}: not ours to run (${reply.reason})`);
      return undefined;
    }
    const { assignment } = reply;
    this.log(`job ${assignment.jobId}: claimed (${assignment.template.name}@${assignment.template.version} on ${machineKeyOf(assignment.machine)})`);
    return this.track(assignment, (run) => run.run());
  }

  /**
   * The jobs an earlier process of this runner left with the backend (Slurm jobs still running, or ended
   * unseen): each is followed again from its journal and holds a slot like any other. One whose journal
   * is unreadable cannot be reported on (the jobs service fails it once its heartbeats are missed): its
   * command is stopped and its folder removed.
   */
  private async takeUpReattached(): Promise<void> {
    for (const reattachment of (await this.options.backend.reattach?.()) ?? []) {
      const { workspace } = reattachment;
      const journal = new JobJournal(workspace.runnerDir ?? workspace.workDir);
      let assignment: Assignment;
      try {
        assignment = await journal.assignment();
      } catch (error) {
        this.log(`job ${workspace.jobId}: found again without its assignment (${(error as Error).message}); its command is stopped`);
        await reattachment.follow({ output: () => undefined }, NO_OUTPUT_YET).stop();
        await this.options.backend.release(workspace).catch(() => undefined);
        continue;
      }
      this.busy += 1;
      void this.track(assignment, (run) => run.resume(reattachment, journal)).ended.finally(() => this.freeSlot());
    }
  }

  /** Runs the job, counted among the running ones until it ends. */
  private track(assignment: Assignment, body: (run: JobRun) => Promise<RunEnding>): { ended: Promise<void> } {
    const run = new JobRun(assignment, {
      runnerId: this.runnerId,
      backend: this.options.backend,
      jobs: this.jobs,
      files: new ProjectFiles(this.options.apiUrl, this.options.credentials),
      apiUrl: this.options.apiUrl,
      logLimits: { ...DEFAULT_LOG_LIMITS, ...this.options.logLimits },
      finishPatienceMs: 60_000,
      site: this.options.site ?? BARE_SITE,
      log: this.log,
    });
    this.runs.set(assignment.jobId, run);
    const ended = body(run)
      .then(
        (ending) => {
          this.ended[ending] += 1;
        },
        (error: Error) => this.log(`job ${assignment.jobId}: ${error.message}`),
      )
      .finally(() => this.runs.delete(assignment.jobId));
    return { ended };
  }

  private followCancellations(): void {
    void (async () => {
      for await (const message of this.cancels) {
        const jobId = jobIdOf(message.data);
        if (jobId) this.runs.get(jobId)?.requestCancel();
      }
    })();
  }
}

/** The job of a cancel notice, sent as plain JSON or as a Nest `emit` packet (`{pattern, data}`). */
function jobIdOf(data: Uint8Array): string | undefined {
  try {
    const body = JSON.parse(new TextDecoder().decode(data)) as Partial<CancelNotice> & { data?: Partial<CancelNotice> };
    const notice = typeof body.data === 'object' && body.data !== null ? body.data : body;
    return typeof notice.jobId === 'string' ? notice.jobId : undefined;
  } catch {
    return undefined;
  }
}
