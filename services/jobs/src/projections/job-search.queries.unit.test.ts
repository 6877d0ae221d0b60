import type { IndexDescription } from 'mongodb';
import { JOB_STATUSES } from '../domain/job';
import { JOB_SEARCH_INDEXES, jobSearchQuery, jobsInStateQuery, lineageQuery, type JobSearchFilter, type QueryShape } from './job-search.queries';
import { JOB_TRIGGERERS_INDEXES, triggerersQuery } from './job-triggerers.projection';

/**
 * FerretDB uses no secondary index, so no test against it can show that a search is index-backed on
 * MongoDB. This one does it by shape: every filter-and-sort shape the search can produce must have an
 * index that starts with its equality fields (in any order), continues with its sort, and bounds its
 * range fields after that (MongoDB's equality-sort-range rule).
 */
function servingIndex(shape: QueryShape, indexes = JOB_SEARCH_INDEXES): IndexDescription | undefined {
  return indexes.find(({ key }) => {
    const fields = Object.entries(key as Record<string, 1 | -1>);
    const equality = fields.slice(0, shape.equality.length).map(([field]) => field);
    const sort = fields.slice(shape.equality.length, shape.equality.length + shape.sort.length);
    const after = fields.slice(shape.equality.length + shape.sort.length).map(([field]) => field);
    const sortFields = shape.sort.map(([field]) => field);
    return (
      equality.length === shape.equality.length &&
      shape.equality.every((field) => equality.includes(field)) &&
      JSON.stringify(sort) === JSON.stringify(shape.sort) &&
      shape.ranges.every((field) => sortFields.includes(field) || after.includes(field))
    );
  });
}

/** Every combination of the documented filters: triggerer, template, status, machine, project(s), time range, free text. */
function everySearch(): JobSearchFilter[] {
  const options: Partial<Record<keyof JobSearchFilter, unknown[]>> = {
    projectIds: [['p1'], ['p1', 'p2']],
    triggeredBy: [undefined, 'u-carol'],
    status: [undefined, ['running'], ['succeeded', 'failed']],
    machine: [undefined, ['gpu/turbo'], ['gpu/standard', 'gpu/turbo']],
    templatePrefix: [undefined, 'render'],
    from: [undefined, '2026-01-01T00:00:00.000Z'],
    to: [undefined, '2026-02-01T00:00:00.000Z'],
    words: [undefined, ['cartoon'], ['cartoon', 'all']],
  };
  return Object.entries(options).reduce<JobSearchFilter[]>(
    (searches, [name, values]) => searches.flatMap((search) => values!.map((value) => (value === undefined ? search : { ...search, [name]: value }))),
    [{ projectIds: [] }],
  );
}

describe('job_search: "A compound index serves every documented filter (equality, sort, range in that order)"', () => {
  const searches = everySearch();

  it(`each of the ${searches.length} combinations of filters has an index with its prefix`, () => {
    const unserved = searches.filter((search) => servingIndex(jobSearchQuery(search).shape) === undefined);
    expect(unserved.map((search) => JSON.stringify(search))).toEqual([]);
  });

  it('leaves filters to the documents only where the index is multikey (free text), never the project', () => {
    for (const search of searches) {
      const { shape } = jobSearchQuery(search);
      expect(shape.equality[0]).toBe('projectId');
      if (!search.words) expect(shape.residual).toEqual([]);
    }
  });

  it('the count of jobs in each state (/metrics) has an index of its own', () => {
    for (const status of JOB_STATUSES) expect(servingIndex(jobsInStateQuery(status).shape)).toEqual({ key: { status: 1 } });
  });

  it('the lineage of a job (its chain of reruns, oldest first) has an index of its own, led by the project', () => {
    const { filter, sort, shape } = lineageQuery('p1', 'j1');
    expect(filter).toEqual({ projectId: 'p1', rootJobId: 'j1' });
    expect(sort).toEqual({ createdAt: 1, _id: 1 });
    expect(servingIndex(shape)).toEqual({ key: { projectId: 1, rootJobId: 1, createdAt: 1, _id: 1 } });
  });

  it('a newest-first page resumes after the last item of the previous one', () => {
    const { filter, sort } = jobSearchQuery({ projectIds: ['p1'], status: ['running'] }, ['2026-01-02T00:00:00.000Z', 'j9']);
    expect(sort).toEqual({ createdAt: -1, _id: -1 });
    expect(filter).toEqual({
      $and: [
        { projectId: 'p1', status: 'running' },
        { $or: [{ createdAt: { $lt: '2026-01-02T00:00:00.000Z' } }, { createdAt: '2026-01-02T00:00:00.000Z', _id: { $lt: 'j9' } }] },
      ],
    });
  });

  it('the check itself refuses a shape no index serves', () => {
    expect(servingIndex({ equality: ['projectId', 'runnerId'], sort: [['createdAt', -1], ['_id', -1]], ranges: [], residual: [] })).toBeUndefined();
    expect(servingIndex({ equality: ['projectId'], sort: [['templateLower', 1]], ranges: [], residual: [] })).toBeUndefined();
  });
});

describe('job_triggerers: whom "Search by triggerer" suggests across projects is read through an index', () => {
  it.each([[['p1']], [['p1', 'p2', 'p3']]])('the people of projects %j: the {projectId, triggeredBy} index serves the filter and holds all it reads', (projectIds) => {
    const { shape, projection } = triggerersQuery(projectIds);
    expect(servingIndex(shape, JOB_TRIGGERERS_INDEXES)).toEqual({ key: { projectId: 1, triggeredBy: 1 } });
    expect(Object.keys(projection).filter((field) => projection[field] === 1)).toEqual(['triggeredBy']);
  });
});
