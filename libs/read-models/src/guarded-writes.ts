import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type UpdateFilter,
} from 'mongodb';
import type { WriteIntent } from './projection';

/** The field every read-model document carries: the position of the last event applied to it. */
export const POSITION_FIELD = '_position';

const DUPLICATE_KEY = 11000;

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
   * Writes caused by events up to this position may already be in the collection (a redelivery): they
   * are guarded by `_position`. Later ones cannot be, and go by `_id` alone. Default: guard everything.
   *
   * Why not always guard: FerretDB runs a query by `_id` as an indexed lookup only when `_id` is the
   * whole filter (`backends/sqlite/collection.go`); `{ _id, _position: { $lt } }` scans the collection,
   * once per write. So the runner guards just what can have been applied before: see its `guardThrough`.
   */
  guardThrough?: number;
  maxPerCommand?: number;
}

/**
 * Applies a projection's writes in order, as ordered `bulkWrite`s of at most `maxPerCommand`
 * operations, each setting `_position`.
 *
 * A guarded write applies only if the document's `_position` is older than its event. A guarded upsert
 * whose guard fails turns into an insert of an existing `_id`: a duplicate-key error that means
 * "already applied". An ordered bulk stops there, and FerretDB does not report reliably which operation
 * failed; since guarded writes are idempotent (and a command holds only guarded or only unguarded
 * ones), that command is then replayed one operation at a time, and a duplicate key counts as applied
 * when the document's `_position` confirms it (one on another unique index is a real failure).
 */
export async function applyWriteIntents(
  collection: Collection<Document>,
  intents: WriteIntent[],
  options: ApplyWriteOptions = {},
): Promise<void> {
  assertOneIntentPerDocumentAndEvent(intents);
  const guardThrough = options.guardThrough ?? Number.POSITIVE_INFINITY;
  for (const command of commands(intents, guardThrough, options.maxPerCommand ?? DEFAULT_MAX_WRITES_PER_COMMAND)) {
    const operations = command.intents.map((intent) => operationFor(intent, command.guarded));
    try {
      await collection.bulkWrite(operations, { ordered: true });
    } catch (error) {
      if (!command.guarded || !isDuplicateKey(error)) throw error;
      for (const [index, operation] of operations.entries()) {
        await applyOne(collection, operation, command.intents[index]);
      }
    }
  }
}

/**
 * Consecutive intents, at most `maxPerCommand` per command, guarded and unguarded ones never mixed:
 * replaying a command after a duplicate key is only safe when every write in it is guarded.
 */
function commands(
  intents: WriteIntent[],
  guardThrough: number,
  maxPerCommand: number,
): Array<{ guarded: boolean; intents: WriteIntent[] }> {
  const result: Array<{ guarded: boolean; intents: WriteIntent[] }> = [];
  for (const intent of intents) {
    const guarded = intent.position <= guardThrough;
    const last = result[result.length - 1];
    if (last && last.guarded === guarded && last.intents.length < maxPerCommand) last.intents.push(intent);
    else result.push({ guarded, intents: [intent] });
  }
  return result;
}

/** The highest `_position` in the collection: every event after it is certainly not applied yet. */
export async function highestAppliedPosition(collection: Collection<Document>): Promise<number> {
  const newest = await collection.findOne({}, { sort: { [POSITION_FIELD]: -1 }, projection: { [POSITION_FIELD]: 1 } });
  return typeof newest?.[POSITION_FIELD] === 'number' ? newest[POSITION_FIELD] : 0;
}

async function applyOne(
  collection: Collection<Document>,
  operation: AnyBulkWriteOperation<Document>,
  intent: WriteIntent,
): Promise<void> {
  try {
    await collection.bulkWrite([operation], { ordered: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const current = await collection.findOne({ _id: intent.id as never }, { projection: { [POSITION_FIELD]: 1 } });
    const applied = typeof current?.[POSITION_FIELD] === 'number' && current[POSITION_FIELD] >= intent.position;
    if (!applied) throw error;
  }
}

function operationFor(intent: WriteIntent, guard: boolean): AnyBulkWriteOperation<Document> {
  const filter = guard ? { _id: intent.id as never, [POSITION_FIELD]: { $lt: intent.position } } : { _id: intent.id as never };
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

function isDuplicateKey(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return error.code === DUPLICATE_KEY || writeErrors.some((writeError) => writeError?.code === DUPLICATE_KEY);
  }
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}
