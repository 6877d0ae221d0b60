import { decodeCursor, encodeCursor, type Page } from '@cairn/http';
import type { ReadModelDocument } from '@cairn/read-models';
import type { Collection, Document, Filter } from 'mongodb';

/**
 * One page of `filter`'s documents ordered by `field`, a number unique among them (a position, a
 * version), ascending (1) or descending (-1), resumed after an opaque cursor holding the last one's
 * value (keyset pagination: stable while documents are added).
 */
export async function pageByNumber<T extends Document>(
  collection: Collection<ReadModelDocument>,
  filter: Filter<ReadModelDocument>,
  field: keyof T & string,
  order: 1 | -1,
  limit: number,
  cursor?: string,
): Promise<Page<T>> {
  const after = decodeCursor(cursor, 'number');
  const resumed = after === undefined ? filter : { ...filter, [field]: order === 1 ? { $gt: after } : { $lt: after } };
  const documents = (await collection.find(resumed).sort({ [field]: order }).limit(limit + 1).toArray()) as unknown as T[];
  const items = documents.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: documents.length > limit && last ? encodeCursor(last[field]) : null };
}

/**
 * The document with this `_id`, if it has each of `expected`'s values (its kind, whose it is). FerretDB
 * serves only a filter on `_id` alone from an index, so the rest is checked here, not in the filter.
 */
export async function documentById<T extends Document>(collection: Collection<ReadModelDocument>, id: string, expected: Partial<T> = {}): Promise<T | undefined> {
  const document = (await collection.findOne({ _id: id })) as unknown as Record<string, unknown> | null;
  if (!document || Object.entries(expected).some(([field, value]) => document[field] !== value)) return undefined;
  return document as T;
}
