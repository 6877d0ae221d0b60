import type { CairnEvent, DeletionApprovedData, DeletionRejectedData, DeletionRequestedData, DeletionRequestedFile, FileKind } from '@cairn/contracts';
import { defineProjection, type WriteIntent } from '@cairn/read-models';

export const DELETION_REQUESTS = 'deletion_requests';

export interface DeletionRequestDocument {
  _id: string;
  projectId: string;
  files: DeletionRequestedFile[];
  scope: FileKind;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
}

/** A deletion request as it is made (`time`: its event's): pending. */
export function newDeletionRequestOf(data: DeletionRequestedData, time: string): Omit<DeletionRequestDocument, '_id'> {
  return {
    projectId: data.projectId,
    files: data.files,
    scope: data.scope,
    reason: data.reason,
    requestedBy: data.actor,
    requestedAt: time,
    status: 'pending',
  };
}

/** A deletion request as lists and its creation answer it. */
export function deletionRequestViewOf(document: DeletionRequestDocument & { _position?: number }) {
  const { _id, _position: _p, ...request } = document;
  return { id: _id, ...request };
}

/** Deletion requests by id (approve and reject name only the request) and by project. */
export const deletionRequestsProjection = defineProjection({
  name: DELETION_REQUESTS,
  version: 1,
  indexes: [{ key: { projectId: 1, requestedAt: -1, _id: -1 } }],
  on: {
    'projects.deletion.requested.v1': ({ data, position, time }) => [
      { kind: 'replace', id: data.requestId, position, document: newDeletionRequestOf(data, time) },
    ],
    'projects.deletion.approved.v1': (event) => decided(event, 'approved'),
    'projects.deletion.rejected.v1': (event) => decided(event, 'rejected', event.data.reason),
  },
});

function decided(
  { data, position, time }: CairnEvent<string, DeletionApprovedData | DeletionRejectedData>,
  status: DeletionRequestDocument['status'],
  reason?: string,
): WriteIntent[] {
  const decision = { status, decidedBy: data.actor, decidedAt: time, ...(reason !== undefined && { decisionReason: reason }) };
  return [{ kind: 'update', id: data.requestId, position, update: { $set: decision }, upsert: false }];
}
