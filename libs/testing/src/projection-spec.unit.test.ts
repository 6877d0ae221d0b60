import type { ProjectCreatedData } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';
import { InMemoryReadModel } from './in-memory-read-model';
import { projectionSpec } from './projection-spec';
import { storedEvents } from './stored-events';

/** Renames counted per project, with every operator the read models use. */
const renames = defineProjection({
  name: 'renames',
  version: 1,
  on: {
    'projects.project.created.v1': ({ data, position }) => [
      { kind: 'replace', id: data.projectId, position, document: { name: data.name, names: [data.name], renames: 0 } },
    ],
    'projects.project.updated.v1': ({ data, position }) => [
      {
        kind: 'update',
        id: data.projectId,
        position,
        update: { $inc: { renames: 1 }, $push: { names: data.name }, $set: { name: data.name, 'last.position': position } },
        upsert: false,
      },
    ],
    'projects.project.deleted.v1': ({ data, position }) => [{ kind: 'delete', id: data.projectId, position }],
  },
});

const projectA: ProjectCreatedData = { projectId: 'p1', lab: 'l1', name: 'A', description: '', slug: 'a', scheme: 'facility', createdBy: 'ada', actor: 'ada' };

describe('typed projections', () => {
  it('read the categories of the types they handle, each once', () => {
    expect(renames.eventTypes).toEqual(['projects.project.created.v1', 'projects.project.updated.v1', 'projects.project.deleted.v1']);
    expect(renames.categories).toEqual(['projects_project']);
  });

  it('pass over events of types they do not handle', () => {
    const log = storedEvents();
    const experiment = log.event('projects.experiment.created.v1', { experimentId: 'e1', lab: 'l1', name: 'E', description: '', actor: 'ada' });
    expect(renames.handle([experiment])).toEqual([]);
  });
});

describe('stored events for specifications', () => {
  it('take the next position, their stream’s next version and a minute after the previous one', () => {
    const log = storedEvents({ firstPosition: 10 });
    const created = log.event('projects.project.created.v1', projectA);
    const renamed = log.event('projects.project.updated.v1', { projectId: 'p1', name: 'B', actor: 'ada' });
    const added = log.event('projects.file.added.v1', {
      projectId: 'p1',
      fileId: 'f1',
      path: 'raw/a',
      kind: 'raw',
      size: 1,
      sha256: '0'.repeat(64),
      addedBy: 'ada',
      actor: 'ada',
    });
    expect([created, renamed, added].map(({ id, position, streamid, streamversion, subject, time }) => ({ id, position, streamid, streamversion, subject, time }))).toEqual([
      { id: 'event-10', position: 10, streamid: 'projects_project-p1', streamversion: 0, subject: 'project/p1', time: '2025-01-06T09:00:00.000Z' },
      { id: 'event-11', position: 11, streamid: 'projects_project-p1', streamversion: 1, subject: 'project/p1', time: '2025-01-06T09:01:00.000Z' },
      { id: 'event-12', position: 12, streamid: 'projects_filespace-p1', streamversion: 0, subject: 'filespace/p1', time: '2025-01-06T09:02:00.000Z' },
    ]);
  });
});

describe('projectionSpec', () => {
  const log = storedEvents();
  const created = log.event('projects.project.created.v1', projectA);
  const renamed = log.event('projects.project.updated.v1', { projectId: 'p1', name: 'B', actor: 'ada' });
  const deleted = log.event('projects.project.deleted.v1', { projectId: 'p1', lab: 'l1', slug: 'a', actor: 'ada' });

  it('applies the given batch, then the when batch, and compares the whole model', () => {
    projectionSpec(renames)
      .given([created])
      .when([renamed])
      .then([{ _id: 'p1', name: 'B', names: ['A', 'B'], renames: 1, last: { position: 2 } }]);
    projectionSpec(renames).when([created, renamed, deleted]).then([]);
  });

  it('fails when the model differs', () => {
    expect(() => projectionSpec(renames).when([created]).then([])).toThrow();
  });

  it('delivers the when batch twice: writes that differ for the same events (an impure projection) show', () => {
    let entries = 0;
    const impure = defineProjection({
      name: 'impure',
      version: 1,
      on: {
        'projects.project.updated.v1': ({ data, position }) => [
          { kind: 'replace', id: `entry-${(entries += 1)}`, position, document: { projectId: data.projectId } },
        ],
      },
    });
    expect(() => projectionSpec(impure).when([renamed]).then([{ _id: 'entry-1', projectId: 'p1' }])).toThrow(/delivering the same batch again/);
  });
});

describe('the in-memory read model writes as MongoDB and the runner do', () => {
  it('skips a write to a document that has seen its event, and leaves missing documents alone without upsert', () => {
    const model = new InMemoryReadModel();
    model.apply([{ kind: 'replace', id: 'a', position: 5, document: { n: 1 } }]);
    model.apply([
      { kind: 'update', id: 'a', position: 5, update: { $set: { n: 2 } } },
      { kind: 'update', id: 'b', position: 6, update: { $set: { n: 3 } }, upsert: false },
      { kind: 'update', id: 'c', position: 6, update: { $setOnInsert: { created: true }, $set: { n: 4 } } },
    ]);
    expect(model.contents()).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'c', created: true, n: 4 },
    ]);
  });

  it('adds to sets, pulls values, keeps maxima and minima, unsets', () => {
    const model = new InMemoryReadModel();
    model.apply([{ kind: 'replace', id: 'a', position: 1, document: { tags: ['x'], hi: 3, lo: 3, gone: { deep: 1, kept: 2 } } }]);
    model.apply([
      { kind: 'update', id: 'a', position: 2, update: { $addToSet: { tags: { $each: ['x', 'y'] } }, $max: { hi: 5 }, $min: { lo: 5 }, $unset: { 'gone.deep': 1 } } },
    ]);
    model.apply([{ kind: 'update', id: 'a', position: 3, update: { $pull: { tags: 'x' } } }]);
    expect(model.contents()).toEqual([{ _id: 'a', tags: ['y'], hi: 5, lo: 3, gone: { kept: 2 } }]);
  });

  it('refuses what MongoDB refuses: two operators on one path, two writes to one document for one event', () => {
    const model = new InMemoryReadModel();
    expect(() => model.apply([{ kind: 'update', id: 'a', position: 1, update: { $set: { tags: [] }, $push: { tags: 'x' } } }])).toThrow(/conflict/);
    expect(() =>
      model.apply([
        { kind: 'update', id: 'a', position: 1, update: { $set: { n: 1 } } },
        { kind: 'update', id: 'a', position: 1, update: { $set: { m: 1 } } },
      ]),
    ).toThrow(/two writes/);
  });
});
