import { decodeCursor, encodeCursor, type Page } from '@cairn/http';
import type { Collection, Document, Filter, Sort } from 'mongodb';

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
  return pageOf(documents, limit, (last) => [last[field], last._id]);
}

/**
 * One page of `filter`'s documents ordered by `field`, a number unique among them (a position, a
 * version), ascending (1) or descending (-1), resumed after an opaque cursor holding the last one's
 * value (keyset pagination: stable while documents are added).
 */
export async function pageByNumber<T extends Document, S extends Document = ReadModelDocument>(
  collection: Collection<S>,
  filter: Filter<S>,
  field: keyof T & string,
  order: 1 | -1,
  limit: number,
  cursor?: string,
): Promise<Page<T>> {
  const after = decodeCursor(cursor, 'number');
  const resumed = (after === undefined ? filter : { ...filter, [field]: order === 1 ? { $gt: after } : { $lt: after } }) as Filter<S>;
  const documents = (await collection.find(resumed).sort({ [field]: order }).limit(limit + 1).toArray()) as unknown as T[];
  return pageOf(documents, limit, (last) => last[field]);
}

/**
 * The page of at most `limit` items of `documents`, which were read with a limit of `limit + 1`: the one
 * beyond says that a next page exists, which resumes after the cursor `cursorOf` makes of the page's last item.
 */
export function pageOf<T>(documents: T[], limit: number, cursorOf: (last: T) => unknown): Page<T> {
  const items = documents.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: documents.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
