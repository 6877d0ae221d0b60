import { Logger } from '@nestjs/common';
import type { Principal } from '@cairn/auth';
import { notFound, type DeletionRequestedData, type ExperimentFileAddedData, type FileAddedData } from '@cairn/contracts';
import { loadAggregate, type EventStore, type FreshnessGate, type FreshState, newEntityId } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { escapeRegex, pageBy, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import type { Readable } from 'node:stream';
import { requireExperimentPath, requireRawPath } from '../domain/file-paths';
import { fileSpaceDecider, type AddExperimentFile, type AddRawFile, type RecordJobOutput } from '../domain/file-space';
import { projectDecider } from '../domain/project';
import {
  DELETION_REQUESTS,
  deletionRequestViewOf,
  EXPERIMENT_DIRECTORY,
  EXPERIMENT_FILES,
  newExperimentFileOf,
  FILE_INDEX,
  fileEntryOf,
  newDeletionRequestOf,
  newFileOf,
  type DeletionRequestDocument,
  type ExperimentFileDocument,
  type FileDocument,
  type FileEntry,
} from '../projections';
import type { AccessView } from './access-view';
import { BlobNotFoundError, type BlobStore, type StoredBlob } from './blob-store';
import { fileSpaceCommands, fileSpaceStream, newDeletionRequestId, projectOfDeletionRequest, projectStream } from './streams';

export interface FileView extends FileEntry {
  id: string;
  addedAt: string;
}

export interface ExperimentFileView extends Omit<FileView, 'jobId'> {
  experimentId: string;
  /** The project whose rights decide the file's deletion (its deletion requests are made there). */
  uploadedThrough: string;
}

/** Bytes received for a file, not yet recorded: recording it or discarding it comes next. */
export interface ReceivedBlob extends StoredBlob {
  fileId: string;
}

/** Where a file's bytes are stored: with the project whose file space records it. */
export const blobKey = (projectId: string, fileId: string) => `${projectId}/${fileId}`;
/** Where a job's runner writes its Process Run Crate, at the root of the job's folder. */
const CRATE_METADATA_NAME = 'ro-crate-metadata.json';

/**
 * The project file space: raw uploads, jobs' processed outputs, listing, download, and four-eyes deletion.
 * Bytes are stored first and recorded second, so a recorded file always has its bytes; bytes whose
 * recording was refused are deleted at once.
 */
export class FilesService {
  private readonly logger = new Logger('files');

  private readonly fileSpaceCommands: ReturnType<typeof fileSpaceCommands>;

  constructor(
    private readonly store: EventStore,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly blobs: BlobStore,
    private readonly fresh: FreshState,
    /** `deletion_requests`, where requests made before their ids named their project are found. */
    private readonly deletionRequests: FreshnessGate,
    /** `experiment_directory`: which projects an experiment is in, when a file is uploaded into it. */
    private readonly experimentDirectory: FreshnessGate,
  ) {
    this.fileSpaceCommands = fileSpaceCommands(store);
  }

  /** Refuses a raw path that escapes the file space before any byte is stored. */
  checkRawPath(path: string): string {
    return requireRawPath(path);
  }

  /** Stores an upload's bytes under a new file id; `maxBytes` bounds it (BlobTooLargeError past it). */
  async receive(projectId: string, content: Readable, maxBytes: number): Promise<ReceivedBlob> {
    const fileId = newEntityId();
    const stored = await this.blobs.put(blobKey(projectId, fileId), content, { maxBytes });
    return { fileId, ...stored };
  }

  /** Removes received bytes that will not be recorded (the upload failed after them). */
  discard(projectId: string, fileId: string): Promise<void> {
    return this.blobs.delete(blobKey(projectId, fileId));
  }

  async addRawFile(principal: Principal, projectId: string, path: string, received: ReceivedBlob) {
    await this.fresh.of(this.access);
    return this.record(projectId, received, { type: 'AddRawFile', path, ...this.uploadBy(principal, projectId, received) });
  }

  /** What a person's upload into the project's file space says of itself: the bytes received, who sent them and their rights there. */
  private uploadBy(principal: Principal, projectId: string, received: ReceivedBlob) {
    return {
      projectId,
      fileId: received.fileId,
      size: received.size,
      sha256: received.sha256,
      actor: principal.userId,
      actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
    };
  }

  /** Refuses a path that escapes the experiment before any byte is stored. */
  checkExperimentPath(path: string): string {
    return requireExperimentPath(path);
  }

  /**
   * An upload into an experiment through a project that links it: recorded in that project's file space,
   * its bytes stored with the project's. The links are as the store held them when the upload arrived.
   */
  async addExperimentFile(principal: Principal, projectId: string, experimentId: string, path: string, received: ReceivedBlob) {
    await this.fresh.of(this.access, this.experimentDirectory);
    const experiment = await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY)).findOne({ _id: experimentId }, { projection: { projects: 1 } });
    return this.recordAs(
      projectId,
      received,
      {
        type: 'AddExperimentFile',
        experimentId,
        experimentInProject: ((experiment?.projects as string[] | undefined) ?? []).includes(projectId),
        path,
        ...this.uploadBy(principal, projectId, received),
      },
      (added: ExperimentFileAddedData, time) => experimentFileViewOf({ _id: added.fileId, ...newExperimentFileOf(added, time) }),
    );
  }

  /** An experiment's present files, by path; the caller was shown the experiment (`ExperimentsService.requireVisible`). */
  async listExperimentFiles(experimentId: string, query: { limit: number; cursor?: string }): Promise<Page<ExperimentFileView>> {
    const collection = await this.collections.resolve<ReadModelDocument>(EXPERIMENT_FILES);
    const page = await pageBy<ExperimentFileDocument>(collection, { experimentId, status: 'present' }, 'path', query.limit, query.cursor);
    return { items: page.items.map(experimentFileViewOf), nextCursor: page.nextCursor };
  }

  /** A present file of an experiment the caller was shown, and its bytes. */
  async openExperimentFile(experimentId: string, fileId: string) {
    const document = (await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_FILES)).findOne({ _id: fileId })) as ExperimentFileDocument | null;
    if (!document || document.experimentId !== experimentId) throw notFound('files.not-found', `no file ${fileId} in the experiment`);
    return { file: experimentFileViewOf(document), content: await this.bytesOf(document, document.uploadedThrough, `no file ${fileId} in the experiment`) };
  }

  /**
   * A job's output, stored under `processed/<jobId>/`: the job was authorized when it was requested, and
   * the runner holding it uploads (`RunnerHolds`). The triggerer is recorded as the one who added it.
   */
  async recordJobOutput(projectId: string, job: { jobId: string; triggeredBy: string }, path: string, content: Readable, maxBytes: number) {
    return this.addJobOutput(projectId, job, path, await this.receive(projectId, content, maxBytes));
  }

  /** `recordJobOutput` of bytes already received (a runner's multipart upload). */
  async addJobOutput(projectId: string, job: { jobId: string; triggeredBy: string }, path: string, received: ReceivedBlob) {
    return this.record(projectId, received, {
      type: 'RecordJobOutput',
      projectId,
      fileId: received.fileId,
      path,
      size: received.size,
      sha256: received.sha256,
      jobId: job.jobId,
      triggeredBy: job.triggeredBy,
    });
  }

  /** Files directly in `folder` (by path), and the folders directly below it. */
  async list(principal: Principal, projectId: string, query: { folder: string; limit: number; cursor?: string }, minPosition?: number) {
    await this.access.require(projectId, principal.userId, 'project.read', minPosition);
    const collection = await this.collections.resolve<ReadModelDocument>(FILE_INDEX);
    const present = { projectId, status: 'present' };
    const page: Page<FileDocument> = await pageBy<FileDocument>(collection, { ...present, folder: query.folder }, 'path', query.limit, query.cursor);
    const below = query.folder === '' ? { $ne: '' } : { $regex: `^${escapeRegex(query.folder)}/` };
    const deeper = (await collection.distinct('folder', { ...present, folder: below })) as string[];
    const start = query.folder === '' ? 0 : query.folder.length + 1;
    const folders = [...new Set(deeper.map((folder) => folder.slice(start).split('/')[0]))].sort();
    return { folder: query.folder, folders, items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  /**
   * The files a job left in its output folder, once the caller may read its project: what its crate
   * zips. A job nobody may see, one with no files, and one whose folder has no crate yet (running, or
   * cancelled before a runner took it) all answer as missing.
   */
  async jobCrateFiles(principal: Principal, jobId: string, minPosition?: number) {
    const missing = () => notFound('files.job-crate-not-found', `there is no crate of job ${jobId}`);
    const collection = await this.collections.resolve<ReadModelDocument>(FILE_INDEX);
    const documents = (await collection.find({ jobId, status: 'present' }).sort({ path: 1 }).toArray()) as unknown as FileDocument[];
    if (documents.length === 0) throw missing();
    const { projectId } = documents[0];
    await this.access.require(projectId, principal.userId, 'project.read', minPosition, missing);
    const folder = `processed/${jobId}/`;
    if (!documents.some((document) => document.path === `${folder}${CRATE_METADATA_NAME}`)) throw missing();
    return documents.map((document) => ({
      name: document.path.slice(folder.length),
      size: document.size,
      modifiedAt: new Date(document.addedAt),
      open: async () => (await this.blobs.get(blobKey(projectId, document._id))).content,
    }));
  }

  /** A present file's record and bytes. */
  async open(principal: Principal, projectId: string, fileId: string, minPosition?: number) {
    await this.access.require(projectId, principal.userId, 'project.read', minPosition);
    return this.openFile(projectId, fileId);
  }

  /**
   * `open` for a reader already let in otherwise (a runner reading its job's input). An input may be a
   * file of an experiment the project links: the jobs service checked that when the job was requested.
   */
  async openFile(projectId: string, fileId: string) {
    const missing = `no file ${fileId} in the project's file space`;
    const document = (await (await this.collections.resolve<ReadModelDocument>(FILE_INDEX)).findOne({ _id: fileId, projectId })) as FileDocument | null;
    if (document) return { file: viewOf(document), content: await this.bytesOf(document, projectId, missing) };
    const ofExperiment = (await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_FILES)).findOne({ _id: fileId })) as ExperimentFileDocument | null;
    if (!ofExperiment) throw notFound('files.not-found', missing);
    return { file: viewOf({ ...ofExperiment, projectId }), content: await this.bytesOf(ofExperiment, ofExperiment.uploadedThrough, missing) };
  }

  private async bytesOf(document: { _id: string; status: string }, storedIn: string, missing: string): Promise<Readable> {
    if (document.status !== 'present') throw notFound('files.not-found', missing);
    try {
      return (await this.blobs.get(blobKey(storedIn, document._id))).content;
    } catch (error) {
      // Deleted by an approval the read model has not seen yet.
      if (error instanceof BlobNotFoundError) throw notFound('files.not-found', missing);
      throw error;
    }
  }

  async requestDeletion(principal: Principal, projectId: string, fileIds: string[], reason: string) {
    await this.fresh.of(this.access);
    const requestId = newDeletionRequestId(projectId);
    const outcome = await this.fileSpaceCommands(
      projectId,
      {
        type: 'RequestDeletion',
        projectId,
        requestId,
        fileIds,
        reason,
        actor: principal.userId,
        actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
        projectDeleted: await this.isProjectDeleted(projectId),
      },
      { actor: principal.userId },
    );
    const requested = outcome.events[0].data as DeletionRequestedData;
    return { position: outcome.position, request: deletionRequestViewOf({ _id: requestId, ...newDeletionRequestOf(requested, outcome.time!) }) };
  }

  /**
   * Approval records the decision and the files' deletion in one commit, and only then deletes the
   * bytes: bytes never go missing for a file the history says is present. If deleting bytes fails, the
   * files are deleted all the same (the events say so, and listing and download no longer offer them);
   * the leftover bytes are logged, and `sweepDeletedBytes` removes them later (deleting is idempotent).
   * The request is found in its project's file space, which its id names: a request made a moment ago
   * is there.
   */
  async decide(principal: Principal, requestId: string, decision: 'approve' | 'reject', reason?: string) {
    const projectId = await this.projectOfRequest(requestId);
    await this.fresh.of(this.access);
    await this.access.require(projectId, principal.userId, 'project.read', undefined, () => requestNotFound(requestId));
    const common = {
      projectId,
      requestId,
      actor: principal.userId,
      actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
      projectDeleted: await this.isProjectDeleted(projectId),
    };
    const outcome = await this.fileSpaceCommands(
      projectId,
      decision === 'approve' ? { type: 'ApproveDeletion', ...common } : { type: 'RejectDeletion', ...common, ...(reason === undefined ? {} : { reason }) },
      { actor: principal.userId },
    );
    const deletedFileIds = outcome.events.flatMap((event) => (event.type === 'projects.file.deleted.v1' ? [event.data.fileId] : []));
    await this.deleteBytes(projectId, deletedFileIds);
    return { position: outcome.position, requestId, projectId, status: decision === 'approve' ? 'approved' : 'rejected', deletedFileIds };
  }

  /** Deletes the bytes of every file the file space records as deleted; idempotent (a retry after a failed delete). */
  async sweepDeletedBytes(projectId: string): Promise<number> {
    const { state } = await loadAggregate(this.store, fileSpaceStream(projectId), fileSpaceDecider);
    const deleted = [...state.files.values()].filter((file) => !file.present).map((file) => file.fileId);
    await this.deleteBytes(projectId, deleted);
    return deleted.length;
  }

  async listDeletionRequests(principal: Principal, projectId: string, query: { limit: number; cursor?: string }, minPosition?: number) {
    await this.access.require(projectId, principal.userId, 'project.read', minPosition);
    const page = await pageBy<DeletionRequestDocument>(await this.collections.resolve<ReadModelDocument>(DELETION_REQUESTS), { projectId }, 'requestedAt', query.limit, query.cursor);
    return { items: page.items.map(deletionRequestViewOf), nextCursor: page.nextCursor };
  }

  private async projectOfRequest(requestId: string): Promise<string> {
    const projectId = projectOfDeletionRequest(requestId);
    if (projectId !== undefined) return projectId;
    // A request made before ids named their project: the read model knows it, once it has everything the store held.
    await this.fresh.of(this.deletionRequests);
    const request = await (await this.collections.resolve<ReadModelDocument>(DELETION_REQUESTS)).findOne({ _id: requestId }, { projection: { projectId: 1 } });
    if (!request) throw requestNotFound(requestId);
    return String(request.projectId);
  }

  private async deleteBytes(projectId: string, fileIds: string[]): Promise<void> {
    for (const fileId of fileIds) {
      await this.blobs.delete(blobKey(projectId, fileId)).catch((error: Error) => {
        this.logger.error(`file ${fileId} of project ${projectId} is deleted but its bytes could not be removed (${error.message}); sweepDeletedBytes removes them`);
      });
    }
  }

  private record(projectId: string, received: ReceivedBlob, command: AddRawFile | RecordJobOutput) {
    return this.recordAs(projectId, received, command, (added: FileAddedData, time) => viewOf({ _id: added.fileId, ...newFileOf(added, time) }));
  }

  /** Records received bytes as a file, answering it as `view` shows the added event; refused bytes are deleted at once. */
  private async recordAs<Added, View>(projectId: string, received: ReceivedBlob, command: AddRawFile | AddExperimentFile | RecordJobOutput, view: (added: Added, time: string) => View) {
    try {
      const outcome = await this.fileSpaceCommands(projectId, { ...command, projectDeleted: await this.isProjectDeleted(projectId) }, {});
      return { position: outcome.position, file: view(outcome.events[0].data as Added, outcome.time!) };
    } catch (error) {
      await this.discard(projectId, received.fileId).catch(() => undefined);
      throw error;
    }
  }

  private async isProjectDeleted(projectId: string): Promise<boolean> {
    const { state: project } = await loadAggregate(this.store, projectStream(projectId), projectDecider);
    return project.status === 'deleted';
  }
}

function viewOf(file: FileDocument): FileView {
  return { id: file._id, ...fileEntryOf(file), addedAt: file.addedAt };
}

function experimentFileViewOf(file: ExperimentFileDocument): ExperimentFileView {
  const { jobId: _none, ...entry } = fileEntryOf(file);
  return { id: file._id, experimentId: file.experimentId, uploadedThrough: file.uploadedThrough, ...entry, addedAt: file.addedAt };
}

/** A deletion request that does not exist, or, told apart from nothing, one in a project the caller cannot see. */
function requestNotFound(requestId: string) {
  return notFound('deletion.request-not-found', `no deletion request ${requestId}`);
}
