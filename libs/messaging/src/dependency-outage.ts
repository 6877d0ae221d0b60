import { logger } from '@cairn/telemetry';

export interface DependencyOutageOptions {
  consumer: string;
  /** Pause after the n-th transient failure in a row (1-based): `backoffMs[n - 1]`, the last one repeating. */
  backoffMs: number[];
  pause(ms: number): Promise<void>;
}

const log = logger('events');

/**
 * A consumer held up because a dependency (MongoDB, NATS) does not answer. It tries the same work again
 * after a pause that grows up to a cap, for as long as the outage lasts, and says so once: a line when
 * the outage starts, one when work goes through again (and `cairn_consumer_paused` meanwhile).
 */
export class DependencyOutage {
  private since?: number;
  private failures = 0;

  constructor(private readonly options: DependencyOutageOptions) {}

  get inProgress(): boolean {
    return this.since !== undefined;
  }

  /** After a transient failure: waits before the same work is tried again. */
  async wait(error: Error): Promise<void> {
    const { consumer, backoffMs } = this.options;
    if (this.since === undefined) {
      this.since = Date.now();
      log.warn({ consumer, error: error.message }, 'consumer paused: a dependency does not answer; the same events are tried again until it does');
    }
    await this.options.pause(backoffMs[Math.min(++this.failures, backoffMs.length) - 1] ?? 0);
  }

  /** Work went through: an outage in progress is over. */
  ended(): void {
    if (this.since === undefined) return;
    log.info({ consumer: this.options.consumer, pausedMs: Date.now() - this.since, retries: this.failures }, 'consumer resumed: its dependencies answer again');
    this.since = undefined;
    this.failures = 0;
  }
}
