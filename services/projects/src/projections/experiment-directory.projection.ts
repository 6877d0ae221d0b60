import type { CairnEvent, ExperimentCreatedData, ExperimentsLinkedData, ExperimentsUnlinkedData } from '@cairn/contracts';
import type { Projection, ReadModelUpdate, WriteIntent } from '@cairn/read-models';

export const EXPERIMENT_DIRECTORY = 'experiment_directory';

/**
 * One experiment of a lab and the projects it is in. `projects` empty means "in no project": then the
 * whole lab sees it; otherwise those who can read any of `projects` do.
 */
export interface ExperimentDocument {
  _id: string;
  lab: string;
  name: string;
  nameLower: string;
  description: string;
  createdBy: string;
  createdAt: string;
  projects: string[];
}

/** An experiment as it is created (`time`: its event's): in no project yet. */
export function newExperimentOf(data: ExperimentCreatedData, time: string): Omit<ExperimentDocument, '_id'> {
  return {
    lab: data.lab,
    name: data.name,
    nameLower: data.name.toLowerCase(),
    description: data.description,
    createdBy: data.actor,
    createdAt: time,
    projects: [],
  };
}

/** The lab's experiments with their projects: the experiment manager, a project's experiments page, the visibility rule. */
export const experimentDirectoryProjection: Projection = {
  name: EXPERIMENT_DIRECTORY,
  categories: ['projects_experiment', 'projects_project'],
  version: 1,
  indexes: [{ key: { lab: 1, nameLower: 1, _id: 1 } }, { key: { projects: 1, createdAt: -1, _id: 1 } }],
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      switch (event.type) {
        case 'projects.experiment.created.v1': {
          const data = event.data as ExperimentCreatedData;
          // Creation comes before any link of the experiment (a link needs the experiment to exist).
          return [{ kind: 'replace', id: data.experimentId, position: event.position, document: newExperimentOf(data, event.time) }];
        }
        case 'projects.experiment.linked.v1': {
          const { projectId, experimentIds } = event.data as ExperimentsLinkedData;
          return experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position: event.position, update: { $addToSet: { projects: projectId } }, upsert: false }));
        }
        case 'projects.experiment.unlinked.v1': {
          const { projectId, experimentIds } = event.data as ExperimentsUnlinkedData;
          // The driver types $pull for arrays of documents; `projects` holds strings.
          const pull = { projects: projectId } as unknown as ReadModelUpdate['$pull'];
          return experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position: event.position, update: { $pull: pull }, upsert: false }));
        }
        default:
          return [];
      }
    });
  },
};
