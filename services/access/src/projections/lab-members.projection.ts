import type { Principal } from '@cairn/auth';
import { forbidden } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { defineProjection, pageBy, type ReadModelDocument } from '@cairn/read-models';
import type { Collection } from 'mongodb';

export const LAB_MEMBERS = 'lab_members';

export interface LabMemberDocument {
  _id: string;
  lab: string;
  userId: string;
  username: string;
  usernameLower: string;
  email?: string;
  displayName: string;
  admin: boolean;
}

export const memberId = (lab: string, userId: string) => `${lab}:${userId}`;

/** A lab member as the members list and the addition's answer show them. */
export function labMemberViewOf({ lab, userId, username, email, displayName, admin }: Omit<LabMemberDocument, '_id' | 'usernameLower'>) {
  return { lab, userId, username, displayName, admin, ...(email ? { email } : {}) };
}

/** Who belongs to which lab: the lab members list and the lab-member check of lab-scoped reads. */
export const labMembersProjection = defineProjection({
  name: LAB_MEMBERS,
  // Version 2: a person's memberships are listed by lab ("my labs"), which the { userId, lab } index serves.
  version: 2,
  indexes: [{ key: { lab: 1, usernameLower: 1, _id: 1 } }, { key: { userId: 1, lab: 1, _id: 1 } }],
  on: {
    'access.lab.member-added.v1': ({ data, position }) => {
      const document: Omit<LabMemberDocument, '_id'> = {
        lab: data.lab,
        userId: data.userId,
        username: data.username,
        usernameLower: data.username.toLowerCase(),
        displayName: data.displayName,
        admin: data.admin,
        ...(data.email ? { email: data.email } : {}),
      };
      return [{ kind: 'replace', id: memberId(data.lab, data.userId), position, document }];
    },
    'access.lab.member-removed.v1': ({ data, position }) => [{ kind: 'delete', id: memberId(data.lab, data.userId), position }],
  },
});

/** Reads of the lab members model. */
export class LabMembersQuery {
  constructor(private readonly collection: () => Promise<Collection<ReadModelDocument>>) {}

  async isMember(lab: string, userId: string): Promise<boolean> {
    return (await (await this.collection()).countDocuments({ _id: memberId(lab, userId) }, { limit: 1 })) > 0;
  }

  /** A lab's members by username, for its members and for facility admins. */
  async membersVisibleTo(principal: Principal, lab: string, limit: number, cursor?: string): Promise<Page<ReturnType<typeof labMemberViewOf>>> {
    if (!principal.isFacilityAdmin && !(await this.isMember(lab, principal.userId))) {
      throw forbidden('lab.members-see-members', `only members of lab ${lab} see its members`);
    }
    const page = await pageBy<LabMemberDocument>(await this.collection(), { lab }, 'usernameLower', limit, cursor);
    return { items: page.items.map(labMemberViewOf), nextCursor: page.nextCursor };
  }
}
