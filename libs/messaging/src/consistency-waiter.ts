/** What the waiter needs of a projection: what this process saw it apply, and the server's view. */
export interface ProgressSource {
  readonly name: string;
  /** Highest position this process has seen settled; another replica may be further. */
  readonly appliedPosition: number;
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
 * `Cairn-Min-Position`: waits until every registered projection has passed a position. A projection
 * filtered to some categories never sees the positions of the others, so "passed P" means: it applied
 * P or later, or its consumer has nothing outstanding up to P (`DurableEventConsumer.hasSettledThrough`:
 * everything up to P that concerns it is in its read model, since a batch is acknowledged only after
 * it is written and checkpointed).
 */
export class ConsistencyWaiter {
  private readonly sources = new Set<ProgressSource>();
  private readonly fallbackCheckMs: number;

  constructor(options: ConsistencyWaiterOptions = {}) {
    this.fallbackCheckMs = options.fallbackCheckMs ?? 250;
  }

  register(source: ProgressSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  /**
   * True once all projections have passed `position`; false after `timeoutMs`. Wakes on progress;
   * asks the server at once and then every `fallbackCheckMs`, never in a tight loop.
   */
  async waitFor(position: number, timeoutMs = 2_000): Promise<boolean> {
    const remaining = new Set([...this.sources].filter((source) => source.appliedPosition < position));
    if (remaining.size === 0) return true;
    const deadline = Date.now() + timeoutMs;
    // Progress may arrive while the server is being asked: it is remembered, never lost to the fallback timer.
    let progressed = false;
    let wake: () => void = () => undefined;
    const unsubscribe = [...remaining].map((source) =>
      source.onProgress(() => {
        progressed = true;
        wake();
      }),
    );
    try {
      let askServer = true;
      for (;;) {
        progressed = false;
        await Promise.all(
          [...remaining].map(async (source) => {
            if (source.appliedPosition >= position || (askServer && (await source.hasPassed(position).catch(() => false)))) {
              remaining.delete(source);
            }
          }),
        );
        if (remaining.size === 0) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        if (progressed) {
          askServer = false;
          continue;
        }
        askServer = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), Math.min(this.fallbackCheckMs, left));
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = () => undefined;
      }
    } finally {
      unsubscribe.forEach((stop) => stop());
    }
  }
}
