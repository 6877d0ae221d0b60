import { defineProjection, type WriteIntent } from '@cairn/read-models';

export const PROJECT_FILES = 'project_files';

export const EXPERIMENT_LINKS = 'experiment_links';

/** A file of a project's file space, as far as a run needs it: where it is, whether it is still there, and its content's digest. */
export interface ProjectFileDocument {
  _id: string;
  /** For an experiment's file: the project it was uploaded through. */
  projectId: string;
  path: string;
  present: boolean;
  /** Set for a file of an experiment: it is an input in every project that links the experiment. */
  experimentId?: string;
  /** The content, for the crate that names the file as a job's input (version 2 on). */
  sha256: string;
  size: number;
}

/** The projects an experiment is in now. */
export interface ExperimentLinksDocument {
  _id: string;
  projects: string[];
}

/**
 * The projects service owns files; the jobs service learns them from its events, to check a run's
 * inputs ("Inputs must be files of the project with an accepted type"). Read by `_id` only.
 */
export const projectFilesProjection = defineProjection({
  name: PROJECT_FILES,
  version: 2,
  on: {
    'projects.file.added.v1': ({ data, position }) => [
      { kind: 'replace', id: data.fileId, position, document: { projectId: data.projectId, path: data.path, present: true, sha256: data.sha256, size: data.size } },
    ],
    'projects.file.added-to-experiment.v1': ({ data, position }) => [
      { kind: 'replace', id: data.fileId, position, document: { projectId: data.projectId, experimentId: data.experimentId, path: data.path, present: true, sha256: data.sha256, size: data.size } },
    ],
    'projects.file.deleted.v1': ({ data, position }) => [{ kind: 'update', id: data.fileId, position, update: { $set: { present: false } }, upsert: false }],
  },
});

/**
 * Which projects each experiment is in, so that an experiment's files are inputs of jobs in exactly the
 * projects that link it: removing it from a project takes its files out of that project's runs. Read by `_id` only.
 */
export const experimentLinksProjection = defineProjection({
  name: EXPERIMENT_LINKS,
  version: 1,
  on: {
    'projects.experiment.linked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position, update: { $addToSet: { projects: projectId } }, upsert: true })),
    'projects.experiment.unlinked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({ kind: 'update', id, position, update: { $pull: { projects: projectId } }, upsert: false })),
  },
});
