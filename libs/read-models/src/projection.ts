import type { Db, Document, IndexDescription } from 'mongodb';
import type { NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';

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

/** A read model: one MongoDB collection built from the events of some categories. */
export interface Projection {
  /** Read model name (`job_search`): names its collections, pointer, checkpoint and consumer. */
  name: string;
  /** `<context>_<aggregate>` categories it reads. */
  categories: string[];
  /** Bump when `handle` changes meaning: the runner then rebuilds the model from position 0. */
  version: number;
  /** Created on every new collection before anything is written to it. */
  indexes?: IndexDescription[];
  /** Pure: a batch of events in position order → the writes they cause, in order. */
  handle(events: CairnEvent[]): WriteIntent[] | Promise<WriteIntent[]>;
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
