import type { FileAddedData, FileKind } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';

export const FILE_INDEX = 'file_index';

/** One file of a project's file space; a deleted file keeps its document, marked deleted. */
export interface FileDocument {
  _id: string;
  projectId: string;
  path: string;
  /** The path's parent folder (`raw/run-1` for `raw/run-1/image.tif`). */
  folder: string;
  name: string;
  kind: FileKind;
  size: number;
  sha256: string;
  addedBy: string;
  addedAt: string;
  jobId?: string;
  status: 'present' | 'deleted';
  deletedBy?: string;
  deletedAt?: string;
  deletionRequestId?: string;
}

/** What a file's listing says of it, from its record (the event or the stored document). */
export type FileEntry = Pick<FileDocument, 'path' | 'folder' | 'name' | 'kind' | 'size' | 'sha256' | 'addedBy' | 'jobId'>;

export function fileEntryOf(file: Pick<FileAddedData, 'path' | 'kind' | 'size' | 'sha256' | 'addedBy' | 'jobId'>): FileEntry {
  const slash = file.path.lastIndexOf('/');
  return {
    path: file.path,
    folder: slash < 0 ? '' : file.path.slice(0, slash),
    name: file.path.slice(slash + 1),
    kind: file.kind,
    size: file.size,
    sha256: file.sha256,
    addedBy: file.addedBy,
    ...(file.jobId === undefined ? {} : { jobId: file.jobId }),
  };
}

/** A file as it is added (`time`: its event's). */
export function newFileOf(data: FileAddedData, time: string): Omit<FileDocument, '_id'> {
  return { projectId: data.projectId, ...fileEntryOf(data), addedAt: time, status: 'present' };
}

/** The project file space by folder: listing, download, and the files a deletion request may name. */
export const fileIndexProjection = defineProjection({
  name: FILE_INDEX,
  version: 1,
  // The second: a job's folder, whatever its project (`jobCrateFiles`).
  indexes: [{ key: { projectId: 1, status: 1, folder: 1, path: 1 } }, { key: { jobId: 1, status: 1, path: 1 } }],
  on: {
    'projects.file.added.v1': ({ data, position, time }) => [{ kind: 'replace', id: data.fileId, position, document: newFileOf(data, time) }],
    'projects.file.deleted.v1': ({ data: { fileId, actor, requestId }, position, time }) => {
      const changes = { status: 'deleted', deletedBy: actor, deletedAt: time, deletionRequestId: requestId };
      return [{ kind: 'update', id: fileId, position, update: { $set: changes }, upsert: false }];
    },
  },
});
