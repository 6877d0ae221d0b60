import type { Authorizer, Principal } from '@cairn/auth';
import type { PublishedEventType } from '@cairn/contracts';
import type { EventStore, Subscription } from '@cairn/event-store';
import { jobSearchProjection } from '../projections';

/** A job of a project the follower may read changed as the list shows it; `position` is the event's, for `Cairn-Min-Position`. */
export interface JobChange {
  position: number;
  jobId: string;
  projectId: string;
  type: string;
}

/** What a follower is told: the position the feed follows from, each change it may see, and when what it may see changed. */
export interface JobsFeedListener {
  open(position: number): void;
  job(change: JobChange): void;
  /** The projects the follower may read changed: what they have shown may hold jobs they may no longer see, or lack some they now may. */
  accessChanged(): void;
  end(reason: { rule: string; detail: string }): void;
}

/** The events that change a job as the list shows it (its status); progress and outputs do not. */
const LISTED_TYPES: ReadonlySet<string> = new Set<PublishedEventType>(jobSearchProjection.eventTypes);

/**
 * The jobs of every project the follower may read, live ("Go to Analysis → Jobs"): each change of a job
 * from the bus's head on, in bus order, only if the follower may read the job's project as of that
 * event (the authorization model is waited for up to the event's position first, so a revocation
 * before it binds, however late the model is). Nothing is caught up: the follower reads the list again
 * from `open`'s position, which covers what happened before it connected.
 */
export class JobsFeed {
  constructor(
    private readonly bus: () => Promise<EventStore>,
    private readonly authorizer: Authorizer,
  ) {}

  async follow(principal: Principal, listener: JobsFeedListener): Promise<{ close(): Promise<void> }> {
    await this.authorizer.settle();
    const bus = await this.bus();
    const head = await bus.headPosition();
    let ended = false;
    const live: { subscription?: Subscription } = {};
    const stopWatching = this.authorizer.whenReadableChanges(principal.userId, () => !ended && listener.accessChanged());
    const end = (reason: { rule: string; detail: string }) => {
      if (ended) return;
      ended = true;
      stopWatching();
      listener.end(reason);
      void live.subscription?.close();
    };
    listener.open(head);
    const subscription = await bus.subscribe({
      fromPosition: head,
      categories: jobSearchProjection.categories,
      onEvent: async (event) => {
        if (ended || !LISTED_TYPES.has(event.type)) return;
        const { jobId, projectId } = event.data as { jobId: string; projectId: string };
        try {
          await this.authorizer.settle(event.position);
        } catch {
          end({ rule: 'consistency.not-yet', detail: 'The live list fell behind the platform; reload the page.' });
          return;
        }
        if (this.authorizer.can(projectId, principal.userId, 'project.read')) listener.job({ position: event.position, jobId, projectId, type: event.type });
      },
      onError: (error) => end({ rule: 'jobs.feed-bus-lost', detail: `The live list stopped (${error.message}); reload to resume.` }),
    });
    live.subscription = subscription;
    if (ended) await subscription.close();
    return {
      close: async () => {
        ended = true;
        stopWatching();
        await subscription.close();
      },
    };
  }
}
