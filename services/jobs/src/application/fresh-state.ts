import { ServiceUnavailableException } from '@nestjs/common';
import type { AuthorizationProjection } from '@cairn/auth';
import type { EventStore } from '@cairn/event-store';
import { problem } from '@cairn/http';
import type { ConsistencyWaiter } from '@cairn/messaging';

/**
 * "Commands never decide on stale models": before a run, rerun or cancel decides on who may do it and on
 * which files the project has, the authorization model and the files read model have applied everything
 * the store held when the command arrived (bounded; 503 otherwise). So a revocation or a deletion binds
 * the next command.
 */
export class FreshState {
  constructor(
    private readonly store: EventStore,
    private readonly authorization: AuthorizationProjection,
    private readonly files: ConsistencyWaiter,
    private readonly timeoutMs: number,
  ) {}

  async settle(): Promise<void> {
    const head = await this.store.headPosition();
    const [authorized, filed] = await Promise.all([this.authorization.waitFor(head, this.timeoutMs), this.files.waitFor(head, this.timeoutMs)]);
    if (authorized && filed) return;
    throw new ServiceUnavailableException(
      problem(503, `What this command decides on has not reached position ${head} yet; retry shortly.`, { rule: 'consistency.not-yet', retryAfterSeconds: 1 }),
    );
  }
}
