import type { ReadModelDocument } from '@cairn/read-models';
import type { Collection, Document } from 'mongodb';

/**
 * The document with this `_id`, if it has each of `expected`'s values (its kind, whose it is). FerretDB
 * serves only a filter on `_id` alone from an index, so the rest is checked here, not in the filter.
 */
export async function documentById<T extends Document>(collection: Collection<ReadModelDocument>, id: string, expected: Partial<T> = {}): Promise<T | undefined> {
  const document = (await collection.findOne({ _id: id })) as unknown as Record<string, unknown> | null;
  if (!document || Object.entries(expected).some(([field, value]) => document[field] !== value)) return undefined;
  return document as T;
}
