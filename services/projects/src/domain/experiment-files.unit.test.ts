import type { FileSpaceEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { fileSpaceDecider, type FileSpaceCommand } from './file-space';
import type { Actor } from './guards';
import { facility, lab } from './testing/projects.fixtures';

const spec = deciderSpec(fileSpaceDecider);

const SHA = 'cd'.repeat(32);
const ofProject = { projectId: 'p1', projectDeleted: false };

const upload = (path: string, actor: Actor, overrides: Partial<{ fileId: string; experimentId: string; experimentInProject: boolean }> = {}): FileSpaceCommand => ({
  type: 'AddExperimentFile',
  ...ofProject,
  fileId: 'f1',
  experimentId: 'e1',
  experimentInProject: true,
  path,
  size: 7,
  sha256: SHA,
  ...actor,
  ...overrides,
});
const uploaded = (path: string, actor: string, fileId = 'f1', experimentId = 'e1'): FileSpaceEvent => ({
  type: 'projects.file.added-to-experiment.v1',
  data: { projectId: 'p1', experimentId, fileId, path, size: 7, sha256: SHA, addedBy: actor, actor },
});
const requestDeletion = (actor: Actor, fileIds = ['f1']): FileSpaceCommand => ({
  type: 'RequestDeletion',
  ...ofProject,
  requestId: 'd1',
  fileIds,
  reason: 'blurred frames',
  ...actor,
});
const requested = (requester: string): FileSpaceEvent => ({
  type: 'projects.deletion.requested.v1',
  data: { projectId: 'p1', requestId: 'd1', files: [{ fileId: 'f1', path: 'frames/f1.tif', kind: 'raw' }], scope: 'raw', reason: 'blurred frames', actor: requester },
});
const approve = (actor: Actor): FileSpaceCommand => ({ type: 'ApproveDeletion', ...ofProject, requestId: 'd1', ...actor });

describe('Experiment files: uploaded into an experiment through a project that links it, recorded in that project\'s file space', () => {
  describe('lab Experimenter: "Full access to experiments to the project, including creating/adding them, making stacks and uploads"', () => {
    it('an experimenter uploads into an experiment of the project', () => {
      spec.given([]).when(upload('frames/f1.tif', lab('mia', 'experimenter'))).then([uploaded('frames/f1.tif', 'mia')]);
    });

    it('Commenter: "can see experiments in the project and comment/annotate stacks", not upload', () => {
      spec.given([]).when(upload('frames/f1.tif', lab('cy', 'commenter'))).thenThrows('requires.files.upload', 'forbidden');
    });

    it('Viewer: "Can see experiments and stacks in the project, but cannot comment/annotate", nor upload', () => {
      spec.given([]).when(upload('frames/f1.tif', lab('vic', 'viewer'))).thenThrows('requires.files.upload', 'forbidden');
    });
  });

  it('facility Member: "Can upload data", into a linked dataset too', () => {
    spec.given([]).when(upload('frames/f1.tif', facility('mia', 'member'))).then([uploaded('frames/f1.tif', 'mia')]);
  });

  it('an experiment the project does not link is not there to upload into', () => {
    spec.given([]).when(upload('frames/f1.tif', lab('mia', 'experimenter'), { experimentInProject: false })).thenThrows('experiments.not-in-project', 'not-found');
  });

  it('a path is relative to the experiment, held to the file space\'s path rules', () => {
    spec.given([]).when(upload('../raw/a.tif', lab('mia', 'experimenter'))).thenThrows('files.path-format', 'invalid');
  });

  it('a path holds one file per experiment; the same path in the project\'s raw/ or another experiment is another place', () => {
    const first = uploaded('raw/f1.tif', 'mia');
    spec.given([first]).when(upload('raw/f1.tif', lab('mia', 'experimenter'), { fileId: 'f2' })).thenThrows('files.path-taken', 'conflict');
    spec
      .given([first])
      .when(upload('raw/f1.tif', lab('mia', 'experimenter'), { fileId: 'f2', experimentId: 'e2' }))
      .then([uploaded('raw/f1.tif', 'mia', 'f2', 'e2')]);
    spec
      .given([first])
      .when({ type: 'AddRawFile', ...ofProject, fileId: 'f3', path: 'raw/f1.tif', size: 7, sha256: SHA, ...lab('mia', 'experimenter') })
      .then([{ type: 'projects.file.added.v1', data: { projectId: 'p1', fileId: 'f3', path: 'raw/f1.tif', kind: 'raw', size: 7, sha256: SHA, addedBy: 'mia', actor: 'mia' } }]);
  });

  describe('deleting an experiment file is a four-eyes request for raw data, decided by the rights of the project it was uploaded through', () => {
    const file = uploaded('frames/f1.tif', 'mia');

    it('lab project: an experimenter may not request it; an owner requests and another owner approves', () => {
      spec.given([file]).when(requestDeletion(lab('mia', 'experimenter'))).thenThrows('requires.deletion.request.raw', 'forbidden');
      spec.given([file]).when(requestDeletion(lab('olga', 'owner'))).then([requested('olga')]);
      spec
        .given([file, requested('olga')])
        .when(approve(lab('oscar', 'owner')))
        .then([
          { type: 'projects.deletion.approved.v1', data: { projectId: 'p1', requestId: 'd1', requestedBy: 'olga', actor: 'oscar' } },
          { type: 'projects.file.deleted.v1', data: { projectId: 'p1', fileId: 'f1', path: 'frames/f1.tif', kind: 'raw', requestId: 'd1', actor: 'oscar' } },
        ]);
    });

    it('facility project: a manager requests; another manager may not approve, the owner does', () => {
      spec.given([file]).when(requestDeletion(facility('max', 'manager'))).then([requested('max')]);
      spec.given([file, requested('max')]).when(approve(facility('mo', 'manager'))).thenThrows('requires.deletion.approve.raw', 'forbidden');
      spec
        .given([file, requested('max')])
        .when(approve(facility('otto', 'owner')))
        .then((events) => expect(events.map((event) => event.type)).toEqual(['projects.deletion.approved.v1', 'projects.file.deleted.v1']));
    });

    it('once deleted, its place in the experiment is free again', () => {
      const deleted: FileSpaceEvent = { type: 'projects.file.deleted.v1', data: { projectId: 'p1', fileId: 'f1', path: 'frames/f1.tif', kind: 'raw', requestId: 'd1', actor: 'oscar' } };
      spec
        .given([file, requested('olga'), { type: 'projects.deletion.approved.v1', data: { projectId: 'p1', requestId: 'd1', requestedBy: 'olga', actor: 'oscar' } }, deleted])
        .when(upload('frames/f1.tif', lab('mia', 'experimenter'), { fileId: 'f2' }))
        .then([uploaded('frames/f1.tif', 'mia', 'f2')]);
    });
  });
});
