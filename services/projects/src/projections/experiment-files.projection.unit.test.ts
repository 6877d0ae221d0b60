import { projectionSpec, storedEvents } from '@cairn/testing';
import { experimentFilesProjection } from './experiment-files.projection';

const log = storedEvents();
const sha256 = 'b'.repeat(64);
const upload = log.event('projects.file.added-to-experiment.v1', {
  projectId: 'p1',
  experimentId: 'e1',
  fileId: 'f1',
  path: 'frames/f001.tif',
  size: 4096,
  sha256,
  addedBy: 'u-mia',
  actor: 'u-mia',
});
const listed = {
  _id: 'f1',
  experimentId: 'e1',
  uploadedThrough: 'p1',
  path: 'frames/f001.tif',
  folder: 'frames',
  name: 'f001.tif',
  kind: 'raw',
  size: 4096,
  sha256,
  addedBy: 'u-mia',
  addedAt: upload.time,
  status: 'present',
};

describe('experiment files: "an experiment\'s data is seen exactly by those who can see the experiment"', () => {
  it('an upload into an experiment is listed under the experiment, with the project it came through', () => {
    projectionSpec(experimentFilesProjection).when([upload]).then([listed]);
  });

  it("a project's own uploads are not an experiment's files", () => {
    const projectUpload = log.event('projects.file.added.v1', { projectId: 'p1', fileId: 'f2', path: 'raw/a.tif', kind: 'raw', size: 1, sha256, addedBy: 'u-mia', actor: 'u-mia' });
    projectionSpec(experimentFilesProjection).when([upload, projectUpload]).then([listed]);
  });

  it('a file deleted through the four-eyes request of the project it came through stays, marked deleted', () => {
    const deleted = log.event('projects.file.deleted.v1', { projectId: 'p1', fileId: 'f1', path: 'frames/f001.tif', kind: 'raw', requestId: 'r1', actor: 'u-olga' });
    projectionSpec(experimentFilesProjection)
      .given([upload])
      .when([deleted])
      .then([{ ...listed, status: 'deleted', deletedBy: 'u-olga', deletedAt: deleted.time, deletionRequestId: 'r1' }]);
  });
});
