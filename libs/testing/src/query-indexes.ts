import type { Projection, ReadModelCollections } from '@cairn/read-models';

type Filter = Record<string, unknown>;

/** A read-model query as made: its filter and its sort. */
export interface Query {
  filter: Filter;
  sort?: Record<string, 1 | -1>;
}

/** A collection that answers nothing and notes the shape of every query made of it. */
export function recordingCollections() {
  const queries: Query[] = [];
  const collection = {
    find(filter: Filter) {
      const query: Query = { filter };
      queries.push(query);
      const cursor = {
        sort: (sort: Record<string, 1 | -1>) => ((query.sort = sort), cursor),
        limit: () => cursor,
        toArray: async () => [],
      };
      return cursor;
    },
    findOne: async (filter: Filter) => (queries.push({ filter }), null),
    countDocuments: async (filter: Filter) => (queries.push({ filter }), 0),
  };
  return { queries, collections: { resolve: async () => collection } as unknown as ReadModelCollections };
}

const isOperator = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).every((key) => key.startsWith('$'));

/**
 * MongoDB serves a query from an index whose keys are its equality fields (any order), then its sort
 * fields in order (all in the index's direction or all reversed), a range only on the sort field.
 * A lookup by `_id` alone has its own index (FerretDB's one, too).
 */
export function isServedBy(key: Record<string, number>, { filter, sort = {} }: Query): boolean {
  const fields = Object.keys(filter);
  if (fields.length === 1 && fields[0] === '_id' && !isOperator(filter._id)) return true;
  const equality = fields.filter((field) => !isOperator(filter[field]));
  const ranges = fields.filter((field) => isOperator(filter[field]));
  const keys = Object.keys(key);
  const leading = new Set(keys.slice(0, equality.length));
  if (equality.some((field) => !leading.has(field))) return false;
  const sortFields = Object.keys(sort);
  const following = keys.slice(equality.length, equality.length + sortFields.length);
  if (following.join() !== sortFields.join()) return false;
  const directions = sortFields.map((field) => sort[field] * key[field]);
  if (!directions.every((direction) => direction === directions[0])) return false;
  return ranges.every((field) => sortFields.includes(field));
}

/** The queries no index of the projection serves. */
export function unservedQueries(projection: Projection, queries: Query[]): Query[] {
  const keys = (projection.indexes ?? []).map((index) => index.key as Record<string, number>);
  return queries.filter((query) => !keys.some((key) => isServedBy(key, query)));
}
