import { defineProjection } from '@cairn/read-models';

export const PROJECT_FILES = 'project_files';

/** A file of a project's file space, as far as a run needs it: where it is, and whether it is still there. */
export interface ProjectFileDocument {
  _id: string;
  projectId: string;
  path: string;
  present: boolean;
}

/**
 * The projects service owns files; the jobs service learns them from its events, to check a run's
 * inputs ("Inputs must be files of the project with an accepted type"). Read by `_id` only.
 */
export const projectFilesProjection = defineProjection({
  name: PROJECT_FILES,
  version: 1,
  on: {
    'projects.file.added.v1': ({ data, position }) => [
      { kind: 'replace', id: data.fileId, position, document: { projectId: data.projectId, path: data.path, present: true } },
    ],
    'projects.file.deleted.v1': ({ data, position }) => [{ kind: 'update', id: data.fileId, position, update: { $set: { present: false } }, upsert: false }],
  },
});
