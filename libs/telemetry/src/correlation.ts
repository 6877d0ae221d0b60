import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the events a piece of work appends are recorded as part of: `correlationid` is shared by
 * everything one request caused, across services; `causationid` names what caused this work directly
 * (the request, or the event a handler is answering).
 */
export interface Correlation {
  correlationid: string;
  causationid: string;
}

const current = new AsyncLocalStorage<Correlation>();

/** Runs `work` (and everything it awaits) as part of `correlation`. */
export function withCorrelation<T>(correlation: Correlation, work: () => T): T {
  return current.run(correlation, work);
}

/** The correlation of the request or event being handled, if any. */
export function currentCorrelation(): Correlation | undefined {
  return current.getStore();
}

/** What a handler of `event` works as part of: the event's request, caused by the event. */
export function correlationOfEvent(event: { id: string; correlationid?: string }): Correlation {
  return { correlationid: event.correlationid ?? event.id, causationid: event.id };
}
