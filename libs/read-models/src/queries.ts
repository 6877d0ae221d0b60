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
 * One page of a list sorted by `field` then `_id`, both ascending, resumed after an opaque cursor holding
 * the last item's pair (keyset pagination: stable while documents are added).
 */
export async function pageBy<T extends { _id: string }, S extends { _id: string } = ReadModelDocument>(
  collection: Collection<S>,
  filter: Filter<S>,
  field: keyof T & string,
  limit: number,
  cursor?: string,
): Promise<Page<T>> {
  const after = decodeCursor<[unknown, string]>(cursor);
  const resumed = (
    after ? { $and: [filter, { $or: [{ [field]: { $gt: after[0] } }, { [field]: after[0], _id: { $gt: after[1] } }] }] } : filter
  ) as Filter<S>;
  const sort: Sort = { [field]: 1, _id: 1 };
  const documents = (await collection.find(resumed).sort(sort).limit(limit + 1).toArray()) as unknown as T[];
  const items = documents.slice(0, limit);
  const last = items[items.length - 1] as (T & Record<string, unknown>) | undefined;
  return { items, nextCursor: documents.length > limit && last ? encodeCursor([last[field], last._id]) : null };
}
