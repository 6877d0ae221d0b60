import {
  DomainError,
  type Assignment,
  type ClaimReply,
  type FinishedReport,
  type HeartbeatReport,
  type LogReport,
  type OutputReport,
  type ProgressReport,
  type ReportReply,
} from '@cairn/contracts';
import { commandHandler, loadAggregate, type CommandOutcome, type EventStore } from '@cairn/event-store';
import { jobDecider, requireHolder, type JobCommand, type JobState } from '../domain/job';
import type { JobsConfig } from '../config';
import type { Heartbeats, LastHeartbeat } from './heartbeats';
import type { ClaimDetails } from './claim-details';
import type { JobLogs } from './job-logs';
import { jobRecordOf, type JobRecord } from './job-record';
import { jobStream, STREAM_ID } from './streams';
import { counter } from '@cairn/telemetry';

const heartbeatsTaken = counter({ name: 'cairn_job_heartbeats_total', help: 'Heartbeats the jobs service took from runners for the jobs they hold.' });
const jobsOfLostRunners = counter({
  name: 'cairn_jobs_lost_runner_total',
  help: 'Jobs failed as system failures because their runner stopped heartbeating.',
});

const GONE = 'there is no such job';

/**
 * The jobs service's side of the runner protocol (`libs/contracts/src/runner-protocol.ts`): every report
 * of an authenticated runner becomes a command on the job's stream, or, for log chunks and heartbeats,
 * a write to their own stores once the runner is known to hold the job. A duplicate or late report
 * changes nothing and says so (`accepted: false`).
 */
export class RunnerReports {
  private readonly handle;

  constructor(
    private readonly store: EventStore,
    private readonly heartbeats: Heartbeats,
    private readonly logs: JobLogs,
    private readonly config: Pick<JobsConfig, 'heartbeatIntervalMs'>,
    /** A store position as the bus names it: what the runner sends the projects service as `Cairn-Min-Position`. */
    private readonly busPositionOf: (storePosition: number) => Promise<number>,
    /** The claimed job's sandbox and provenance (`claimDetailsFrom`). */
    private readonly detailsOf: (record: JobRecord) => Promise<ClaimDetails>,
  ) {
    this.handle = commandHandler(store, jobDecider, jobStream);
  }

  /** The claim: the job's start, held by this runner, and everything it needs to run it. */
  async claim(runnerId: string, { jobId }: { jobId: string }): Promise<ClaimReply> {
    if (!STREAM_ID.test(jobId)) return { outcome: 'gone', reason: GONE };
    // Before the start is recorded: a runner lost right after its claim is found like any other.
    await this.heartbeats.beat(jobId, runnerId);
    let outcome: CommandOutcome<JobState, unknown>;
    try {
      outcome = await this.handle(jobId, { type: 'StartJob', runnerId }, { actor: runnerId });
    } catch (error) {
      if (error instanceof DomainError) return { outcome: 'gone', reason: error.message };
      throw error;
    }
    const record = jobRecordOf(await this.store.readStream(jobStream(jobId)))!;
    const job = record.request;
    const { sandbox, environment, provenance } = await this.detailsOf(record);
    const assignment: Assignment = {
      jobId,
      projectId: job.projectId,
      template: job.template,
      command: job.command,
      parameters: job.parameters,
      inputs: job.inputs,
      machine: job.machine,
      outputFolder: job.outputFolder,
      timeLimitSeconds: job.timeLimitSeconds,
      ...(sandbox && { sandbox }),
      ...(environment && { environment }),
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      position: await this.busPositionOf(outcome.position),
      provenance,
    };
    return { outcome: 'claimed', assignment };
  }

  async log(runnerId: string, report: LogReport): Promise<ReportReply> {
    return this.settled(async () => {
      await this.holding(runnerId, report.jobId);
      const recorded = await this.logs.append(report.jobId, { seq: report.seq, stream: report.stream, text: report.text, at: new Date().toISOString() });
      return recorded ? { accepted: true } : { accepted: false, reason: `chunk ${report.seq} was recorded already` };
    });
  }

  output(runnerId: string, report: OutputReport): Promise<ReportReply> {
    const { fileId, path, size, sha256 } = report;
    return this.decide(report.jobId, { type: 'RecordOutput', runnerId, fileId, path, size, sha256 });
  }

  progress(runnerId: string, report: ProgressReport): Promise<ReportReply> {
    return this.decide(report.jobId, { type: 'ReportProgress', runnerId, fraction: report.fraction, ...(report.message !== undefined && { message: report.message }) });
  }

  /** Keeps the job's last heartbeat; its answer says whether cancellation was asked for. */
  async heartbeat(runnerId: string, report: HeartbeatReport): Promise<ReportReply> {
    return this.settled(async () => {
      const state = await this.holding(runnerId, report.jobId);
      await this.heartbeats.beat(report.jobId, runnerId);
      heartbeatsTaken.inc();
      return { accepted: true, cancel: state.status === 'cancelling' };
    });
  }

  async finished(runnerId: string, report: FinishedReport): Promise<ReportReply> {
    const command: JobCommand =
      report.outcome === 'succeeded'
        ? { type: 'FinishJob', runnerId, outcome: 'succeeded', exitCode: report.exitCode }
        : report.outcome === 'failed'
          ? { type: 'FinishJob', runnerId, outcome: 'failed', failure: report.failure }
          : { type: 'FinishJob', runnerId, outcome: 'cancelled' };
    const reply = await this.decide(report.jobId, command);
    if (reply.accepted) await this.heartbeats.end(report.jobId);
    return reply;
  }

  /** The watchdog's verdict on a silent runner; the heartbeat record goes whatever the job's state was. */
  async failLost(lost: LastHeartbeat, timeoutMs: number): Promise<void> {
    const reason = `runner ${lost.runnerId} stopped heartbeating: nothing since ${lost.at.toISOString()} (timeout ${timeoutMs} ms)`;
    const outcome = await this.handle(lost.jobId, { type: 'FailLostRunner', runnerId: lost.runnerId, reason }, {});
    if (outcome.events.length > 0) jobsOfLostRunners.inc();
    await this.heartbeats.end(lost.jobId);
  }

  /** The job's state, once `runnerId` is known to hold it. */
  private async holding(runnerId: string, jobId: string): Promise<JobState> {
    const { state } = STREAM_ID.test(jobId) ? await loadAggregate(this.store, jobStream(jobId), jobDecider) : { state: jobDecider.initialState() };
    requireHolder(state, runnerId);
    return state;
  }

  private decide(jobId: string, command: JobCommand): Promise<ReportReply> {
    return this.settled(async () => {
      if (!STREAM_ID.test(jobId)) return { accepted: false, reason: GONE };
      const outcome = await this.handle(jobId, command, { actor: 'runnerId' in command ? command.runnerId : undefined });
      return outcome.events.length > 0 ? { accepted: true } : { accepted: false, reason: 'recorded already' };
    });
  }

  /** A refusal by the rules is an answer (`accepted: false` with the rule); anything else fails the request, and the runner retries. */
  private async settled(report: () => Promise<ReportReply>): Promise<ReportReply> {
    try {
      return await report();
    } catch (error) {
      if (error instanceof DomainError) return { accepted: false, reason: `${error.rule}: ${error.message}` };
      throw error;
    }
  }
}
