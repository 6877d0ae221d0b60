import type { Principal } from '@cairn/auth';
import { subjectOf } from '@cairn/event-store';
import type { NatsConnection } from 'nats';
import { ENDED, type JobStatus } from '../domain/job';
import type { JobReader } from './job-reader';
import { followLog, type JobLogs, type LogChunk } from './job-logs';
import { jobStream } from './streams';

export interface LogListener {
  onChunk(chunk: LogChunk): void;
  onEnd(status: JobStatus): void;
  /** The caller lost `project.read` on the job's project: nothing more is sent. */
  onRevoked(): void;
  onError(error: Error): void;
}

/** "Logs (useful for troubleshooting)": a job's log for whoever may read its project, while it runs and after. */
export class JobLogsService {
  constructor(
    private readonly reader: JobReader,
    private readonly logs: JobLogs,
    private readonly nc: NatsConnection,
  ) {}

  /** `GET /api/jobs/:id/logs?after=<seq>`: ordered chunks; `ended` says whether more can come. */
  async page(principal: Principal, jobId: string, after: number, limit: number, minPosition?: number) {
    const record = await this.reader.readable(principal, jobId, minPosition);
    const items = await this.logs.read(jobId, after, limit);
    return { items, next: items.length > 0 ? items[items.length - 1].seq : after, status: record.state.status, ended: ENDED.has(record.state.status as JobStatus) };
  }

  /**
   * Checks the caller first (an error before the stream starts is a problem answer), then follows once
   * asked to, until the job ends or the caller loses the project: a revocation ends the stream as its
   * event reaches this service's authorization model.
   */
  async follow(principal: Principal, jobId: string, after: number, minPosition?: number): Promise<(listener: LogListener) => () => void> {
    const record = await this.reader.readable(principal, jobId, minPosition);
    const statusNow = async () => (await this.reader.load(jobId))!.state.status as JobStatus;
    return (listener) => {
      const stopLog = followLog(
        { logs: this.logs, nc: this.nc, jobEventsSubject: subjectOf(jobStream(jobId)), hasEnded: async () => ENDED.has(await statusNow()) },
        jobId,
        after,
        { onChunk: listener.onChunk, onEnd: () => statusNow().then(listener.onEnd, listener.onError), onError: listener.onError },
      );
      const stopWatching = this.reader.whenUnreadable(principal, record, () => {
        stopLog();
        listener.onRevoked();
      });
      return () => {
        stopWatching();
        stopLog();
      };
    };
  }
}
