import { Logger } from '@nestjs/common';
import type { CairnEvent, SchemeRegistry } from '@cairn/contracts';
import { Conditions, FollowerProgress, tailReaches, type EventStore, type FreshnessGate, type Subscription } from '@cairn/event-store';
import { AccessModel } from './access-model';

/** The access context's streams: labs (membership) and project access. */
export const ACCESS_CATEGORIES = ['access_lab', 'access_project'];

export interface AuthorizationProjectionOptions {
  schemes?: SchemeRegistry;
  /** Where a failed subscription is reported; `console` when absent. */
  logger?: { error(message: string): void };
}

/**
 * Keeps an `AccessModel` current from the event store with a catch-up subscription to the access
 * categories, so that every service decides authorization in memory.
 *
 * On start it replays the access streams from position 0: a restart rebuilds the model instead of
 * resuming from a checkpoint. Access streams are small (one event per lab membership or permission
 * change; the benchmark prints the replay rate, hundreds of thousands of events per second), so this
 * stays a matter of seconds up to a few million access events. Past that, store a snapshot of the
 * model with its `position` (in the service's MongoDB, written every N events) and subscribe from that
 * position; `AccessModel.apply` already ignores anything at or below its position, so an overlapping
 * replay after a snapshot is harmless.
 *
 * It also answers `Cairn-Min-Position` (structurally a `ConsistencyGate` of `@cairn/http`, see
 * `waitFor`) and, for commands, the store's head at their arrival (a `FreshnessGate`, see `waitForHead`).
 */
export class AuthorizationProjection implements FreshnessGate {
  readonly name = 'authorization model';
  readonly model: AccessModel;
  /** Resolves once the history has been applied and the subscription is live; rejects if it fails first. */
  readonly ready: Promise<void>;
  private subscription?: Subscription;
  private caughtUp = false;
  private stopped = false;
  private failure?: Error;
  /** How far the model is known to be complete: beyond `model.position`, over other contexts' events. */
  private readonly progress: FollowerProgress;
  private readonly conditions = new Conditions();
  private readonly watchers = new Set<() => void>();
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  private constructor(
    private readonly store: EventStore,
    private readonly options: AuthorizationProjectionOptions,
  ) {
    this.model = new AccessModel(options.schemes);
    this.progress = new FollowerProgress(store, ACCESS_CATEGORIES, () => this.model.position);
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A failure before anyone awaits `ready` must not crash the process as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Subscribes from position 0; await `ready` before serving requests. */
  static async start(store: EventStore, options: AuthorizationProjectionOptions = {}): Promise<AuthorizationProjection> {
    const projection = new AuthorizationProjection(store, options);
    projection.subscription = await store.subscribe({
      categories: ACCESS_CATEGORIES,
      fromPosition: 0,
      onEvent: (event) => projection.onEvent(event),
      onCaughtUp: () => projection.onCaughtUp(),
      onError: (error) => projection.onFailure(error),
    });
    return projection;
  }

  /** Caught up and still following the store. */
  get isCaughtUp(): boolean {
    return this.caughtUp && this.isFollowing;
  }

  /** For `/health/ready` (a `ReadinessProbe` of `@cairn/http`). */
  readinessProbe(): { name: string; check(): Promise<boolean> } {
    return { name: 'authorization projection', check: async () => this.isCaughtUp };
  }

  /**
   * Whether the model has taken in everything up to `position`, waiting at most `timeoutMs`.
   *
   * Only access events reach this projection, so `model.position` stops at the last access event: a
   * position from another context (a job, a project) never arrives as such. What matters is that no
   * access event at or below it is still missing. So the wait reads the store's head, aims at
   * min(position, head) (a position beyond the head cannot be waited for, and everything stored at the
   * call's start is all the caller can have seen), and asks the store for the first access event the
   * model has not applied (`FollowerProgress`): none up to the target means it is passed, and that is
   * remembered; one means waiting until the subscription delivers it, then asking again.
   */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.isCaughtUp && this.progress.passedThrough >= position) return true;
    const deadline = Date.now() + timeoutMs;
    if (!(await this.until(() => this.caughtUp, deadline))) return false;
    // The process's tail of the log reaching the position proves the store holds it: no head to read.
    if (await tailReaches(this.store, position, deadline)) return this.catchUp(position, deadline);
    // A store that cannot be asked cannot vouch for the position either: the caller answers 503.
    const head = await this.progress.head().catch(() => undefined);
    if (head === undefined) return false;
    return this.catchUp(Math.min(position, head), deadline);
  }

  /**
   * For a command: whether the model has taken in every access event the store held when this was
   * called, waiting at most `timeoutMs`. One round trip when it has (see `FollowerProgress`).
   */
  async waitForHead(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Checked before any await, so that the models of one command share one read of the head.
    if (!this.caughtUp && !(await this.until(() => this.caughtUp, deadline))) return false;
    const lacking = await this.progress.missingAtHead().catch(() => null);
    if (lacking === null) return false;
    if (lacking === undefined) return this.isFollowing;
    return this.catchUp(lacking.head, deadline, lacking.missing);
  }

  /**
   * Calls `onLost` once, from the event that ends it, when `holds` stops holding for the model (straight
   * away if it does not hold now); no timeout. Returns the function that stops watching. Live answers (a log
   * stream, an activity feed) end on a revocation as its event arrives, not when they next look.
   */
  watch(holds: (model: AccessModel) => boolean, onLost: () => void): () => void {
    const watcher = () => {
      if (holds(this.model)) return;
      this.watchers.delete(watcher);
      onLost();
    };
    this.watchers.add(watcher);
    // Checked once now as well, after the caller has its stop function in hand.
    queueMicrotask(watcher);
    return () => void this.watchers.delete(watcher);
  }

  /** Waits at most `timeoutMs` until `condition` holds for the model; false when it did not in time. */
  waitUntil(condition: (model: AccessModel) => boolean, timeoutMs: number): Promise<boolean> {
    return this.until(() => condition(this.model), Date.now() + timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.conditions.endAll(false);
    await this.subscription?.close();
  }

  private get isFollowing(): boolean {
    return !this.stopped && this.failure === undefined;
  }

  /** Waits until no access event up to `target` (a position the store has reached) is missing from the model. */
  private async catchUp(target: number, deadline: number, lacking?: number): Promise<boolean> {
    let missing = lacking;
    for (;;) {
      if (!this.isFollowing) return false;
      if (missing === undefined) {
        const found = await this.progress.missingThrough(target).catch(() => null);
        if (found === null) return false;
        if (found === undefined) return this.isFollowing;
        missing = found;
      }
      const awaited = missing;
      if (!(await this.until(() => this.model.position >= awaited, deadline))) return false;
      missing = undefined;
    }
  }

  private onEvent(event: CairnEvent): void {
    this.model.apply(event);
    this.conditions.recheck();
    for (const watcher of [...this.watchers]) watcher();
  }

  private onCaughtUp(): void {
    this.caughtUp = true;
    this.resolveReady();
    this.conditions.recheck();
  }

  private onFailure(error: Error): void {
    this.failure = error;
    // Nest's logger: a service's log line like the others (runService routes it to the process's log).
    (this.options.logger ?? new Logger('AuthorizationProjection')).error(`authorization projection stopped at position ${this.model.position}: ${error.stack ?? error.message}`);
    this.rejectReady(error);
    this.conditions.endAll(false);
  }

  private until(isMet: () => boolean, deadline: number): Promise<boolean> {
    if (!this.isFollowing) return Promise.resolve(false);
    return this.conditions.until(isMet, deadline);
  }
}
