import 'reflect-metadata';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, NatsContext, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { decodeJwt } from 'jose';
import type { ConnectionOptions } from 'nats';
import type { MsgHdrs } from 'nats';
import { DevTokenVerifier } from '@cairn/auth';
import { waitUntil } from '@cairn/testing';
import {
  runnerRequestPattern,
  type Assignment,
  type ClaimReply,
  type ClaimRequest,
  type FinishedReport,
  type HeartbeatReport,
  type LogReport,
  type OutputReport,
  type ProgressReport,
  type AnnounceReport,
  type ProtocolRefusal,
  type ReportReply,
} from '@cairn/contracts';

interface ReportBodies {
  log: LogReport;
  output: OutputReport;
  progress: ProgressReport;
  heartbeat: HeartbeatReport;
  finished: FinishedReport;
}
type Reported = { [K in keyof ReportBodies]: { kind: K; body: ReportBodies[K] } }[keyof ReportBodies];

interface HeldJob {
  assignment: Assignment;
  holder?: string;
  ended: boolean;
  cancelRequested: boolean;
}

/**
 * The jobs service's side of the runner protocol, as a test plays it: jobs it was told about are handed to
 * the first runner that claims them, every report is recorded in arrival order (a log chunk's seq once), heartbeats answer
 * `cancel` once the test asks for cancellation, and a request without a runner token is refused.
 */
export class FakeJobs {
  readonly claims: ClaimRequest[] = [];
  /** What each runner last announced it maps. */
  readonly announced = new Map<string, string[]>();
  readonly reports: Reported[] = [];
  private readonly jobs = new Map<string, HeldJob>();
  private readonly verifier: DevTokenVerifier;

  constructor(secret: string) {
    this.verifier = new DevTokenVerifier({ secret });
  }

  offer(assignment: Assignment): void {
    this.jobs.set(assignment.jobId, { assignment, ended: false, cancelRequested: false });
  }

  requestCancel(jobId: string): void {
    this.jobs.get(jobId)!.cancelRequested = true;
  }

  /** Ends the job behind the runner's back, as the jobs service does to a job whose heartbeats stopped. */
  endBehindTheRunnersBack(jobId: string): void {
    this.jobs.get(jobId)!.ended = true;
  }

  reportsOf<K extends keyof ReportBodies>(kind: K, jobId: string): ReportBodies[K][] {
    return this.reports.filter((report) => report.kind === kind && report.body.jobId === jobId).map((report) => report.body as ReportBodies[K]);
  }

  finishedOf(jobId: string): FinishedReport | undefined {
    return this.reportsOf('finished', jobId)[0];
  }

  /** The end the runner reported, once it has. */
  async untilFinished(jobId: string, timeoutMs = 30_000): Promise<FinishedReport> {
    await waitUntil(`job ${jobId} finished`, async () => this.finishedOf(jobId) !== undefined, timeoutMs);
    return this.finishedOf(jobId)!;
  }

  /** The job's log as recorded, chunk after chunk. */
  logText(jobId: string): string {
    return this.reportsOf('log', jobId)
      .map((chunk) => chunk.text)
      .join('');
  }

  async authorize(headers: MsgHdrs | undefined): Promise<ProtocolRefusal | string> {
    const bearer = headers?.get('authorization')?.replace(/^Bearer /, '') ?? '';
    try {
      const principal = await this.verifier.verify(bearer);
      if (decodeJwt(bearer).cairn_runner !== true) return { refused: true, status: 403, reason: 'not a runner token' };
      return principal.userId;
    } catch (error) {
      return { refused: true, status: 401, reason: (error as Error).message };
    }
  }

  claim(request: ClaimRequest, runnerId: string): ClaimReply {
    this.claims.push(request);
    const job = this.jobs.get(request.jobId);
    if (!job || job.ended) return { outcome: 'gone', reason: 'no such job to run' };
    if (job.holder && job.holder !== runnerId) return { outcome: 'gone', reason: `held by ${job.holder}` };
    job.holder = runnerId;
    return { outcome: 'claimed', assignment: job.assignment };
  }

  report(reported: Reported, runnerId: string): ReportReply {
    const job = this.jobs.get(reported.body.jobId);
    if (!job || job.holder !== runnerId || job.ended) return { accepted: false, reason: 'not held by this runner, or ended' };
    if (reported.kind === 'log' && this.reportsOf('log', reported.body.jobId).some((chunk) => chunk.seq === reported.body.seq)) {
      return { accepted: false, reason: `chunk ${reported.body.seq} was recorded already` };
    }
    this.reports.push(reported);
    if (reported.kind === 'finished') job.ended = true;
    return { accepted: true, ...(reported.kind === 'heartbeat' && job.cancelRequested ? { cancel: true } : {}) };
  }
}

const FAKE_JOBS = Symbol('FAKE_JOBS');

@Controller()
class FakeJobsController {
  constructor(@Inject(FAKE_JOBS) private readonly jobs: FakeJobs) {}

  @MessagePattern(runnerRequestPattern('claim'))
  async claim(@Payload() body: ClaimRequest, @Ctx() context: NatsContext) {
    const runner = await this.jobs.authorize(context.getHeaders());
    return typeof runner === 'string' ? this.jobs.claim(body, runner) : runner;
  }

  @MessagePattern(runnerRequestPattern('announce'))
  async announce(@Payload() body: AnnounceReport, @Ctx() context: NatsContext) {
    const runner = await this.jobs.authorize(context.getHeaders());
    if (typeof runner !== 'string') return runner;
    this.jobs.announced.set(runner, body.machines);
    return { accepted: true };
  }

  @MessagePattern(runnerRequestPattern('log'))
  log(@Payload() body: LogReport, @Ctx() context: NatsContext) {
    return this.record({ kind: 'log', body }, context);
  }

  @MessagePattern(runnerRequestPattern('output'))
  output(@Payload() body: OutputReport, @Ctx() context: NatsContext) {
    return this.record({ kind: 'output', body }, context);
  }

  @MessagePattern(runnerRequestPattern('progress'))
  progress(@Payload() body: ProgressReport, @Ctx() context: NatsContext) {
    return this.record({ kind: 'progress', body }, context);
  }

  @MessagePattern(runnerRequestPattern('heartbeat'))
  heartbeat(@Payload() body: HeartbeatReport, @Ctx() context: NatsContext) {
    return this.record({ kind: 'heartbeat', body }, context);
  }

  @MessagePattern(runnerRequestPattern('finished'))
  finished(@Payload() body: FinishedReport, @Ctx() context: NatsContext) {
    return this.record({ kind: 'finished', body }, context);
  }

  private async record(reported: Reported, context: NatsContext) {
    const runner = await this.jobs.authorize(context.getHeaders());
    return typeof runner === 'string' ? this.jobs.report(reported, runner) : runner;
  }
}

/** A NestJS NATS microservice with `@MessagePattern` handlers, as the jobs service is. */
export async function startFakeJobsService(nats: ConnectionOptions, secret: string): Promise<{ jobs: FakeJobs; close(): Promise<void> }> {
  const jobs = new FakeJobs(secret);
  @Module({ controllers: [FakeJobsController], providers: [{ provide: FAKE_JOBS, useValue: jobs }] })
  class FakeJobsModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(FakeJobsModule, {
    transport: Transport.NATS,
    options: nats,
    logger: false,
  });
  await app.listen();
  return { jobs, close: () => app.close() };
}
