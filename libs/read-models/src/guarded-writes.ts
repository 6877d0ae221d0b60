import type { AnyBulkWriteOperation, Collection, Document, UpdateFilter } from 'mongodb';
import type { WriteIntent } from './projection';

/** The field every read-model document carries: the position of the last event applied to it. */
export const POSITION_FIELD = '_position';

/**
 * Writes per command by default. FerretDB 1.24 keeps one of a database's 100 SQLite connections open
 * for every update that matches a document until the whole command is done (`msg_update.go` defers
 * the iterator's close inside its loop over the updates), and waits forever for a 101st: every client
 * of that database hangs. Small commands keep all writers of one database (a service's projections,
 * its replicas) far below that. On MongoDB raise it: a command costs one round trip.
 */
export const DEFAULT_MAX_WRITES_PER_COMMAND = 16;

export interface ApplyWriteOptions {
  /**
   * Writes caused by events up to this position may already be in the collection (a redelivery): each
   * document they touch is read first, and the writes its `_position` shows applied are left out. Later
   * ones cannot be applied yet and are written at once. Default: everything may be a redelivery.
   */
  guardThrough?: number;
  maxPerCommand?: number;
  /** Aborts when this writer may no longer be the only one (its consumer's pin may have passed on): no command is sent after. */
  signal?: AbortSignal;
}

/**
 * Applies a projection's writes in order, as ordered `bulkWrite`s of at most `maxPerCommand`
 * operations, each setting `_position`. Every read and write here filters by `_id` alone: the one query
 * shape FerretDB serves from an index (any other filter, `{ _id, _position: { $lt } }` included, is a
 * scan of the whole collection, once per write), so the cost of a write does not grow with the model.
 *
 * Redelivery stays harmless without a guard in the write's filter because a read model has one writer
 * at a time (its pinned consumer, which hands out one batch at a time): between reading a document's
 * `_position` and writing it, nobody else writes it.
 */
export async function applyWriteIntents(
  collection: Collection<Document>,
  intents: WriteIntent[],
  options: ApplyWriteOptions = {},
): Promise<void> {
  assertOneIntentPerDocumentAndEvent(intents);
  const guardThrough = options.guardThrough ?? Number.POSITIVE_INFINITY;
  const maxPerCommand = options.maxPerCommand ?? DEFAULT_MAX_WRITES_PER_COMMAND;
  for (let start = 0; start < intents.length; start += maxPerCommand) {
    options.signal?.throwIfAborted();
    const command = await notYetApplied(collection, intents.slice(start, start + maxPerCommand), guardThrough);
    if (command.length > 0) await collection.bulkWrite(command.map(operationFor), { ordered: true });
  }
}

/**
 * The intents whose documents do not show them applied: an intent up to `guardThrough` is left out when
 * its document's `_position` is at or past the intent's. Documents are read one `_id` at a time
 * (`$in` would be a scan on FerretDB), at most one command's worth at once.
 */
async function notYetApplied(collection: Collection<Document>, intents: WriteIntent[], guardThrough: number): Promise<WriteIntent[]> {
  const guardedIds = [...new Set(intents.filter((intent) => intent.position <= guardThrough).map((intent) => intent.id))];
  if (guardedIds.length === 0) return intents;
  const appliedThrough = new Map(
    await Promise.all(
      guardedIds.map(async (id) => {
        const document = await collection.findOne({ _id: id as never }, { projection: { [POSITION_FIELD]: 1 } });
        return [id, typeof document?.[POSITION_FIELD] === 'number' ? (document[POSITION_FIELD] as number) : 0] as const;
      }),
    ),
  );
  return intents.filter((intent) => intent.position > guardThrough || intent.position > (appliedThrough.get(intent.id) ?? 0));
}

/** The highest `_position` in the collection: every event after it is certainly not applied yet. */
export async function highestAppliedPosition(collection: Collection<Document>): Promise<number> {
  const newest = await collection.findOne({}, { sort: { [POSITION_FIELD]: -1 }, projection: { [POSITION_FIELD]: 1 } });
  return typeof newest?.[POSITION_FIELD] === 'number' ? newest[POSITION_FIELD] : 0;
}

function operationFor(intent: WriteIntent): AnyBulkWriteOperation<Document> {
  const filter = { _id: intent.id as never };
  switch (intent.kind) {
    case 'update':
      return {
        updateOne: {
          filter,
          update: { ...intent.update, $set: { ...intent.update.$set, [POSITION_FIELD]: intent.position } } as UpdateFilter<Document>,
          upsert: intent.upsert ?? true,
        },
      };
    case 'replace':
      return {
        replaceOne: { filter, replacement: { ...intent.document, [POSITION_FIELD]: intent.position }, upsert: true },
      };
    case 'delete':
      return { deleteOne: { filter } };
  }
}

/** A projection may write one document at most once per event: a second write would look applied already. */
export function assertOneIntentPerDocumentAndEvent(intents: WriteIntent[]): void {
  const seen = new Set<string>();
  for (const intent of intents) {
    const key = `${intent.position}\u0000${intent.id}`;
    if (seen.has(key)) {
      throw new Error(`two writes to document "${intent.id}" for the event at ${intent.position}: merge them into one`);
    }
    seen.add(key);
  }
}
