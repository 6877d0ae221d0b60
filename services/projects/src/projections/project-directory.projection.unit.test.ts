import { projectionSpec, storedEvents } from '@cairn/testing';
import { projectDirectoryProjection } from './project-directory.projection';

const log = storedEvents();
const created = log.event('projects.project.created.v1', {
  projectId: 'p1',
  lab: 'sundog',
  name: 'Ribosome 2024',
  description: 'Cryo-EM of the ribosome',
  slug: 'ribosome-2024',
  scheme: 'lab',
  baseLevel: 'viewer',
  createdBy: 'u-ada',
  actor: 'u-ada',
});
const asCreated = {
  _id: 'p1',
  lab: 'sundog',
  slug: 'ribosome-2024',
  name: 'Ribosome 2024',
  nameLower: 'ribosome 2024',
  description: 'Cryo-EM of the ribosome',
  scheme: 'lab',
  baseLevel: 'viewer',
  status: 'active',
  createdBy: 'u-ada',
  createdAt: created.time,
  updatedAt: created.time,
};

describe('project directory: "The lab’s project page lists all the projects in a lab"', () => {
  it('a created project is listed with its slug, scheme and base level; its name lower-cased for prefix search', () => {
    projectionSpec(projectDirectoryProjection).when([created]).then([asCreated]);
  });

  it('a facility-scheme project has no base level', () => {
    const { baseLevel: _labOnly, ...facilityData } = created.data;
    const facility = log.event('projects.project.created.v1', { ...facilityData, projectId: 'p2', scheme: 'facility' });
    const { baseLevel: _none, ...listed } = asCreated;
    projectionSpec(projectDirectoryProjection)
      .when([facility])
      .then([{ ...listed, _id: 'p2', scheme: 'facility', createdAt: facility.time, updatedAt: facility.time }]);
  });

  it('owner: "Can alter the project itself": a rename changes only what the event names', () => {
    const renamed = log.event('projects.project.updated.v1', { projectId: 'p1', name: 'Ribosome 2025', actor: 'u-ada' });
    projectionSpec(projectDirectoryProjection)
      .given([created])
      .when([renamed])
      .then([{ ...asCreated, name: 'Ribosome 2025', nameLower: 'ribosome 2025', updatedAt: renamed.time }]);
  });

  it('"including deleting it": a deleted project stays in the directory, marked deleted, with who and when', () => {
    const deleted = log.event('projects.project.deleted.v1', { projectId: 'p1', lab: 'sundog', slug: 'ribosome-2024', actor: 'u-ada' });
    projectionSpec(projectDirectoryProjection)
      .given([created])
      .when([deleted])
      .then([{ ...asCreated, status: 'deleted', deletedBy: 'u-ada', deletedAt: deleted.time, updatedAt: deleted.time }]);
  });

  it('an update of a project the directory never saw creates nothing', () => {
    const stray = log.event('projects.project.updated.v1', { projectId: 'ghost', description: 'x', actor: 'u-ada' });
    projectionSpec(projectDirectoryProjection).when([stray]).then([]);
  });
});
