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
 * Applies a projection's writes in one ordered `bulkWrite`, each guarded by `_position`.
 *
 * An upsert whose guard fails because the document already holds this event (or a later one) turns
 * into an insert of an existing `_id`: a duplicate-key error that means "already applied". An ordered
 * bulk stops there, and FerretDB does not report reliably which operation failed; since every guarded
 * write is idempotent, the batch is then simply replayed one operation at a time, and a duplicate key
 * counts as applied when the document's `_position` confirms it (a duplicate on another unique index
 * is a real failure and is rethrown).
 */
export async function applyWriteIntents(collection: Collection<Document>, intents: WriteIntent[]): Promise<void> {
  if (intents.length === 0) return;
  assertOneIntentPerDocumentAndEvent(intents);
  const operations = intents.map(guarded);
  try {
    await collection.bulkWrite(operations, { ordered: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    for (const [index, operation] of operations.entries()) {
      await applyOne(collection, operation, intents[index]);
    }
  }
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

function guarded(intent: WriteIntent): AnyBulkWriteOperation<Document> {
  const filter = { _id: intent.id as never, [POSITION_FIELD]: { $lt: intent.position } };
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

function assertOneIntentPerDocumentAndEvent(intents: WriteIntent[]): void {
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
