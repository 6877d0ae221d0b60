import { ServiceUnavailableException } from '@nestjs/common';
import type { Principal } from '@cairn/auth';
import type { ProjectScopedEventType, StoredEventOf } from '@cairn/contracts';
import type { EventStore, Subscription } from '@cairn/event-store';
import { problem, type ConsistencyGate } from '@cairn/http';
import type { ReadModelCollections, ReadModelDocument } from '@cairn/read-models';
import { activityEntryOf, activityItemOf, PROJECT_ACTIVITY, projectActivityProjection, type ActivityDocument } from '../projections';
import type { AccessView } from './access-view';

export type ActivityItem = ReturnType<typeof activityItemOf>;

/** What a follower is told: each entry, then (once) why the feed ended. */
export interface ActivityListener {
  entry(item: ActivityItem): void;
  end(reason: { rule: string; detail: string }): void;
}

/** At most this many entries are caught up from the read model; a follower further behind reloads the page. */
const CATCH_UP_MAX = 500;

/**
 * A project's activity, live: the entries after a position the follower has (from the read model),
 * then each new one as the bus carries it, in position order, with no gap and none twice. The bus is
 * followed from its head as it was before the catch-up was read, and the catch-up is read once the
 * read model has passed that head, so the two meet exactly there. Live entries are the projection's
 * own mapping of the event, so they read exactly as the list answers them.
 */
export class ProjectActivityFeed {
  constructor(
    private readonly bus: () => Promise<EventStore>,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly readModels: ConsistencyGate,
    private readonly waitTimeoutMs: number,
  ) {}

  /**
   * Follows until `close()` of the answer or until the follower may no longer read the project (the
   * listener's `end` says so). `after`: the newest position the follower has; absent, from now on.
   */
  async follow(principal: Principal, projectId: string, after: number | undefined, listener: ActivityListener): Promise<{ close(): Promise<void> }> {
    await this.access.require(projectId, principal.userId, 'project.read');
    const bus = await this.bus();
    const head = await bus.headPosition();
    // Live entries queue behind the catch-up, one at a time in bus order: the gate opens once it is sent.
    let openGate!: () => void;
    let queue = new Promise<void>((resolve) => (openGate = resolve));
    let ended = false;
    // Set once subscribed; an end that comes sooner (a bus failure) closes it when it is.
    const live: { subscription?: Subscription } = {};
    const end = (reason: { rule: string; detail: string }) => {
      if (ended) return;
      ended = true;
      stopWatching();
      listener.end(reason);
      void live.subscription?.close();
    };
    // A revocation ends the feed as its event reaches the authorization model, though the project be quiet.
    const stopWatching = this.access.whenLost(projectId, principal.userId, 'project.read', () =>
      end({ rule: 'capability.project.read', detail: 'You can no longer read this project.' }),
    );
    const deliver = async (item: ActivityItem) => {
      if (ended) return;
      // A revocation binds the feed too: once the authorization model has seen up to this entry, nothing
      // more reaches someone who lost the project (the revocation's own entry is the last they get).
      const allowed = await this.access.require(projectId, principal.userId, 'project.read', item.position).then(
        () => true,
        () => false,
      );
      if (!allowed) {
        end(
          this.access.can(projectId, principal.userId, 'project.read')
            ? { rule: 'consistency.not-yet', detail: 'The live feed fell behind the platform; reload the page.' }
            : { rule: 'capability.project.read', detail: 'You can no longer read this project.' },
        );
        return;
      }
      listener.entry(item);
    };
    const subscription = await bus.subscribe({
      fromPosition: head,
      categories: projectActivityProjection.categories,
      onEvent: async (event) => {
        if (!projectActivityProjection.eventTypes.includes(event.type as ProjectScopedEventType)) return;
        const entry = activityEntryOf(event as StoredEventOf<ProjectScopedEventType>);
        if (entry.projectId !== projectId) return;
        const item = activityItemOf({ _id: event.id, ...entry });
        queue = queue.then(() => deliver(item));
        await queue;
      },
      onError: (error) => end({ rule: 'activity.bus-lost', detail: `The live feed stopped (${error.message}); reload to resume.` }),
    });
    live.subscription = subscription;
    if (ended) await subscription.close();
    try {
      if (after !== undefined && after < head) {
        const missed = await this.entriesBetween(projectId, after, head);
        for (const item of missed) await deliver(item);
        if (missed.length === CATCH_UP_MAX) end({ rule: 'activity.too-far-behind', detail: `More than ${CATCH_UP_MAX} entries happened since; reload the page.` });
      }
    } catch (error) {
      ended = true;
      stopWatching();
      openGate();
      await subscription.close();
      throw error;
    }
    openGate();
    return {
      close: async () => {
        ended = true;
        stopWatching();
        await subscription.close();
      },
    };
  }

  /** Entries in (after, head], oldest first, once the read model holds everything up to head. */
  private async entriesBetween(projectId: string, after: number, head: number): Promise<ActivityItem[]> {
    if (!(await this.readModels.waitFor(head, this.waitTimeoutMs))) {
      throw new ServiceUnavailableException(
        problem(503, `The activity read model has not reached position ${head} yet; retry shortly.`, { rule: 'consistency.not-yet', retryAfterSeconds: 1 }),
      );
    }
    // Served by the { projectId, position } index.
    const documents = (await (await this.collections.resolve<ReadModelDocument>(PROJECT_ACTIVITY))
      .find({ projectId, position: { $gt: after, $lte: head } })
      .sort({ position: 1 })
      .limit(CATCH_UP_MAX)
      .toArray()) as unknown as ActivityDocument[];
    return documents.map(activityItemOf);
  }
}
