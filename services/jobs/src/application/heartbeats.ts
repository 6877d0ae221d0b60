import { Logger } from '@nestjs/common';
import { StorageType, type KV, type NatsConnection } from 'nats';

/** Every jobs replica reads and writes the same bucket: a heartbeat taken by one is seen by the watchdog of another. */
export const HEARTBEATS_BUCKET = 'CAIRN_JOB_HEARTBEATS';

export interface LastHeartbeat {
  jobId: string;
  runnerId: string;
  /** When the server stored it (its clock, not a replica's). */
  at: Date;
}

/**
 * The last heartbeat of every running job: one key per job in a JetStream key-value bucket. Heartbeats
 * are not domain events; only their absence is (the job fails as `system`). A job's key is written when
 * it is claimed, so a runner lost before its first heartbeat is found too, and removed when it ends.
 */
export class Heartbeats {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, replicas?: number): Promise<Heartbeats> {
    const kv = await nc.jetstream().views.kv(HEARTBEATS_BUCKET, { history: 1, storage: StorageType.File, ...(replicas === undefined ? {} : { replicas }) });
    return new Heartbeats(kv);
  }

  async beat(jobId: string, runnerId: string): Promise<void> {
    await this.kv.put(jobId, JSON.stringify({ runnerId }));
  }

  async end(jobId: string): Promise<void> {
    await this.kv.purge(jobId);
  }

  /** The jobs whose last heartbeat is older than `timeoutMs`. */
  async silentFor(timeoutMs: number): Promise<LastHeartbeat[]> {
    const silent: LastHeartbeat[] = [];
    for await (const jobId of await this.kv.keys()) {
      const entry = await this.kv.get(jobId);
      if (!entry || entry.operation !== 'PUT') continue;
      if (Date.now() - entry.created.getTime() < timeoutMs) continue;
      silent.push({ jobId, runnerId: entry.json<{ runnerId: string }>().runnerId, at: entry.created });
    }
    return silent;
  }
}

/**
 * "A runner that stops heartbeating fails its job with failure.kind: system and a reason." Every
 * replica runs one: failing a job is a command on its stream, so two replicas failing the same job at
 * once append it once (the second finds it ended and changes nothing).
 */
export class HeartbeatWatchdog {
  private readonly logger = new Logger('heartbeat-watchdog');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly heartbeats: Heartbeats,
    private readonly failLost: (lost: LastHeartbeat) => Promise<void>,
    private readonly options: { intervalMs: number; timeoutMs: number },
  ) {}

  start(): this {
    this.schedule();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async sweep(): Promise<void> {
    try {
      for (const lost of await this.heartbeats.silentFor(this.options.timeoutMs)) {
        if (this.stopped) return;
        await this.failLost(lost).catch((error: Error) => this.logger.error(`job ${lost.jobId}: ${error.message}`));
      }
    } catch (error) {
      this.logger.error(`heartbeats unreadable: ${(error as Error).message}`);
    }
  }
}
