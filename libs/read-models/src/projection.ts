import type { Db, Document, IndexDescription } from 'mongodb';
import type { NatsConnection } from 'nats';
import { categoriesOfEventTypes, type CairnEvent, type PublishedEventType, type StoredEventOf } from '@cairn/contracts';

type Fields = Record<string, unknown>;

/** The update operators both MongoDB and FerretDB serve (DESIGN §3); dotted paths as in MongoDB. */
export interface ReadModelUpdate {
  $set?: Fields;
  $unset?: Record<string, '' | 1 | true>;
  $inc?: Record<string, number>;
  $setOnInsert?: Fields;
  $push?: Fields;
  $addToSet?: Fields;
  $pull?: Fields;
  $max?: Fields;
  $min?: Fields;
}

/**
 * What a projection wants written, caused by the event at `position`. The runner guards each write by
 * the document's `_position` (the last position applied to it): it applies only if that is older, and
 * sets it. So a redelivered event changes nothing, and `$inc`/`$push` are safe.
 *
 * At most one intent per document per event: a second one with the same position would look applied.
 */
export type WriteIntent =
  /** Update (by default creating the document if missing). */
  | { kind: 'update'; id: string; position: number; update: ReadModelUpdate; upsert?: boolean }
  /** Replace the whole document (created if missing). */
  | { kind: 'replace'; id: string; position: number; document: Document }
  /**
   * Remove the document. Redeliveries always replay in order up to and past the delete (one active
   * consumer, failed batches given back whole), so an earlier event re-creating it is deleted again.
   */
  | { kind: 'delete'; id: string; position: number };

/** A read model: one MongoDB collection built from events of some published types. */
export interface Projection<E extends PublishedEventType = PublishedEventType> {
  /** Read model name (`job_search`): names its collections, pointer, checkpoint and consumer. */
  name: string;
  /** The event types it reads, each once. */
  eventTypes: readonly E[];
  /** `<context>_<aggregate>` categories it consumes: the ones whose streams carry `eventTypes`. */
  categories: string[];
  /** Bump when `handle` changes meaning (a type read more or less too): the runner then rebuilds the model from position 0. */
  version: number;
  /** Created on every new collection before anything is written to it. */
  indexes?: IndexDescription[];
  /**
   * Pure: a batch of events in position order → the writes they cause, in order. Events of the same
   * categories whose types it does not read are passed over.
   */
  handle(events: readonly CairnEvent[]): WriteIntent[];
}

/** One handler per event type read: what it makes of one event of that type. */
export type EventHandlers<E extends PublishedEventType, R> = { [T in E]: (event: StoredEventOf<T>) => R[] };

interface ProjectionDefinition<E extends PublishedEventType, R> {
  name: string;
  version: number;
  indexes?: IndexDescription[];
  /** The keys are the types it reads, listed once; the categories follow from them. */
  on: EventHandlers<E, R>;
}

/** A projection whose handlers each return the writes their event causes. */
export function defineProjection<E extends PublishedEventType>(definition: ProjectionDefinition<E, WriteIntent>): Projection<E> {
  return defineBatchedProjection({ ...definition, combine: (writes) => writes });
}

/**
 * A projection whose handlers record something per event, and `combine` turns a batch's records, in
 * order, into its writes: for models where each write costs much, one write per document per batch.
 */
export function defineBatchedProjection<E extends PublishedEventType, R>(
  definition: ProjectionDefinition<E, R> & { combine(recorded: R[]): WriteIntent[] },
): Projection<E> {
  const { name, version, indexes, on, combine } = definition;
  const eventTypes = Object.keys(on).filter((type): type is E => Object.hasOwn(on, type));
  const read: ReadonlySet<string> = new Set(eventTypes);
  // Consumed events were validated against the schema of their type (`validateOnConsume`), so an event
  // of a type read here carries that type's data.
  const isRead = (event: CairnEvent): event is StoredEventOf<E> => read.has(event.type);
  const recordedBy = <T extends E>(type: T, event: StoredEventOf<T>): R[] => on[type](event);
  return {
    name,
    version,
    ...(indexes && { indexes }),
    eventTypes,
    categories: categoriesOfEventTypes(eventTypes),
    handle: (events) => combine(events.filter(isRead).flatMap((event) => recordedBy(event.type, event))),
  };
}

/** Where a projection runs: the bus it reads and the database its model lives in. */
export interface ProjectionContext {
  nc: NatsConnection;
  db: Db;
  projection: Projection;
  /** Its durable consumer's name, unique on the events stream; default the projection's name. */
  consumerName?: string;
  streamName?: string;
  subjectPrefix?: string;
  /** Operations per write command (see `DEFAULT_MAX_WRITES_PER_COMMAND`). */
  maxWritesPerCommand?: number;
  onError?(error: Error): void;
}
