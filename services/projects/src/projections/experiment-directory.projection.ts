import type { ExperimentCreatedData } from '@cairn/contracts';
import { defineProjection, type WriteIntent } from '@cairn/read-models';

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
export const experimentDirectoryProjection = defineProjection({
  name: EXPERIMENT_DIRECTORY,
  version: 1,
  indexes: [{ key: { lab: 1, nameLower: 1, _id: 1 } }, { key: { projects: 1, createdAt: -1, _id: 1 } }],
  on: {
    // Creation comes before any link of the experiment (a link needs the experiment to exist).
    'projects.experiment.created.v1': ({ data, position, time }) => [
      { kind: 'replace', id: data.experimentId, position, document: newExperimentOf(data, time) },
    ],
    'projects.experiment.linked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position, update: { $addToSet: { projects: projectId } }, upsert: false })),
    'projects.experiment.unlinked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position, update: { $pull: { projects: projectId } }, upsert: false })),
  },
});
