import type {
  CairnEvent,
  DeletionApprovedData,
  DeletionRejectedData,
  DeletionRequestedData,
  DeletionRequestedFile,
  FileKind,
} from '@cairn/contracts';
import type { Projection, WriteIntent } from '@cairn/read-models';

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
export const deletionRequestsProjection: Projection = {
  name: DELETION_REQUESTS,
  categories: ['projects_filespace'],
  version: 1,
  indexes: [{ key: { projectId: 1, requestedAt: -1, _id: -1 } }],
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      switch (event.type) {
        case 'projects.deletion.requested.v1': {
          const data = event.data as DeletionRequestedData;
          return [{ kind: 'replace', id: data.requestId, position: event.position, document: newDeletionRequestOf(data, event.time) }];
        }
        case 'projects.deletion.approved.v1':
        case 'projects.deletion.rejected.v1': {
          const data = event.data as DeletionApprovedData | DeletionRejectedData;
          const decision = {
            status: event.type === 'projects.deletion.approved.v1' ? 'approved' : 'rejected',
            decidedBy: data.actor,
            decidedAt: event.time,
            ...('reason' in data && data.reason !== undefined ? { decisionReason: data.reason } : {}),
          };
          return [{ kind: 'update', id: data.requestId, position: event.position, update: { $set: decision }, upsert: false }];
        }
        default:
          return [];
      }
    });
  },
};
