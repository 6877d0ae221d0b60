import { parseEventType } from './event-definition';
import { EventRegistry } from './registry';

/**
 * Turns the data of one published version of an event into the next version's shape. Published
 * versions never change, so an old event stays in the store as written and is lifted on every read.
 */
export interface Upcaster<TFrom = unknown, TTo = unknown> {
  from: string;
  to: string;
  upcast(data: TFrom): TTo;
}

/** Anything carrying a typed payload: a stored envelope or a `{ type, data }` domain event. */
interface TypedPayload {
  type: string;
  data: unknown;
}

/**
 * The upcasters of the platform, chained: an event is lifted step by step (v1 → v2 → v3) until no
 * upcaster starts at its type, so readers and consumers only ever see the newest version.
 */
export class Upcasters {
  private readonly byFrom = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) {
      const from = parseEventType(upcaster.from);
      const to = parseEventType(upcaster.to);
      if (from.context !== to.context || from.aggregate !== to.aggregate || from.fact !== to.fact) {
        throw new Error(`upcaster ${upcaster.from} → ${upcaster.to} must stay within one event (only the version changes)`);
      }
      if (to.version <= from.version) {
        throw new Error(`upcaster ${upcaster.from} → ${upcaster.to} must go to a newer version`);
      }
      if (this.byFrom.has(upcaster.from)) throw new Error(`two upcasters start at ${upcaster.from}`);
      this.byFrom.set(upcaster.from, upcaster);
    }
  }

  /** The event at its newest version; the very same object when it already is. */
  upcast<TEvent extends TypedPayload>(event: TEvent): TEvent {
    let current = event;
    for (let step = this.byFrom.get(current.type); step; step = this.byFrom.get(current.type)) {
      current = { ...current, type: step.to, data: step.upcast(current.data) };
    }
    return current;
  }

  /** The type an event of `type` ends up as after upcasting. */
  targetOf(type: string): string {
    let current = type;
    for (let step = this.byFrom.get(current); step; step = this.byFrom.get(current)) current = step.to;
    return current;
  }

  /**
   * Every upcaster joins two registered types, and every superseded version in the registry reaches
   * its newest version: a new event version without its upcaster fails at start-up.
   */
  assertConsistentWith(registry: EventRegistry): void {
    const problems: string[] = [];
    for (const upcaster of this.byFrom.values()) {
      for (const end of [upcaster.from, upcaster.to]) {
        if (!registry.has(end)) problems.push(`upcaster ${upcaster.from} → ${upcaster.to}: ${end} is not registered`);
      }
    }
    for (const { type } of registry.all()) {
      const latest = registry.latestVersionOf(type);
      const reached = this.targetOf(type);
      if (reached !== latest) problems.push(`${type} is upcast to ${reached}, but the newest version is ${latest}`);
    }
    if (problems.length > 0) throw new Error(`event upcasters do not match the catalogue:\n  ${problems.join('\n  ')}`);
  }
}
