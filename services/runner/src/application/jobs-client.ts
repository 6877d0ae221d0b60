import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders, type ConnectionOptions } from 'nats';
import { firstValueFrom, timeout } from 'rxjs';
import {
  runnerSubjectOf,
  type ClaimReply,
  type FinishedReport,
  type AnnounceReport,
  type HeartbeatReport,
  type LogReport,
  type OutputReport,
  type ProgressReport,
  type ProtocolRefusal,
  type ReportReply,
} from '@cairn/contracts';
import type { RunnerCredentials } from './credentials';

/** The jobs service did not answer (not running, too slow, connection lost): the same request may be tried again. */
export class JobsUnreachableError extends Error {
  constructor(subject: string, cause: unknown) {
    super(`${subject}: the jobs service did not answer (${describe(cause)})`);
    this.name = 'JobsUnreachableError';
  }
}

/** The jobs service refused the request before looking at it (token, body): trying again changes nothing. */
export class ProtocolRefusedError extends Error {
  constructor(
    subject: string,
    readonly refusal: ProtocolRefusal,
  ) {
    super(`${subject}: refused with ${refusal.status}: ${refusal.reason}`);
    this.name = 'ProtocolRefusedError';
  }
}

interface Reports {
  log: LogReport;
  output: OutputReport;
  progress: ProgressReport;
  heartbeat: HeartbeatReport;
  finished: FinishedReport;
  announce: AnnounceReport;
}
export type ReportKind = keyof Reports;

/**
 * The runner's side of the protocol's requests, through `@nestjs/microservices`' NATS client: the packets
 * the jobs service's `@MessagePattern` handlers read, with the runner token in the `authorization` header.
 */
export class JobsClient {
  private constructor(
    private readonly client: ClientNats,
    private readonly credentials: RunnerCredentials,
    private readonly timeoutMs: number,
  ) {}

  static async connect(nats: ConnectionOptions, credentials: RunnerCredentials, timeoutMs = 5_000): Promise<JobsClient> {
    const client = new ClientNats({ ...nats, name: `cairn-${credentials.runnerId}-reports`, maxReconnectAttempts: -1 });
    await client.connect();
    return new JobsClient(client, credentials, timeoutMs);
  }

  claim(jobId: string): Promise<ClaimReply> {
    return this.request<ClaimReply>(runnerSubjectOf(this.credentials.runnerId, 'claim'), { jobId, runnerId: this.credentials.runnerId });
  }

  report<K extends ReportKind>(kind: K, report: Reports[K]): Promise<ReportReply> {
    return this.request<ReportReply>(runnerSubjectOf(this.credentials.runnerId, kind), report);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async request<T>(subject: string, body: object): Promise<T> {
    const headers = natsHeaders();
    headers.set('authorization', `Bearer ${await this.credentials.bearer()}`);
    let answer: T | ProtocolRefusal;
    try {
      answer = await firstValueFrom(this.client.send<T | ProtocolRefusal>(subject, new NatsRecordBuilder(body).setHeaders(headers).build()).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      throw new JobsUnreachableError(subject, error);
    }
    if (isRefusal(answer)) throw new ProtocolRefusedError(subject, answer);
    return answer;
  }
}

function isRefusal(answer: unknown): answer is ProtocolRefusal {
  return typeof answer === 'object' && answer !== null && (answer as ProtocolRefusal).refused === true;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  if (typeof cause === 'object' && cause !== null && 'message' in cause) return String((cause as { message: unknown }).message);
  return String(cause);
}
