import { StorageType, type KV, type NatsConnection } from 'nats';
import { RUNNER_ANNOUNCEMENT_TTL_MS, type AnnounceReport, type ReportReply } from '@cairn/contracts';

/** Every jobs replica reads and writes the same bucket: a runner announced to one is known to all. */
export const RUNNERS_BUCKET = 'CAIRN_RUNNERS';

/**
 * What each runner last announced it serves and maps onto its compute (runner protocol, 3a): one key
 * per runner in a JetStream key-value bucket whose entries expire after `RUNNER_ANNOUNCEMENT_TTL_MS`,
 * so a runner that stopped announcing stops counting. Live state of the runners, not a domain fact:
 * no event records it.
 */
export class RunnerAnnouncements {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, replicas?: number): Promise<RunnerAnnouncements> {
    const kv = await nc.jetstream().views.kv(RUNNERS_BUCKET, { history: 1, storage: StorageType.File, ttl: RUNNER_ANNOUNCEMENT_TTL_MS, ...(replicas === undefined ? {} : { replicas }) });
    return new RunnerAnnouncements(kv);
  }

  async announce(runnerId: string, report: AnnounceReport): Promise<ReportReply> {
    await this.kv.put(runnerId, JSON.stringify({ machines: report.machines }));
    return { accepted: true };
  }

  /** The machine types some runner announced within the announcement's lifetime. */
  async mappedMachines(): Promise<ReadonlySet<string>> {
    const mapped = new Set<string>();
    for await (const runnerId of await this.kv.keys()) {
      const entry = await this.kv.get(runnerId);
      if (!entry || entry.operation !== 'PUT' || Date.now() - entry.created.getTime() > RUNNER_ANNOUNCEMENT_TTL_MS) continue;
      for (const machine of entry.json<{ machines: string[] }>().machines) mapped.add(machine);
    }
    return mapped;
  }
}
