import { conflict, invalidField, type Decider, type FileKind, type FileSpaceEvent } from '@cairn/contracts';
import { requireProcessedPath, requireRawPath } from './file-paths';
import { evolveFileSpace, initialFileSpace, type FileSpaceState } from './file-space-state';
import { approveDeletion, rejectDeletion, requestDeletion, type DeletionCommand } from './deletion-request';
import { projectDeleted, requireCapability, type Actor } from './guards';

interface FileRecord {
  projectId: string;
  fileId: string;
  path: string;
  size: number;
  sha256: string;
}

/** A person uploads into `raw/`. */
export interface AddRawFile extends FileRecord, Actor {
  type: 'AddRawFile';
}

/**
 * The jobs service reports a job's output; the job was authorized when it was requested, so no
 * capability of the moment is checked. The triggerer is recorded as the one who added it.
 */
export interface RecordJobOutput extends FileRecord {
  type: 'RecordJobOutput';
  jobId: string;
  triggeredBy: string;
}

/** Read by the application layer from the project's own stream. */
interface OfProject {
  projectDeleted: boolean;
}

export type FileSpaceCommand = (AddRawFile | RecordJobOutput | DeletionCommand) & OfProject;

export const fileSpaceDecider: Decider<FileSpaceCommand, FileSpaceState, FileSpaceEvent> = {
  initialState: initialFileSpace,

  decide(command, state) {
    if (command.projectDeleted) throw projectDeleted(command.projectId);
    switch (command.type) {
      case 'AddRawFile':
        requireCapability(command, 'files.upload', 'uploading files');
        return addFile(command, state, { kind: 'raw', path: requireRawPath(command.path), addedBy: command.actor });
      case 'RecordJobOutput':
        return addFile(command, state, {
          kind: 'processed',
          path: requireProcessedPath(command.path, command.jobId),
          addedBy: command.triggeredBy,
          jobId: command.jobId,
        });
      case 'RequestDeletion':
        return requestDeletion(command, state);
      case 'ApproveDeletion':
        return approveDeletion(command, state);
      case 'RejectDeletion':
        return rejectDeletion(command, state);
    }
  },

  evolve: evolveFileSpace,
};

function addFile(
  record: FileRecord,
  state: FileSpaceState,
  added: { kind: FileKind; path: string; addedBy: string; jobId?: string },
): FileSpaceEvent[] {
  if (!Number.isSafeInteger(record.size) || record.size < 0) {
    throw invalidField('files.size', 'size', 'must be a whole number of bytes, 0 or more');
  }
  if (typeof record.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(record.sha256)) {
    throw invalidField('files.sha256', 'sha256', 'must be 64 lower-case hexadecimal digits');
  }
  if (state.files.has(record.fileId)) throw conflict('files.id-taken', `file ${record.fileId} already exists`);
  if (state.presentPaths.has(added.path)) {
    throw conflict('files.path-taken', `path: ${added.path} already holds a file`, {
      errors: [{ field: 'path', message: 'already holds a file' }],
    });
  }
  return [
    {
      type: 'projects.file.added.v1',
      data: {
        projectId: record.projectId,
        fileId: record.fileId,
        path: added.path,
        kind: added.kind,
        size: record.size,
        sha256: record.sha256,
        addedBy: added.addedBy,
        ...(added.jobId === undefined ? {} : { jobId: added.jobId }),
        actor: added.addedBy,
      },
    },
  ];
}
