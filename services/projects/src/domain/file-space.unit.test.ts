import { foldEvents, type FileKind, type FileSpaceEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { fileSpaceDecider, type FileSpaceCommand } from './file-space';
import type { Actor } from './guards';
import { facility, lab } from './testing/projects.fixtures';

const spec = deciderSpec(fileSpaceDecider);

const SHA = 'ab'.repeat(32);
const ofProject = { projectId: 'p1', projectDeleted: false };

const added = (fileId: string, path: string, addedBy = 'mia', jobId?: string): FileSpaceEvent => ({
  type: 'projects.file.added.v1',
  data: {
    projectId: 'p1',
    fileId,
    path,
    kind: jobId ? 'processed' : 'raw',
    size: 42,
    sha256: SHA,
    addedBy,
    ...(jobId ? { jobId } : {}),
    actor: addedBy,
  },
});
const raw1 = added('f-raw', 'raw/grid7/movie.tif');
const processed1 = added('f-map', 'processed/job1/map.mrc', 'mia', 'job1');
const processed2 = added('f-log', 'processed/job1/log.txt', 'mia', 'job1');
const files = [raw1, processed1, processed2];

const addRaw = (path: string, actor: Actor, overrides: Partial<{ size: number; sha256: string; fileId: string }> = {}): FileSpaceCommand => ({
  type: 'AddRawFile',
  ...ofProject,
  fileId: 'f-new',
  path,
  size: 42,
  sha256: SHA,
  ...actor,
  ...overrides,
});
const recordOutput = (path: string, jobId = 'job2', fileId = 'f-out'): FileSpaceCommand => ({
  type: 'RecordJobOutput',
  ...ofProject,
  fileId,
  jobId,
  path,
  size: 42,
  sha256: SHA,
  triggeredBy: 'mia',
});
const request = (fileIds: string[], actor: Actor, requestId = 'd1'): FileSpaceCommand => ({
  type: 'RequestDeletion',
  ...ofProject,
  requestId,
  fileIds,
  reason: 'superseded by job 9',
  ...actor,
});
const approve = (actor: Actor, requestId = 'd1'): FileSpaceCommand => ({ type: 'ApproveDeletion', ...ofProject, requestId, ...actor });
const reject = (actor: Actor, reason?: string): FileSpaceCommand => ({ type: 'RejectDeletion', ...ofProject, requestId: 'd1', reason, ...actor });

const fileOf = (event: FileSpaceEvent) => {
  const { fileId, path, kind } = event.data as { fileId: string; path: string; kind: FileKind };
  return { fileId, path, kind };
};
const requested = (fileEvents: FileSpaceEvent[], requester: string, requestId = 'd1'): FileSpaceEvent => {
  const requestedFiles = fileEvents.map(fileOf);
  return {
    type: 'projects.deletion.requested.v1',
    data: {
      projectId: 'p1',
      requestId,
      files: requestedFiles,
      scope: requestedFiles.some(({ kind }) => kind === 'raw') ? 'raw' : 'processed',
      reason: 'superseded by job 9',
      actor: requester,
    },
  };
};
const approvedWithDeletions = (fileEvents: FileSpaceEvent[], requester: string, approver: string): FileSpaceEvent[] => [
  { type: 'projects.deletion.approved.v1', data: { projectId: 'p1', requestId: 'd1', requestedBy: requester, actor: approver } },
  ...fileEvents.map(
    (event): FileSpaceEvent => ({
      type: 'projects.file.deleted.v1',
      data: { projectId: 'p1', ...fileOf(event), requestId: 'd1', actor: approver },
    }),
  ),
];
const rejected = (requester: string, rejecter: string): FileSpaceEvent => ({
  type: 'projects.deletion.rejected.v1',
  data: { projectId: 'p1', requestId: 'd1', requestedBy: requester, actor: rejecter },
});

describe('FileSpace: "Projects keep a file space per project: raw/ for uploads, processed/<jobId>/ for each job\'s outputs."', () => {
  describe('facility Member: "Can upload data"', () => {
    it('a member uploads a raw file', () => {
      spec
        .given([])
        .when(addRaw('raw/grid7/movie.tif', facility('mia', 'member'), { fileId: 'f-raw' }))
        .then([raw1]);
    });

    it('Viewer: "cannot run analysis or modify anything"', () => {
      spec.given([]).when(addRaw('raw/a.tif', facility('vic', 'viewer'))).thenThrows('requires.files.upload', 'forbidden');
    });
  });

  describe('lab Experimenter: "Full access to experiments to the project, including creating/adding them, making stacks and uploads"', () => {
    it('an experimenter uploads; a commenter cannot', () => {
      spec.given([]).when(addRaw('raw/grid7/movie.tif', lab('mia', 'experimenter'), { fileId: 'f-raw' })).then([raw1]);
      spec.given([]).when(addRaw('raw/a.tif', lab('cy', 'commenter'))).thenThrows('requires.files.upload', 'forbidden');
    });
  });

  describe('an upload path stays inside raw/', () => {
    it.each([
      ['/raw/a.tif', 'must be relative to the project, not absolute'],
      ['raw/../processed/job1/map.mrc', "must not contain '.' or '..' segments"],
      ['raw/./a.tif', "must not contain '.' or '..' segments"],
      ['raw//a.tif', 'must not have empty segments (// or a trailing /)'],
      ['raw/grid7/', 'must not have empty segments (// or a trailing /)'],
      ['raw\\..\\a.tif', "must use '/' as the only separator"],
      ['raw/a\u0000.tif', 'must not contain control characters'],
      ['', 'must not be empty'],
      [`raw/${'a'.repeat(1021)}`, 'must be at most 1024 characters'],
    ])('%p is refused: %s', (path, message) => {
      const error = spec.given([]).when(addRaw(path, facility('mia', 'member'))).thenThrows('files.path-format', 'invalid');
      expect(error.details).toEqual({ errors: [{ field: 'path', message }] });
    });

    it.each(['a.tif', 'raw', 'processed/job1/map.mrc', 'rawdata/a.tif'])('%p is not under raw/', (path) => {
      spec.given([]).when(addRaw(path, facility('mia', 'member'))).thenThrows('files.raw-under-raw', 'invalid');
    });

    it('size and checksum are checked', () => {
      spec.given([]).when(addRaw('raw/a.tif', facility('mia', 'member'), { size: -1 })).thenThrows('files.size', 'invalid');
      spec.given([]).when(addRaw('raw/a.tif', facility('mia', 'member'), { size: 1.5 })).thenThrows('files.size', 'invalid');
      spec.given([]).when(addRaw('raw/a.tif', facility('mia', 'member'), { sha256: 'AB'.repeat(32) })).thenThrows('files.sha256', 'invalid');
    });

    it('a path holds one present file; a file id is used once', () => {
      spec.given([raw1]).when(addRaw('raw/grid7/movie.tif', facility('mia', 'member'))).thenThrows('files.path-taken', 'conflict');
      spec.given([raw1]).when(addRaw('raw/other.tif', facility('mia', 'member'), { fileId: 'f-raw' })).thenThrows('files.id-taken', 'conflict');
    });
  });

  describe('"The rerun creates a new output folder (so you won’t overwrite anyone’s results)"', () => {
    it("a job's output is recorded as processed, in the job's own folder, added by its triggerer", () => {
      spec
        .given([])
        .when(recordOutput('processed/job1/map.mrc', 'job1', 'f-map'))
        .then([processed1]);
    });

    it.each(['processed/job1/map.mrc', 'processed/job2', 'raw/map.mrc', 'processed/job2/../job1/map.mrc'])(
      'job2 cannot write %p',
      (path) => {
        spec.given([]).when(recordOutput(path)).thenThrows(path.includes('..') ? 'files.path-format' : 'files.processed-under-job-folder', 'invalid');
      },
    );

    it('a job id that is not a single folder name is refused', () => {
      spec.given([]).when(recordOutput('processed/a/b/map.mrc', 'a/b')).thenThrows('files.job-id', 'invalid');
    });
  });

  it('a deleted project accepts no files', () => {
    spec
      .given([])
      .when({ ...addRaw('raw/a.tif', facility('mia', 'member')), projectDeleted: true })
      .thenThrows('projects.project-deleted', 'conflict');
    spec.given([]).when({ ...recordOutput('processed/job2/x'), projectDeleted: true }).thenThrows('projects.project-deleted', 'conflict');
  });
});

describe('DeletionRequest, facility scheme: "Deletion needs a request and an approval by someone else (four eyes): processed data requested by a member, approved by a manager; raw data requested by a manager, approved by the owner."', () => {
  describe('Member: "Can upload data, request deletion of non-raw data ... Cannot manage Managers or request deletions of raw data."', () => {
    it('a member requests deletion of processed files', () => {
      spec.given(files).when(request(['f-map', 'f-log'], facility('mia', 'member'))).then([requested([processed1, processed2], 'mia')]);
    });

    it('a member cannot request deletion of raw files', () => {
      spec.given(files).when(request(['f-raw'], facility('mia', 'member'))).thenThrows('requires.deletion.request.raw', 'forbidden');
    });

    it('a request mixing raw and processed files needs the raw capability', () => {
      spec
        .given(files)
        .when(request(['f-map', 'f-raw'], facility('mia', 'member')))
        .thenThrows('requires.deletion.request.raw', 'forbidden');
      spec
        .given(files)
        .when(request(['f-map', 'f-raw'], facility('max', 'manager')))
        .then([requested([processed1, raw1], 'max')]);
    });

    it('Viewer: "cannot run analysis or modify anything"', () => {
      spec.given(files).when(request(['f-map'], facility('vic', 'viewer'))).thenThrows('requires.deletion.request.processed', 'forbidden');
    });
  });

  describe('Manager: "request deletions of raw data, approve deletion of non-raw data"', () => {
    it('a manager approves a member’s request: the approval and one deletion per file are one commit', () => {
      spec
        .given([...files, requested([processed1, processed2], 'mia')])
        .when(approve(facility('max', 'manager')))
        .then(approvedWithDeletions([processed1, processed2], 'mia', 'max'));
    });

    it('a member cannot approve', () => {
      spec
        .given([...files, requested([processed1], 'mia')])
        .when(approve(facility('moe', 'member')))
        .thenThrows('requires.deletion.approve.processed', 'forbidden');
    });

    it('a manager requests deletion of raw data; another manager cannot approve it, the owner can', () => {
      spec.given(files).when(request(['f-raw'], facility('max', 'manager'))).then([requested([raw1], 'max')]);
      spec
        .given([...files, requested([raw1], 'max')])
        .when(approve(facility('meg', 'manager')))
        .thenThrows('requires.deletion.approve.raw', 'forbidden');
      spec
        .given([...files, requested([raw1], 'max')])
        .when(approve(facility('olga', 'owner')))
        .then(approvedWithDeletions([raw1], 'max', 'olga'));
    });
  });

  describe('"A deletion request is never approved by the person who made it."', () => {
    it('a manager cannot approve their own request', () => {
      spec
        .given([...files, requested([processed1], 'max')])
        .when(approve(facility('max', 'manager')))
        .thenThrows('deletion.four-eyes', 'forbidden');
    });

    it('nor can the owner approve their own raw request, although only the owner approves raw deletions', () => {
      spec
        .given([...files, requested([raw1], 'olga')])
        .when(approve(facility('olga', 'owner')))
        .thenThrows('deletion.four-eyes', 'forbidden');
    });

    it('nor reject it: rejecting is deciding too, and needs the same approve capability', () => {
      spec.given([...files, requested([processed1], 'max')]).when(reject(facility('max', 'manager'))).thenThrows('deletion.four-eyes', 'forbidden');
      spec
        .given([...files, requested([processed1], 'mia')])
        .when(reject(facility('moe', 'member')))
        .thenThrows('requires.deletion.approve.processed', 'forbidden');
      spec.given([...files, requested([processed1], 'mia')]).when(reject(facility('max', 'manager'))).then([rejected('mia', 'max')]);
    });
  });
});

describe('DeletionRequest, lab scheme: the experimenter requests processed deletions; owners request raw ones and approve both', () => {
  it('an experimenter requests deletion of processed files; an owner approves', () => {
    spec.given(files).when(request(['f-map'], lab('mia', 'experimenter'))).then([requested([processed1], 'mia')]);
    spec
      .given([...files, requested([processed1], 'mia')])
      .when(approve(lab('ada', 'owner')))
      .then(approvedWithDeletions([processed1], 'mia', 'ada'));
  });

  it('an experimenter can neither request raw deletions nor approve', () => {
    spec.given(files).when(request(['f-raw'], lab('mia', 'experimenter'))).thenThrows('requires.deletion.request.raw', 'forbidden');
    spec
      .given([...files, requested([processed1], 'ada')])
      .when(approve(lab('mia', 'experimenter')))
      .thenThrows('requires.deletion.approve.processed', 'forbidden');
  });

  it('"A project must have at least one owner": one owner requests a raw deletion, another owner approves it', () => {
    spec.given(files).when(request(['f-raw'], lab('ada', 'owner'))).then([requested([raw1], 'ada')]);
    spec.given([...files, requested([raw1], 'ada')]).when(approve(lab('ada', 'owner'))).thenThrows('deletion.four-eyes', 'forbidden');
    spec
      .given([...files, requested([raw1], 'ada')])
      .when(approve(lab('otto', 'owner')))
      .then(approvedWithDeletions([raw1], 'ada', 'otto'));
  });

  it('a commenter cannot request deletions', () => {
    spec.given(files).when(request(['f-map'], lab('cy', 'commenter'))).thenThrows('requires.deletion.request.processed', 'forbidden');
  });
});

describe('DeletionRequest: decided once, and "Deleted files stay in the history."', () => {
  const afterApproval = [...files, requested([processed1], 'mia'), ...approvedWithDeletions([processed1], 'mia', 'max')];
  const afterRejection = [...files, requested([processed1], 'mia'), rejected('mia', 'max')];

  it('a decided request cannot be decided again', () => {
    spec.given(afterApproval).when(approve(facility('olga', 'owner'))).thenThrows('deletion.already-decided', 'conflict');
    spec.given(afterApproval).when(reject(facility('olga', 'owner'))).thenThrows('deletion.already-decided', 'conflict');
    spec.given(afterRejection).when(approve(facility('olga', 'owner'))).thenThrows('deletion.already-decided', 'conflict');
  });

  it('a deleted file keeps its record but leaves the file space: it cannot be requested again, and its path is free', () => {
    const state = foldEvents(fileSpaceDecider, afterApproval);
    expect(state.files.get('f-map')).toMatchObject({ path: 'processed/job1/map.mrc', kind: 'processed', present: false });
    spec.given(afterApproval).when(request(['f-map'], facility('mia', 'member'), 'd2')).thenThrows('files.not-found', 'not-found');
    spec
      .given(afterApproval)
      .when(recordOutput('processed/job1/map.mrc', 'job1', 'f-map-2'))
      .then([added('f-map-2', 'processed/job1/map.mrc', 'mia', 'job1')]);
  });

  it('after a rejection the files can be requested again', () => {
    spec.given(afterRejection).when(request(['f-map'], facility('mia', 'member'), 'd2')).then([requested([processed1], 'mia', 'd2')]);
  });

  it('a file awaiting a decision cannot join another request', () => {
    const error = spec
      .given([...files, requested([processed1], 'mia')])
      .when(request(['f-log', 'f-map'], facility('moe', 'member'), 'd2'))
      .thenThrows('deletion.file-awaits-decision', 'conflict');
    expect(error.details).toEqual({ files: [{ fileId: 'f-map', requestId: 'd1' }] });
  });

  it('an unknown file refuses the whole request', () => {
    const error = spec.given(files).when(request(['f-map', 'ghost'], facility('mia', 'member'))).thenThrows('files.not-found', 'not-found');
    expect(error.details).toEqual({ fileIds: ['ghost'] });
  });

  it('a request needs a reason, at least one file and a fresh id; deciding needs a known request', () => {
    spec.given(files).when({ ...request(['f-map'], facility('mia', 'member')), reason: '  ' } as FileSpaceCommand).thenThrows('fields.reason-required', 'invalid');
    spec.given(files).when(request([], facility('mia', 'member'))).thenThrows('fields.ids-required', 'invalid');
    spec.given([...files, requested([processed1], 'mia')]).when(request(['f-log'], facility('mia', 'member'))).thenThrows('deletion.request-exists', 'conflict');
    spec.given(files).when(approve(facility('max', 'manager'), 'nope')).thenThrows('deletion.request-not-found', 'not-found');
  });

  it('a rejection may give a reason', () => {
    spec
      .given([...files, requested([processed1], 'mia')])
      .when(reject(facility('max', 'manager'), 'still needed for the paper'))
      .then([{ ...rejected('mia', 'max'), data: { ...rejected('mia', 'max').data, reason: 'still needed for the paper' } } as FileSpaceEvent]);
  });

  it('a deleted project decides no more requests', () => {
    spec
      .given([...files, requested([processed1], 'mia')])
      .when({ ...approve(facility('max', 'manager')), projectDeleted: true })
      .thenThrows('projects.project-deleted', 'conflict');
  });
});
