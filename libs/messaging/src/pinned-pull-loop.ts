import { ErrorCode, NatsError, type ConsumerInfo, type JsMsg, type NatsConnection } from 'nats';
import { lagOf, type ConsumerLag } from './consumer-settlement';
import type { DependencyOutage } from './dependency-outage';
import { PRIORITY_GROUP, type ConsumerProvisioning } from './consumer-provisioning';
import { ConsumerGoneError, pullBatch } from './pull-batch';
import { isTransientFailure } from './transient-failure';

export interface PinnedPullLoopOptions {
  nc: NatsConnection;
  stream: string;
  consumer: string;
  provisioning: ConsumerProvisioning;
  batchSize: number;
  /** How long a pull waits for the first message. */
  longPollMs: number;
  /** The consumer's pin timeout, when only the pinned client receives; absent: every client does. */
  pinnedTtlMs?: number;
  /** Called when this client has just become the active one, with the consumer's state at that moment. */
  onActivated?(lag: ConsumerLag): void | Promise<void>;
  report(error: Error): void;
}

/** Of the pin's time, what a client leaves unused: slack for the clocks and the pull's own travel. */
const PIN_MARGIN = 0.2;

/**
 * Pulls batches, one at a time, for a consumer that only one client at a time receives from (the
 * `pinned_client` priority group), or for a private one.
 *
 * The pinned client is the consumer's only writer while it pulls at least every `pinnedTtlMs`: the
 * server re-pins another client only once that time has passed since its last pull. So a batch is
 * handled under a signal that aborts shortly before then (`handlingSignal`), and a handler that is
 * still at work stops writing instead of running alongside its successor.
 *
 * A successor may be pinned while messages its predecessor took are still unacknowledged (the
 * predecessor died, or is stuck): they come back only when their ack wait expires, and newer messages
 * would overtake them. A client that has just become active therefore compares the server's count of
 * unacknowledged messages with what it holds, and if others are out, re-creates the consumer from its
 * owner's checkpoint instead of running ahead of them; a standby that receives nothing while messages
 * are out and no client holds the pin does the same. That is how a SIGKILLed client's successor takes
 * over without waiting for the ack wait.
 */
export class PinnedPullLoop {
  private pinId?: string;
  /** False until this client has checked, on becoming active, that no predecessor left messages behind. */
  private verifiedActive = false;
  /** When this client sent the pull that brought its current batch. */
  private lastPullAt = 0;

  constructor(private readonly options: PinnedPullLoopOptions) {}

  /** This client receives the consumer's messages: it holds the pin and has checked it took over cleanly, or no pin is used. */
  get isActive(): boolean {
    return this.options.pinnedTtlMs === undefined || (this.pinId !== undefined && this.verifiedActive);
  }

  /**
   * Pulls and processes until `stopping` aborts. A failure is reported and followed by a pause that grows
   * with the failures in a row; a consumer deleted underneath is re-created at once the first time; a
   * server that does not answer is waited out as an outage, reported once.
   */
  async run(
    process: (messages: JsMsg[]) => Promise<void>,
    stopping: AbortSignal,
    recovery: { backoffFor(failures: number): number; pause(ms: number): Promise<void>; outage: DependencyOutage },
  ): Promise<void> {
    let failures = 0;
    while (!stopping.aborted) {
      try {
        const messages = await this.pull(this.options.longPollMs, stopping);
        if (messages.length > 0) await process(messages);
        // The server answered and nothing waits to be handled: whatever held the consumer up no longer does.
        else recovery.outage.ended();
        failures = 0;
      } catch (error) {
        if (stopping.aborted) break;
        // The cluster is between leaders, this client's server is gone, MongoDB does not answer: ask again
        // soon (the outage's pauses stay short). The growing backoff is for events that fail, and would keep
        // the model behind long after the dependency is back.
        if (isTransientFailure(error)) {
          await recovery.outage.wait(error as Error);
          continue;
        }
        if (error instanceof ConsumerGoneError) {
          const recreated = await this.recover().then(
            () => true,
            (recoveryError: Error) => (this.options.report(recoveryError), false),
          );
          if (recreated && failures++ === 0) continue;
        } else {
          this.options.report(error as Error);
        }
        await recovery.pause(recovery.backoffFor(++failures));
      }
    }
  }

  /**
   * One pull; an empty answer when nothing came within `waitMs` (or at once without it), when another
   * client holds the pin, or when this client has just become active behind a predecessor's leftovers
   * and has started the consumer over. A NATS timeout when the server did not answer at all: "nothing
   * there" would end a rebuild's catch-up early, and end an outage that is still going on.
   */
  async pull(waitMs: number | undefined, signal: AbortSignal): Promise<JsMsg[]> {
    const { nc, stream, consumer, batchSize, pinnedTtlMs } = this.options;
    this.lastPullAt = Date.now();
    const result = await pullBatch(
      nc,
      { stream, consumer, batch: batchSize, waitMs, ...(pinnedTtlMs !== undefined ? { group: PRIORITY_GROUP, pinId: this.pinId } : {}) },
      signal,
    );
    if (result.unanswered && !signal.aborted) throw new NatsError(`pull from ${stream} > ${consumer}: no answer from the server`, ErrorCode.Timeout);
    if (result.pinLost) this.forgetPin();
    if (result.pinId !== undefined && result.pinId !== this.pinId) {
      this.pinId = result.pinId;
      this.verifiedActive = false;
    }
    const messages = result.messages.sort((a, b) => a.seq - b.seq);
    if (messages.length === 0 && pinnedTtlMs !== undefined && this.pinId === undefined) {
      await this.takeOverFromAbandonedPin();
      return [];
    }
    if (messages.length > 0 && !this.verifiedActive) {
      const lag = lagOf(await this.options.provisioning.info());
      await this.options.onActivated?.(lag);
      if (lag.ackPending > messages.length) {
        this.options.report(
          new Error(`consumer ${consumer}: ${lag.ackPending - messages.length} messages left unacknowledged by a previous client; restarting from the checkpoint`),
        );
        await this.restart();
        return [];
      }
      this.verifiedActive = true;
    }
    return messages;
  }

  /**
   * A standby that received nothing: if messages are unacknowledged while nobody holds the pin, their
   * client stopped pulling for the pin's whole time with them in hand (it died, or is stuck and has
   * stopped writing, see `handlingSignal`). The server would hand them out again only after their ack
   * wait, and nothing else while they fill `max_ack_pending`: start over from the checkpoint instead.
   */
  private async takeOverFromAbandonedPin(): Promise<void> {
    const info = (await this.options.provisioning.info()) as ConsumerInfo & { priority_groups?: Array<{ group: string; pinned_client_id?: string }> };
    const pinned = info.priority_groups?.find((state) => state.group === PRIORITY_GROUP)?.pinned_client_id;
    if (info.num_ack_pending === 0 || pinned) return;
    this.options.report(
      new Error(`consumer ${this.options.consumer}: ${info.num_ack_pending} messages left unacknowledged by a previous client that no longer holds the pin; restarting from the checkpoint`),
    );
    await this.restart();
  }

  /**
   * Aborts when this client may no longer be the only one receiving: a margin before its pin, renewed by
   * the last pull, can run out. None for a consumer without a pin.
   */
  handlingSignal(): AbortSignal | undefined {
    const { pinnedTtlMs } = this.options;
    if (pinnedTtlMs === undefined) return undefined;
    const usable = this.lastPullAt + pinnedTtlMs * (1 - PIN_MARGIN) - Date.now();
    return AbortSignal.timeout(Math.max(0, usable));
  }

  /** Re-creates the consumer from the checkpoint; this client is a new one to the server. */
  async restart(): Promise<void> {
    this.forgetPin();
    await this.options.provisioning.recreate();
  }

  /** The consumer was deleted underneath (a rebuild restarts the live one that way): create it again. */
  private async recover(): Promise<void> {
    this.forgetPin();
    await this.options.provisioning.ensure();
  }

  /** Hands the pin over, so that another replica takes over at once. */
  async releasePin(): Promise<void> {
    if (this.pinId === undefined) return;
    this.forgetPin();
    await this.options.nc
      .request(`$JS.API.CONSUMER.UNPIN.${this.options.stream}.${this.options.consumer}`, JSON.stringify({ group: PRIORITY_GROUP }), {
        timeout: 2_000,
      })
      .catch(() => undefined);
  }

  private forgetPin(): void {
    this.pinId = undefined;
    this.verifiedActive = false;
  }
}
