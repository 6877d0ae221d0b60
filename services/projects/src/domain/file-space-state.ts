import type { DeletionRequestedFile, FileKind, FileSpaceEvent } from '@cairn/contracts';

/**
 * A project's file space: every file ever recorded and every deletion request. Requests live here, not in
 * streams of their own, so that an approval and the deletions it causes are one commit, and a new request
 * sees which files are present and which already await a decision. Stream: `projects_filespace-<projectId>`.
 */
export interface FileSpaceState {
  files: ReadonlyMap<string, FileEntry>;
  /** Place (`placeOf`) → id of the present file there; a deleted file's place is free again. */
  presentPaths: ReadonlyMap<string, string>;
  requests: ReadonlyMap<string, DeletionRequest>;
}

export interface FileEntry {
  fileId: string;
  path: string;
  kind: FileKind;
  present: boolean;
  /** Set for a file uploaded into an experiment: its path is relative to the experiment. */
  experimentId?: string;
  /** The pending deletion request naming this file, if any. */
  pendingRequestId?: string;
}

export interface DeletionRequest {
  requestId: string;
  requestedBy: string;
  files: DeletionRequestedFile[];
  scope: FileKind;
  status: 'pending' | 'approved' | 'rejected';
}

/** Where a file sits in the file space: its path, or for an experiment's file, the experiment and its path there. */
export function placeOf(file: { path: string; experimentId?: string | undefined }): string {
  return file.experimentId === undefined ? file.path : `experiment:${file.experimentId}/${file.path}`;
}

export function initialFileSpace(): FileSpaceState {
  return { files: new Map(), presentPaths: new Map(), requests: new Map() };
}

export function evolveFileSpace(state: FileSpaceState, event: FileSpaceEvent): FileSpaceState {
  switch (event.type) {
    case 'projects.file.added.v1': {
      const { fileId, path, kind } = event.data;
      return {
        ...state,
        files: new Map(state.files).set(fileId, { fileId, path, kind, present: true }),
        presentPaths: new Map(state.presentPaths).set(path, fileId),
      };
    }
    case 'projects.file.added-to-experiment.v1': {
      const { fileId, path, experimentId } = event.data;
      const file: FileEntry = { fileId, path, kind: 'raw', present: true, experimentId };
      return {
        ...state,
        files: new Map(state.files).set(fileId, file),
        presentPaths: new Map(state.presentPaths).set(placeOf(file), fileId),
      };
    }
    case 'projects.deletion.requested.v1': {
      const { requestId, files, scope, actor } = event.data;
      return {
        ...state,
        files: withFiles(state.files, files, (file) => ({ ...file, pendingRequestId: requestId })),
        requests: new Map(state.requests).set(requestId, { requestId, requestedBy: actor, files, scope, status: 'pending' }),
      };
    }
    case 'projects.deletion.approved.v1':
    case 'projects.deletion.rejected.v1': {
      const request = state.requests.get(event.data.requestId);
      if (!request) return state;
      const status = event.type === 'projects.deletion.approved.v1' ? 'approved' : 'rejected';
      return {
        ...state,
        files: withFiles(state.files, request.files, ({ pendingRequestId: _decided, ...file }) => file),
        requests: new Map(state.requests).set(request.requestId, { ...request, status }),
      };
    }
    case 'projects.file.deleted.v1': {
      const { fileId, path } = event.data;
      const place = placeOf({ path, experimentId: state.files.get(fileId)?.experimentId });
      const presentPaths = new Map(state.presentPaths);
      if (presentPaths.get(place) === fileId) presentPaths.delete(place);
      return { ...state, files: withFiles(state.files, [{ fileId }], (file) => ({ ...file, present: false })), presentPaths };
    }
  }
}

function withFiles(
  files: ReadonlyMap<string, FileEntry>,
  changed: readonly { fileId: string }[],
  change: (file: FileEntry) => FileEntry,
): ReadonlyMap<string, FileEntry> {
  const next = new Map(files);
  for (const { fileId } of changed) {
    const file = files.get(fileId);
    if (file) next.set(fileId, change(file));
  }
  return next;
}
