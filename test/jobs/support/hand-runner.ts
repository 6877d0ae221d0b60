import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import request from 'supertest';
import { v4 as uuidv4 } from 'uuid';
import {
  ALL_MACHINES,
  runnerSubjectOf,
  type RunnerRequest,
  WORK_STREAM,
  workConsumerOf,
  type Assignment,
  type ClaimReply,
  type JobFailure,
  type Machine,
  type ProtocolRefusal,
  type ReportReply,
  type WorkItem,
} from '@cairn/contracts';
import { ensureWorkQueues, pullBatch } from '@cairn/messaging';
import type { ServiceUnderTest } from '@cairn/runtime';
import type { NatsServerHandle } from '@cairn/testing';

type Reply<T> = T | ProtocolRefusal;

/**
 * A runner driven by hand, step by step, for specifications of the jobs service's side of the runner
 * protocol: it takes work from the real work queues, speaks the protocol over the real NATS (Nest's
 * request packets, a runner token in the `authorization` header) and moves bytes through the projects
 * service's file API, as `services/runner` does, but runs no command: the specification says what the
 * command printed and wrote, and how it ended.
 */
export class HandRunner {
  private constructor(
    readonly runnerId: string,
    readonly token: string,
    private readonly nc: NatsConnection,
    private readonly projects: ServiceUnderTest,
  ) {}

  /** Registered as a runner on `nats`, it connects with that runner's own credentials and permissions. */
  static async start(nats: NatsServerHandle, runnerId: string, token: string, projects: ServiceUnderTest): Promise<HandRunner> {
    const identity = { kind: 'runner', id: runnerId } as const;
    await nats.register(identity);
    const nc = await connect({ ...nats.connectionOptions(identity), name: `hand-runner-${runnerId}` });
    await ensureWorkQueues(await nc.jetstreamManager(), ALL_MACHINES);
    return new HandRunner(runnerId, token, nc, projects);
  }

  async stop(): Promise<void> {
    await this.nc.drain();
  }

  /** Takes the next work item of the machine's queue, claims it and acknowledges it, as the protocol says. */
  async claimNext(machine: Machine, waitMs = 10_000): Promise<{ item: WorkItem; reply: Reply<ClaimReply>; job?: HeldJob }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { messages } = await pullBatch(this.nc, { stream: WORK_STREAM, consumer: workConsumerOf(machine), batch: 1, waitMs: 500 });
      const [message] = messages;
      if (message) {
        const item = message.json<WorkItem>();
        const reply = await this.claim(item.jobId);
        message.ack();
        const job = 'outcome' in reply && reply.outcome === 'claimed' ? new HeldJob(this, reply.assignment) : undefined;
        return { item, reply, ...(job && { job }) };
      }
      if (Date.now() > deadline) throw new Error(`no work on ${workConsumerOf(machine)} within ${waitMs} ms`);
    }
  }

  claim(jobId: string, runnerId = this.runnerId): Promise<Reply<ClaimReply>> {
    return this.send('claim', { jobId, runnerId });
  }

  /**
   * One protocol request on this runner's own subject, as a Nest microservice packet; the answer is the
   * handler's response. `token: null` sends none.
   */
  async send<T>(request: RunnerRequest, data: object, token: string | null = this.token): Promise<T> {
    const subject = runnerSubjectOf(this.runnerId, request);
    const headers = natsHeaders();
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    const reply = await this.nc.request(subject, JSON.stringify({ pattern: subject, data, id: uuidv4() }), { headers, timeout: 10_000 });
    const packet = reply.json<{ response?: T; err?: unknown }>();
    if (packet.err !== undefined) throw new Error(`${subject} failed: ${JSON.stringify(packet.err)}`);
    return packet.response as T;
  }

  /** Calls of this runner to the projects service's file API, with its token and its claim's position. */
  files(assignment: Assignment) {
    const as = (call: request.Test) => call.set('authorization', `Bearer ${this.token}`).set('Cairn-Min-Position', String(assignment.position));
    return {
      download: (fileId: string, projectId = assignment.projectId) => as(request(this.projects.server).get(`/api/projects/${projectId}/files/${fileId}/content`)),
      upload: (path: string, content: string | Buffer, projectId = assignment.projectId) =>
        as(request(this.projects.server).post(`/api/projects/${projectId}/files`)).field('path', path).attach('file', Buffer.from(content), path.split('/').pop()),
    };
  }
}

/**
 * A job the hand runner holds: what the command would print and write, and how it ends. Like any runner
 * it heartbeats at the interval its claim's answer names, until the job ends or it is told to go silent.
 */
export class HeldJob {
  private seq = 0;
  private readonly beating: NodeJS.Timeout;

  constructor(
    private readonly runner: HandRunner,
    readonly assignment: Assignment,
  ) {
    this.beating = setInterval(() => void this.heartbeat().catch(() => undefined), assignment.heartbeatIntervalMs);
    this.beating.unref();
  }

  /** The runner is lost, as far as the jobs service can tell. */
  goSilent(): void {
    clearInterval(this.beating);
  }

  private report<T = ReportReply>(request: RunnerRequest, data: object): Promise<Reply<T>> {
    return this.runner.send(request, { jobId: this.assignment.jobId, runnerId: this.runner.runnerId, ...data });
  }

  log(text: string, stream: 'stdout' | 'stderr' = 'stdout', seq = ++this.seq) {
    return this.report('log', { seq, stream, text });
  }

  heartbeat() {
    return this.report('heartbeat', {});
  }

  progress(fraction: number, message?: string) {
    return this.report('progress', { fraction, ...(message !== undefined && { message }) });
  }

  /** Uploads a file the command wrote into its output folder, then reports it. */
  /** `position`: the upload's `Cairn-Position`, for a reader that must see the file (the runner is no platform person). */
  async output(name: string, content: string | Buffer): Promise<{ fileId: string; position: number; reply: Reply<ReportReply> }> {
    const uploaded = await this.runner.files(this.assignment).upload(`${this.assignment.outputFolder}${name}`, content);
    if (uploaded.status !== 201) throw new Error(`upload of ${name}: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
    const { id: fileId, path, size, sha256 } = uploaded.body;
    return { fileId, position: Number(uploaded.headers['cairn-position']), reply: await this.report('output', { fileId, path, size, sha256 }) };
  }

  succeeded() {
    return this.finish({ outcome: 'succeeded', exitCode: 0 });
  }

  failed(failure: JobFailure) {
    return this.finish({ outcome: 'failed', failure });
  }

  cancelled() {
    return this.finish({ outcome: 'cancelled' });
  }

  private finish(report: object) {
    this.goSilent();
    return this.report('finished', report);
  }
}
