import type { Projection, ReadModelCollections } from '@cairn/read-models';
import { encodeCursor } from '@cairn/http';
import { CommentsView, commentsViewProjection } from './comments-view.projection';
import { LogbookReferences } from './logbook-references.projection';
import { LogbookView, logbookViewProjection } from './logbook-view.projection';

type Filter = Record<string, unknown>;
interface Query {
  filter: Filter;
  sort?: Record<string, 1 | -1>;
}

/** A collection that answers nothing and notes the shape of every query made of it. */
function recordingCollections() {
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
function isServedBy(key: Record<string, number>, { filter, sort = {} }: Query): boolean {
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

function unservedQueries(projection: Projection, queries: Query[]): Query[] {
  const keys = (projection.indexes ?? []).map((index) => index.key as Record<string, number>);
  return queries.filter((query) => !keys.some((key) => isServedBy(key, query)));
}

describe('every query of the logbook’s read models has a MongoDB index (FerretDB serves only `_id` lookups from one)', () => {
  const cursor = encodeCursor(7);

  it('logbook_view: entries, revisions and best-jobs records, first pages and later ones, and the lookups by id', async () => {
    const { queries, collections } = recordingCollections();
    const view = new LogbookView(collections);
    await view.entries('p1', 10);
    await view.entries('p1', 10, cursor);
    await view.revisions('e1', 10);
    await view.revisions('e1', 10, cursor);
    await view.revision('e1', 2);
    await view.entry('p1', 'e1');
    await view.bestJobsRecords('p1', 1);
    await view.bestJobsRecords('p1', 10, cursor);
    expect(queries).toHaveLength(8);
    expect(unservedQueries(logbookViewProjection, queries)).toEqual([]);
  });

  it('comments_view: the thread, its count, a comment and its versions', async () => {
    const { queries, collections } = recordingCollections();
    const view = new CommentsView(collections);
    await view.thread('job/j1', 10);
    await view.thread('job/j1', 10, cursor);
    await view.count('job/j1');
    await view.comment('job/j1', 'c1');
    await view.versions('c1');
    expect(queries).toHaveLength(5);
    expect(unservedQueries(commentsViewProjection, queries)).toEqual([]);
  });

  it('logbook_references: lookups by id alone', async () => {
    const { queries, collections } = recordingCollections();
    const references = new LogbookReferences(collections);
    await references.jobs(['j1', 'j2', 'j1']);
    await references.projectsOfExperiment('x1');
    expect(queries).toEqual([{ filter: { _id: 'job/j1' } }, { filter: { _id: 'job/j2' } }, { filter: { _id: 'experiment/x1' } }]);
  });

  it('and the check itself tells a served query from an unserved one', () => {
    const key = { kind: 1, projectId: 1, addedPosition: -1 };
    expect(isServedBy(key, { filter: { projectId: 'p1', kind: 'entry' }, sort: { addedPosition: 1 } })).toBe(true);
    expect(isServedBy(key, { filter: { projectId: 'p1' }, sort: { addedPosition: -1 } })).toBe(false);
    expect(isServedBy(key, { filter: { kind: 'entry', projectId: 'p1' }, sort: { createdAt: -1 } })).toBe(false);
    expect(isServedBy(key, { filter: { kind: 'entry', projectId: 'p1', title: { $gt: 'a' } }, sort: { addedPosition: -1 } })).toBe(false);
  });
});
