import { encodeCursor } from '@cairn/http';
import { isServedBy, recordingCollections, unservedQueries } from '@cairn/testing';
import { CommentsView, commentsViewProjection } from './comments-view.projection';
import { LogbookReferences } from './logbook-references.projection';
import { LogbookView, logbookViewProjection } from './logbook-view.projection';

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
