import { decodeCursor, encodeCursor, type Page } from '@cairn/http';
import type { Collection, Filter, Sort } from 'mongodb';

/** Read-model documents are keyed by string ids (event-sourced ids), not ObjectIds. */
export interface ReadModelDocument {
  _id: string;
  [field: string]: unknown;
}

/** Text as a regular expression that matches it literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `q` as an anchored, case-insensitive prefix: served by the index on the lower-cased field (no `$text`). */
export function prefixOf(q: string): { $regex: string } {
  return { $regex: `^${escapeRegex(q.toLowerCase())}` };
}

/**
 * One page of a list sorted by `field` (a string) then `_id`, both ascending (or both descending: newest first),
 * resumed after an opaque cursor holding the last item's pair (keyset pagination: stable while
 * documents are added).
 */
export async function pageBy<T extends { _id: string }, S extends { _id: string } = ReadModelDocument>(
  collection: Collection<S>,
  filter: Filter<S>,
  field: keyof T & string,
  limit: number,
  cursor?: string,
  order: 'ascending' | 'descending' = 'ascending',
): Promise<Page<T>> {
  const after = decodeCursor(cursor, ['string', 'string']);
  const beyond = order === 'ascending' ? '$gt' : '$lt';
  const resumed = (
    after ? { $and: [filter, { $or: [{ [field]: { [beyond]: after[0] } }, { [field]: after[0], _id: { [beyond]: after[1] } }] }] } : filter
  ) as Filter<S>;
  const direction = order === 'ascending' ? 1 : -1;
  const sort: Sort = { [field]: direction, _id: direction };
  const documents = (await collection.find(resumed).sort(sort).limit(limit + 1).toArray()) as unknown as T[];
  const items = documents.slice(0, limit);
  const last = items[items.length - 1] as (T & Record<string, unknown>) | undefined;
  return { items, nextCursor: documents.length > limit && last ? encodeCursor([last[field], last._id]) : null };
}
