import { Conditions } from './conditions';

/**
 * What this process has seen of the log, event by event (position and category), from some position on:
 * enough to answer "the first event of these categories between two positions" without asking the
 * server, for a range it has seen whole. `FollowerProgress` asks it first; it asks the server only for
 * what the index cannot tell.
 */
export interface LogIndex {
  /** Every event from where the index starts up to here has been seen. */
  readonly position: number;
  /** True once `position` has reached `target`; false at `deadline`, or at once if the index has stopped following. */
  reach(target: number, deadline: number): Promise<boolean>;
  /**
   * The first event of the categories in (after, through]; undefined when there is none; null when the
   * index has not seen that whole range (it starts later, or has not got to `through` yet).
   */
  firstBetween(after: number, through: number, categories: string[]): number | undefined | null;
}

/**
 * A `LogIndex` fed by a tail of the log (`seen`, in position order). It keeps the newest `capacity`
 * events; older ones are forgotten, and ranges that reach back to them are left to the server.
 */
export class RecentLog implements LogIndex {
  private positions: number[] = [];
  private categoryIds: number[] = [];
  private readonly categoryIdOf = new Map<string, number>();
  /** Every event after this one has been seen (up to `position`). */
  private seenAfter: number;
  private latest: number;
  private following = true;
  private readonly reachers = new Conditions();

  /** `startAfter`: the head the tail starts after, which it has not seen the events up to. */
  constructor(
    startAfter: number,
    private readonly capacity = 100_000,
  ) {
    this.seenAfter = startAfter;
    this.latest = startAfter;
  }

  get position(): number {
    return this.latest;
  }

  /** The tail delivered the event at `position` of `category` (`<context>_<aggregate>`); positions only grow. */
  seen(position: number, category: string): void {
    if (position <= this.latest) return;
    let id = this.categoryIdOf.get(category);
    if (id === undefined) {
      id = this.categoryIdOf.size;
      this.categoryIdOf.set(category, id);
    }
    this.positions.push(position);
    this.categoryIds.push(id);
    this.latest = position;
    if (this.positions.length > this.capacity) this.forgetOldest();
    this.reachers.recheck();
  }

  /** The tail has stopped: nothing more will be seen, and waits for more end now. */
  stopped(): void {
    this.following = false;
    this.reachers.endAll(false);
  }

  reach(target: number, deadline: number): Promise<boolean> {
    if (!this.following) return Promise.resolve(target <= this.latest);
    return this.reachers.until(() => target <= this.latest, deadline);
  }

  firstBetween(after: number, through: number, categories: string[]): number | undefined | null {
    if (after < this.seenAfter || through > this.latest) return null;
    const wanted = new Set(categories.map((category) => this.categoryIdOf.get(category)).filter((id) => id !== undefined));
    if (wanted.size === 0) return undefined;
    for (let index = this.firstIndexAfter(after); index < this.positions.length && this.positions[index] <= through; index++) {
      if (wanted.has(this.categoryIds[index])) return this.positions[index];
    }
    return undefined;
  }

  /** The index of the first seen event after `position` (binary search: positions are in order). */
  private firstIndexAfter(position: number): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.positions[middle] <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Keeps the newer half: a range that starts before it is the server's to answer. */
  private forgetOldest(): void {
    const kept = Math.floor(this.capacity / 2);
    const dropped = this.positions.length - kept;
    this.seenAfter = this.positions[dropped - 1];
    this.positions = this.positions.slice(dropped);
    this.categoryIds = this.categoryIds.slice(dropped);
  }
}
