import { projectionSpec, recordingCollections, storedEvents, unservedQueries } from '@cairn/testing';
import { annotationById, annotationsPage, stackAnnotationsProjection } from './stack-annotations.projection';

const log = storedEvents();
const box = { kind: 'rectangle' as const, x: 10, y: 20, width: 30, height: 5 };
const bob = { userId: 'u-bob', username: 'bob' };
const annotated = log.event('projects.stack.annotated.v1', {
  stackId: 's1',
  experimentId: 'e1',
  projectId: 'p1',
  annotationId: 'a1',
  frame: 2,
  version: 1,
  body: 'Crack here, @bob',
  pin: box,
  mentions: [bob],
  actor: 'u-cy',
});
const listed = {
  _id: 'a1',
  stackId: 's1',
  experimentId: 'e1',
  projectId: 'p1',
  frame: 2,
  version: 1,
  body: 'Crack here, @bob',
  pin: box,
  mentions: [bob],
  author: 'u-cy',
  createdAt: annotated.time,
  versions: [{ version: 1, body: 'Crack here, @bob', pin: box, at: annotated.time }],
};

describe('stack annotations: "Commenters and above annotate a frame of a stack; viewers see annotations" (L-19)', () => {
  it('an annotation is listed under its stack with its frame, pin, mentions and author', () => {
    projectionSpec(stackAnnotationsProjection).when([annotated]).then([listed]);
  });

  it('an edit becomes the latest version, and every version is kept', () => {
    const edited = log.event('projects.stack.annotation-edited.v1', { stackId: 's1', experimentId: 'e1', projectId: 'p1', annotationId: 'a1', frame: 2, version: 2, body: 'Two cracks', mentions: [], actor: 'u-cy' });
    const { pin: _pin, ...unpinned } = listed;
    projectionSpec(stackAnnotationsProjection)
      .given([annotated])
      .when([edited])
      .then([{ ...unpinned, version: 2, body: 'Two cracks', mentions: [], editedAt: edited.time, versions: [...listed.versions, { version: 2, body: 'Two cracks', at: edited.time }] }]);
  });
});

describe('every query of stack_annotations has a MongoDB index (FerretDB serves only `_id` lookups from one)', () => {
  it("a stack's first page of annotations, and one annotation by id", async () => {
    const { queries, collections } = recordingCollections();
    await annotationsPage(collections, 's1', 20);
    await annotationById(collections, 'a1');
    expect(queries).toHaveLength(2);
    expect(unservedQueries(stackAnnotationsProjection, queries)).toEqual([]);
  });
});
