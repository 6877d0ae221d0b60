import { FollowerProgress, tailReaches, type FreshnessGate, type PositionProbe } from '@cairn/event-store';

/** What the waiter needs of a projection: what this process saw it apply, and the server's view. */
export interface ProgressSource {
  readonly name: string;
  /** The `<context>_<aggregate>` categories it follows. */
  readonly categories: string[];
  /** Highest position this process has seen settled; another replica may be further. */
  readonly appliedPosition: number;
  /**
   * This process is the projection's active client, so its progress is seen here as it happens: a wait
   * asks the server only when no progress comes for `fallbackCheckMs`, not first.
   */
  readonly isActive: boolean;
  /** Called whenever the projection settles a batch. */
  onProgress(listener: (position: number) => void): () => void;
  /** Asks the server (the same answer for every replica): is everything up to `position` settled? */
  hasPassed(position: number): Promise<boolean>;
}

export interface ConsistencyWaiterOptions {
  /** How often the server is asked when no progress arrives (another replica may be the active one). */
  fallbackCheckMs?: number;
}

/**
 * Waits until projections have passed a position: `Cairn-Min-Position` for reads, and the store's head
 * at a command's arrival for decisions (`gate`). A projection filtered to some categories never sees
 * the positions of the others, so "passed P" means: no event of its categories up to P is missing from
 * it. This process knows that from what it applied and one probe of the log (`FollowerProgress`); for
 * a projection another replica runs, the server knows it (`DurableEventConsumer.hasSettledThrough`:
 * everything up to P that concerns it is in its read model, since a batch is acknowledged only after it
 * is written and checkpointed).
 */
export class ConsistencyWaiter {
  private readonly sources = new Map<ProgressSource, FollowerProgress>();
  private readonly fallbackCheckMs: number;

  /** `log` is what the projections consume: the bus. */
  constructor(
    private readonly log: PositionProbe,
    options: ConsistencyWaiterOptions = {},
  ) {
    this.fallbackCheckMs = options.fallbackCheckMs ?? 250;
  }

  register(source: ProgressSource): () => void {
    this.sources.set(source, new FollowerProgress(this.log, source.categories, () => source.appliedPosition));
    return () => this.sources.delete(source);
  }

  /** True once all projections have passed `position`; false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs = 2_000): Promise<boolean> {
    const behind = [...this.sources].filter(([, progress]) => progress.passedThrough < position);
    if (behind.length === 0) return true;
    const deadline = Date.now() + timeoutMs;
    // The process's tail of the log reaching the position proves the log holds it; else the head tells.
    const unprovable = (await tailReaches(this.log, position, deadline)) ? undefined : await this.beyondHead(behind, position);
    if (unprovable === null) return false;
    const passed = await Promise.all(behind.map(([source, progress]) => this.catchUp(source, progress, position, deadline, unprovable)));
    return passed.every(Boolean);
  }

  /**
   * `position` when the log's head is short of it (no probe can prove it passed: the projection applying
   * it, or the server, must say so); undefined when the log holds it; null when the head cannot be read.
   */
  private async beyondHead(behind: Array<[ProgressSource, FollowerProgress]>, position: number): Promise<number | undefined | null> {
    // One read of the head, shared by every projection behind (and remembered by each for its probes).
    const heads = await Promise.all(behind.map(([, progress]) => progress.head())).catch(() => undefined);
    if (heads === undefined) return null;
    return position > heads[0] ? position : undefined;
  }

  /** The read model `name` as a command's decision needs it: with everything the log held when the command arrived. */
  gate(name: string): FreshnessGate {
    return { name, waitForHead: (timeoutMs) => this.waitForHead(name, timeoutMs) };
  }

  private async waitForHead(name: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const entry = [...this.sources].find(([source]) => source.name === name);
    if (!entry) throw new Error(`no read model ${name} runs in this process`);
    const [source, progress] = entry;
    const lacking = await progress.missingAtHead().catch(() => null);
    if (lacking === null) return false;
    return lacking === undefined || this.catchUp(source, progress, lacking.head, deadline, lacking.missing);
  }

  /**
   * Waits until the projection has passed `target`: it wakes on the projection's progress and probes
   * the log again (unless `lacking` is beyond what a probe can prove); it asks the server at once when
   * another replica may be the active one, and every `fallbackCheckMs` without progress, never in a
   * tight loop.
   */
  private async catchUp(source: ProgressSource, progress: FollowerProgress, target: number, deadline: number, lacking?: number): Promise<boolean> {
    let missing = lacking;
    let progressed = false;
    let wake: () => void = () => undefined;
    const unsubscribe = source.onProgress(() => {
      progressed = true;
      wake();
    });
    let askServer = !source.isActive;
    try {
      for (;;) {
        if (missing === undefined || source.appliedPosition >= missing) {
          // A log that cannot be asked leaves the server's answer, or the target itself, to wait for.
          missing = await progress.missingThrough(target).catch(() => target);
          if (missing === undefined) return true;
        }
        if (askServer && (await source.hasPassed(target).catch(() => false))) {
          progress.record(target);
          return true;
        }
        const left = deadline - Date.now();
        if (left <= 0) return false;
        if (progressed) {
          progressed = askServer = false;
          continue;
        }
        askServer = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), Math.min(this.fallbackCheckMs, left));
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        progressed = false;
      }
    } finally {
      unsubscribe();
    }
  }
}
