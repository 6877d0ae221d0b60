import { defineProjection, type ReadModelDocument } from '@cairn/read-models';
import type { Collection } from 'mongodb';

export const PENDING_INVITATIONS = 'pending_invitations';

export interface PendingInvitationDocument {
  _id: string;
  projectId: string;
  emailLower: string;
}

/**
 * Which projects wait for which e-mail address: what a verified sign-in looks up to accept its
 * invitations. Only the lookup: each acceptance is decided on the project's own access stream.
 */
export const pendingInvitationsProjection = defineProjection({
  name: PENDING_INVITATIONS,
  version: 1,
  indexes: [{ key: { emailLower: 1, _id: 1 } }],
  on: {
    'access.invitation.sent.v1': ({ data, position }) => {
      const document: Omit<PendingInvitationDocument, '_id'> = { projectId: data.projectId, emailLower: data.email.toLowerCase() };
      return [{ kind: 'replace', id: data.invitation, position, document }];
    },
    'access.invitation.withdrawn.v1': ({ data, position }) => [{ kind: 'delete', id: data.invitation, position }],
    'access.invitation.accepted.v1': ({ data, position }) => [{ kind: 'delete', id: data.invitation, position }],
  },
});

/** Reads of the pending invitations model. */
export class PendingInvitationsQuery {
  constructor(private readonly collection: () => Promise<Collection<ReadModelDocument>>) {}

  /** The invitations waiting for this address (any case), oldest first. */
  async waitingFor(email: string): Promise<{ invitation: string; projectId: string }[]> {
    const found = await (await this.collection())
      .find({ emailLower: email.toLowerCase() }, { sort: { emailLower: 1, _id: 1 }, projection: { projectId: 1 } })
      .toArray();
    return found.map((document) => ({ invitation: String(document._id), projectId: String(document.projectId) }));
  }
}
