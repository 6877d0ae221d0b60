import { projectionSpec, storedEvents } from '@cairn/testing';
import { experimentDirectoryProjection } from './experiment-directory.projection';

const log = storedEvents();
const experiment = (experimentId: string, name: string) =>
  log.event('projects.experiment.created.v1', { experimentId, lab: 'sundog', name, description: `${name} scans`, actor: 'u-ada' });
const linked = (projectId: string, experimentIds: string[]) =>
  log.event('projects.experiment.linked.v1', { projectId, lab: 'sundog', experimentIds, actor: 'u-ada' });
const unlinked = (projectId: string, experimentIds: string[]) =>
  log.event('projects.experiment.unlinked.v1', { projectId, lab: 'sundog', experimentIds, confirmedWidening: false, actor: 'u-ada' });

const e1 = experiment('e1', 'Lysozyme');
const e2 = experiment('e2', 'Apoferritin');
const inNoProject = (created: typeof e1) => ({
  _id: created.data.experimentId,
  lab: 'sundog',
  name: created.data.name,
  nameLower: created.data.name.toLowerCase(),
  description: created.data.description,
  createdBy: 'u-ada',
  createdAt: created.time,
  projects: [] as string[],
});

describe('experiment directory: "The experiment manager lists all experiments in the lab"', () => {
  it('an experiment of the lab is in no project when created: the whole lab sees it', () => {
    projectionSpec(experimentDirectoryProjection).when([e1, e2]).then([inNoProject(e1), inNoProject(e2)]);
  });
});

describe('experiment directory: "lets you add / remove experiments to the project", in bulk', () => {
  it('a bulk add puts the project on each experiment, once however often it is added', () => {
    projectionSpec(experimentDirectoryProjection)
      .given([e1, e2, linked('p1', ['e1'])])
      .when([linked('p1', ['e1', 'e2']), linked('p2', ['e1'])])
      .then([
        { ...inNoProject(e1), projects: ['p1', 'p2'] },
        { ...inNoProject(e2), projects: ['p1'] },
      ]);
  });

  it('a bulk remove takes only that project off; an experiment in no project is visible to the lab again', () => {
    projectionSpec(experimentDirectoryProjection)
      .given([e1, e2, linked('p1', ['e1', 'e2']), linked('p2', ['e1'])])
      .when([unlinked('p1', ['e1', 'e2'])])
      .then([{ ...inNoProject(e1), projects: ['p2'] }, inNoProject(e2)]);
  });

  it('a link naming an experiment the directory does not know creates no document', () => {
    projectionSpec(experimentDirectoryProjection).when([linked('p1', ['ghost'])]).then([]);
  });
});
