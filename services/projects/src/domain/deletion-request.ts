import { conflict, forbidden, notFound, type FileKind, type FileSpaceEvent } from '@cairn/contracts';
import { optionalReason, requireIdList, requireReason } from './fields';
import type { FileSpaceState } from './file-space-state';
import { requireCapability, type Actor } from './guards';

/**
 * Four-eyes deletion: "Deletion needs a request and an approval by someone else (four eyes): processed
 * data requested by a member, approved by a manager; raw data requested by a manager, approved by the
 * owner." A request with any raw file is a raw request.
 */
export interface RequestDeletion extends Actor {
  type: 'RequestDeletion';
  projectId: string;
  requestId: string;
  fileIds: string[];
  reason: string;
}

export interface ApproveDeletion extends Actor {
  type: 'ApproveDeletion';
  projectId: string;
  requestId: string;
}

export interface RejectDeletion extends Actor {
  type: 'RejectDeletion';
  projectId: string;
  requestId: string;
  reason?: string;
}

export type DeletionCommand = RequestDeletion | ApproveDeletion | RejectDeletion;

const requestCapability = (scope: FileKind) => `deletion.request.${scope}`;
const approveCapability = (scope: FileKind) => `deletion.approve.${scope}`;

export function requestDeletion(command: RequestDeletion, state: FileSpaceState): FileSpaceEvent[] {
  // Refuse people who may request no deletion at all before telling them anything about the files.
  const mayRequestSome = (['processed', 'raw'] as const).some((scope) => command.actorCapabilities.includes(requestCapability(scope)));
  if (!mayRequestSome) requireCapability(command, requestCapability('processed'), 'requesting a deletion');
  if (state.requests.has(command.requestId)) {
    throw conflict('deletion.request-exists', `deletion request ${command.requestId} already exists`);
  }
  const fileIds = requireIdList(command.fileIds, 'fileIds');
  const reason = requireReason(command.reason);

  const files = fileIds.flatMap((fileId) => {
    const file = state.files.get(fileId);
    return file?.present ? [file] : [];
  });
  if (files.length < fileIds.length) {
    const absent = fileIds.filter((fileId) => !state.files.get(fileId)?.present);
    throw notFound('files.not-found', `no file ${absent.join(', ')} in the project's file space; nothing was requested`, {
      fileIds: absent,
    });
  }
  const awaiting = files.filter((file) => file.pendingRequestId !== undefined);
  if (awaiting.length > 0) {
    throw conflict('deletion.file-awaits-decision', 'some files are already in a deletion request awaiting a decision', {
      files: awaiting.map(({ fileId, pendingRequestId }) => ({ fileId, requestId: pendingRequestId })),
    });
  }
  const scope: FileKind = files.some((file) => file.kind === 'raw') ? 'raw' : 'processed';
  requireCapability(command, requestCapability(scope), `requesting deletion of ${scope} data`);
  return [
    {
      type: 'projects.deletion.requested.v1',
      data: {
        projectId: command.projectId,
        requestId: command.requestId,
        files: files.map(({ fileId, path, kind }) => ({ fileId, path, kind })),
        scope,
        reason,
        actor: command.actor,
      },
    },
  ];
}

export function approveDeletion(command: ApproveDeletion, state: FileSpaceState): FileSpaceEvent[] {
  const request = requireDecidable(command, state);
  return [
    {
      type: 'projects.deletion.approved.v1',
      data: { projectId: command.projectId, requestId: request.requestId, requestedBy: request.requestedBy, actor: command.actor },
    },
    ...request.files.map(
      ({ fileId, path, kind }): FileSpaceEvent => ({
        type: 'projects.file.deleted.v1',
        data: { projectId: command.projectId, fileId, path, kind, requestId: request.requestId, actor: command.actor },
      }),
    ),
  ];
}

export function rejectDeletion(command: RejectDeletion, state: FileSpaceState): FileSpaceEvent[] {
  const request = requireDecidable(command, state);
  const reason = optionalReason(command.reason);
  return [
    {
      type: 'projects.deletion.rejected.v1',
      data: {
        projectId: command.projectId,
        requestId: request.requestId,
        requestedBy: request.requestedBy,
        ...(reason === undefined ? {} : { reason }),
        actor: command.actor,
      },
    },
  ];
}

/** Approving and rejecting follow the same rules: someone else, holding the approve capability of the request's scope, decides once. */
function requireDecidable(command: ApproveDeletion | RejectDeletion, state: FileSpaceState) {
  const request = state.requests.get(command.requestId);
  if (!request) throw notFound('deletion.request-not-found', `no deletion request ${command.requestId} in this project`);
  if (request.status !== 'pending') {
    // Not `status`: problem documents use that name for the HTTP status.
    throw conflict('deletion.already-decided', `deletion request ${request.requestId} was already ${request.status}`, {
      decision: request.status,
    });
  }
  if (request.requestedBy === command.actor) {
    throw forbidden('deletion.four-eyes', 'a deletion request is never approved or rejected by the person who made it');
  }
  requireCapability(command, approveCapability(request.scope), `deciding a deletion request for ${request.scope} data`);
  return request;
}
