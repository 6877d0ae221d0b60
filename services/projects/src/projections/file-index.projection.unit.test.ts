import { projectionSpec, storedEvents } from '@cairn/testing';
import { fileIndexProjection } from './file-index.projection';

const log = storedEvents();
const sha256 = 'a'.repeat(64);
const upload = log.event('projects.file.added.v1', {
  projectId: 'p1',
  fileId: 'f1',
  path: 'raw/run-1/image.tif',
  kind: 'raw',
  size: 2048,
  sha256,
  addedBy: 'u-ada',
  actor: 'u-ada',
});
const output = log.event('projects.file.added.v1', {
  projectId: 'p1',
  fileId: 'f2',
  path: 'processed/j1/map.mrc',
  kind: 'processed',
  size: 10,
  sha256,
  addedBy: 'u-bob',
  jobId: 'j1',
  actor: 'u-runner',
});
const uploaded = {
  _id: 'f1',
  projectId: 'p1',
  path: 'raw/run-1/image.tif',
  folder: 'raw/run-1',
  name: 'image.tif',
  kind: 'raw',
  size: 2048,
  sha256,
  addedBy: 'u-ada',
  addedAt: upload.time,
  status: 'present',
};

describe('file index: "raw uploads, processed outputs under processed/<jobId>/"', () => {
  it('each file is listed in its folder with its size, checksum, who added it and, for an output, its job', () => {
    projectionSpec(fileIndexProjection)
      .when([upload, output])
      .then([
        uploaded,
        {
          _id: 'f2',
          projectId: 'p1',
          path: 'processed/j1/map.mrc',
          folder: 'processed/j1',
          name: 'map.mrc',
          kind: 'processed',
          size: 10,
          sha256,
          addedBy: 'u-bob',
          jobId: 'j1',
          addedAt: output.time,
          status: 'present',
        },
      ]);
  });
});

describe('file index: "Deleted files stay in the history"', () => {
  it('a deleted file keeps its document, marked deleted, with who deleted it, when, and the request it came from', () => {
    const deleted = log.event('projects.file.deleted.v1', { projectId: 'p1', fileId: 'f1', path: 'raw/run-1/image.tif', kind: 'raw', requestId: 'r1', actor: 'u-olivia' });
    projectionSpec(fileIndexProjection)
      .given([upload])
      .when([deleted])
      .then([{ ...uploaded, status: 'deleted', deletedBy: 'u-olivia', deletedAt: deleted.time, deletionRequestId: 'r1' }]);
  });
});
