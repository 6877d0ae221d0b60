import type { ExperimentFileAddedData } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';
import { fileEntryOf, type FileDocument } from './file-index.projection';

export const EXPERIMENT_FILES = 'experiment_files';

/**
 * One file of an experiment. It is kept apart from `file_index`, which lists a project's own file space:
 * an experiment's files are seen through the experiment, by whoever sees it, and through every project
 * that links it, never as files of the project they were uploaded through.
 */
export interface ExperimentFileDocument extends Omit<FileDocument, 'projectId' | 'jobId'> {
  experimentId: string;
  /** The project whose file space records it (and whose rights decide its deletion); its bytes are stored there. */
  uploadedThrough: string;
}

/** An experiment's file as it is added (`time`: its event's). */
export function newExperimentFileOf(data: ExperimentFileAddedData, time: string): Omit<ExperimentFileDocument, '_id'> {
  return { experimentId: data.experimentId, uploadedThrough: data.projectId, ...fileEntryOf({ ...data, kind: 'raw' }), addedAt: time, status: 'present' };
}

/** Each experiment's files by path: the experiment's file list and download, and a linking project's job inputs. */
export const experimentFilesProjection = defineProjection({
  name: EXPERIMENT_FILES,
  version: 1,
  indexes: [{ key: { experimentId: 1, status: 1, path: 1, _id: 1 } }],
  on: {
    'projects.file.added-to-experiment.v1': ({ data, position, time }) => [
      { kind: 'replace', id: data.fileId, position, document: newExperimentFileOf(data, time) },
    ],
    // Deletions come from the uploading project's file space, of its own files and its experiments' alike.
    'projects.file.deleted.v1': ({ data: { fileId, actor, requestId }, position, time }) => {
      const changes = { status: 'deleted', deletedBy: actor, deletedAt: time, deletionRequestId: requestId };
      return [{ kind: 'update', id: fileId, position, update: { $set: changes }, upsert: false }];
    },
  },
});
