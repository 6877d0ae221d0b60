interface Waiter {
  isMet(): boolean;
  settle(met: boolean): void;
}

/**
 * Waits of a model's readers for a condition on it, each with its own deadline: the model calls
 * `recheck` when it changes, and `endAll` when it stops changing for good.
 */
export class Conditions {
  private readonly waiters = new Set<Waiter>();

  /** True once `isMet` holds; false at `deadline`, or when ended. */
  until(isMet: () => boolean, deadline: number): Promise<boolean> {
    if (isMet()) return Promise.resolve(true);
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        isMet,
        settle: (met) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(met);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), remaining);
      // A reader's bound must not keep the process alive.
      timer.unref();
      this.waiters.add(waiter);
    });
  }

  /** The model changed: the waits whose condition now holds end true. */
  recheck(): void {
    for (const waiter of this.waiters) if (waiter.isMet()) waiter.settle(true);
  }

  /** Every wait under way ends with `met`. */
  endAll(met: boolean): void {
    for (const waiter of this.waiters) waiter.settle(met);
  }
}
