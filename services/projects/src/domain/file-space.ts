import { conflict, invalidField, notFound, type Decider, type FileKind, type FileSpaceEvent } from '@cairn/contracts';
import { requireExperimentPath, requireProcessedPath, requireRawPath } from './file-paths';
import { evolveFileSpace, initialFileSpace, placeOf, type FileSpaceState } from './file-space-state';
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
 * A person uploads into an experiment through this project. The project's rights decide: uploading
 * needs `files.upload` here (the lab guide's "Experimenter: Full access to experiments to the project,
 * including creating/adding them, making stacks and uploads"), and the experiment must be in the project.
 */
export interface AddExperimentFile extends FileRecord, Actor {
  type: 'AddExperimentFile';
  experimentId: string;
  /** Read by the application layer from the experiment directory, fresh. */
  experimentInProject: boolean;
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

export type FileSpaceCommand = (AddRawFile | AddExperimentFile | RecordJobOutput | DeletionCommand) & OfProject;

export const fileSpaceDecider: Decider<FileSpaceCommand, FileSpaceState, FileSpaceEvent> = {
  initialState: initialFileSpace,

  decide(command, state) {
    if (command.projectDeleted) throw projectDeleted(command.projectId);
    switch (command.type) {
      case 'AddRawFile':
        requireCapability(command, 'files.upload', 'uploading files');
        return addFile(command, state, { kind: 'raw', path: requireRawPath(command.path), addedBy: command.actor });
      case 'AddExperimentFile':
        return addExperimentFile(command, state);
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

function addExperimentFile(command: AddExperimentFile, state: FileSpaceState): FileSpaceEvent[] {
  requireCapability(command, 'files.upload', 'uploading files');
  if (!command.experimentInProject) {
    throw notFound('experiments.not-in-project', `no experiment ${command.experimentId} in project ${command.projectId}`);
  }
  const path = requireExperimentPath(command.path);
  requireNewFile(command, state, placeOf({ path, experimentId: command.experimentId }), path);
  const { projectId, experimentId, fileId, size, sha256, actor } = command;
  return [{ type: 'projects.file.added-to-experiment.v1', data: { projectId, experimentId, fileId, path, size, sha256, addedBy: actor, actor } }];
}

function requireNewFile(record: FileRecord, state: FileSpaceState, place: string, path: string): void {
  if (!Number.isSafeInteger(record.size) || record.size < 0) {
    throw invalidField('files.size', 'size', 'must be a whole number of bytes, 0 or more');
  }
  if (typeof record.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(record.sha256)) {
    throw invalidField('files.sha256', 'sha256', 'must be 64 lower-case hexadecimal digits');
  }
  if (state.files.has(record.fileId)) throw conflict('files.id-taken', `file ${record.fileId} already exists`);
  if (state.presentPaths.has(place)) {
    throw conflict('files.path-taken', `path: ${path} already holds a file`, {
      errors: [{ field: 'path', message: 'already holds a file' }],
    });
  }
}

function addFile(
  record: FileRecord,
  state: FileSpaceState,
  added: { kind: FileKind; path: string; addedBy: string; jobId?: string },
): FileSpaceEvent[] {
  requireNewFile(record, state, added.path, added.path);
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
