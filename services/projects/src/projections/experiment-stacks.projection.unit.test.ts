import { projectionSpec, storedEvents } from '@cairn/testing';
import { experimentStacksProjection } from './experiment-stacks.projection';

const log = storedEvents();
const frames = [0, 1, 2].map((page) => ({ fileId: 'f-tif', page }));
const created = log.event('projects.stack.created.v1', { stackId: 's1', experimentId: 'e1', name: 'Focus series', frames, width: 64, height: 48, pixelType: 'uint16', channels: 1, actor: 'u-mia' });
const listed = {
  _id: 's1',
  experimentId: 'e1',
  name: 'Focus series',
  frameCount: 3,
  width: 64,
  height: 48,
  pixelType: 'uint16',
  channels: 1,
  frames,
  createdBy: 'u-mia',
  createdAt: created.time,
  status: 'present',
};

describe('experiment stacks: "Viewer: Can see experiments and stacks in the project"', () => {
  it('a stack is listed under its experiment with its frame count, dimensions and pixel type', () => {
    projectionSpec(experimentStacksProjection).when([created]).then([listed]);
  });

  it('a rename changes its name; a deletion keeps the document, marked deleted', () => {
    const renamed = log.event('projects.stack.renamed.v1', { stackId: 's1', experimentId: 'e1', name: 'Grid 7', actor: 'u-eli' });
    const deleted = log.event('projects.stack.deleted.v1', { stackId: 's1', experimentId: 'e1', actor: 'u-eli' });
    projectionSpec(experimentStacksProjection).given([created]).when([renamed]).then([{ ...listed, name: 'Grid 7' }]);
    projectionSpec(experimentStacksProjection).given([created, renamed]).when([deleted]).then([{ ...listed, name: 'Grid 7', status: 'deleted' }]);
  });

  it("a job's stack names its job", () => {
    const fromJob = log.event('projects.stack.created.v1', { stackId: 's2', experimentId: 'e1', name: 'Renders', frames, width: 64, height: 48, pixelType: 'uint8', channels: 3, jobId: 'j1', actor: 'u-mia' });
    projectionSpec(experimentStacksProjection)
      .when([fromJob])
      .then([{ ...listed, _id: 's2', name: 'Renders', pixelType: 'uint8', channels: 3, jobId: 'j1', createdAt: fromJob.time }]);
  });
});
