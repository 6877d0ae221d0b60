import { ServiceUnavailableException } from '@nestjs/common';
import type { EventStore } from '@cairn/event-store';
import { problem } from '@cairn/http';

/** A model a command decides on that can say whether it has passed a position of the store. */
export interface FollowedModel {
  readonly name: string;
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}

/**
 * Commands never decide on a stale model (DESIGN.md §3): before a decision reads the authorization model
 * or a read model, the model has applied everything the store held when the command arrived, within the
 * `Cairn-Min-Position` bound; otherwise 503 with Retry-After.
 */
export class FreshState {
  constructor(
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly timeoutMs: number,
  ) {}

  async of(...models: FollowedModel[]): Promise<void> {
    const head = await this.store.headPosition();
    const fresh = await Promise.all(models.map((model) => model.waitFor(head, this.timeoutMs)));
    const behind = models.filter((_, index) => !fresh[index]).map((model) => model.name);
    if (behind.length === 0) return;
    throw new ServiceUnavailableException(
      problem(503, `${behind.join(', ')} did not reach the event store's position ${head} within ${this.timeoutMs} ms; retry shortly.`, {
        rule: 'consistency.not-yet',
        retryAfterSeconds: 1,
      }),
    );
  }
}
