import type { Principal } from '@cairn/auth';
import type { Page } from '@cairn/http';
import { defineProjection, pageBy, type ReadModelDocument } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { memberId, type LabMemberDocument } from './lab-members.projection';

export const LAB_DIRECTORY = 'lab_directory';

export interface LabDocument {
  _id: string;
  slug: string;
  name: string;
  nameLower: string;
}

/** Every lab by name: the labs a person can open, with the names their memberships do not carry. */
export const labDirectoryProjection = defineProjection({
  name: LAB_DIRECTORY,
  version: 1,
  // Facility admins list every lab by name; members' lists look labs up by _id.
  indexes: [{ key: { nameLower: 1, _id: 1 } }],
  on: {
    'access.lab.created.v1': ({ data, position }) => {
      const document: Omit<LabDocument, '_id'> = { slug: data.slug, name: data.name, nameLower: data.name.toLowerCase() };
      return [{ kind: 'replace', id: data.lab, position, document }];
    },
  },
});

export interface LabOfCaller {
  id: string;
  slug: string;
  name: string;
  admin: boolean;
}

/** "My labs": the labs a person belongs to, or every lab for a facility admin. */
export class LabsOfCallerQuery {
  constructor(
    private readonly labs: () => Promise<Collection<ReadModelDocument>>,
    private readonly members: () => Promise<Collection<ReadModelDocument>>,
  ) {}

  async labsOf(principal: Principal, limit: number, cursor?: string): Promise<Page<LabOfCaller>> {
    if (principal.isFacilityAdmin) {
      const page = await pageBy<LabDocument>(await this.labs(), {}, 'nameLower', limit, cursor);
      const memberships = await this.membershipsOf(principal.userId, page.items.map((lab) => lab._id));
      return { items: page.items.map((lab) => labOf(lab, memberships.get(lab._id)?.admin ?? false)), nextCursor: page.nextCursor };
    }
    // Served by lab_members' { userId, lab, _id } index.
    const page = await pageBy<LabMemberDocument>(await this.members(), { userId: principal.userId }, 'lab', limit, cursor);
    const names = new Map(
      ((await (await this.labs()).find({ _id: { $in: page.items.map((member) => member.lab) } }).toArray()) as unknown as LabDocument[]).map(
        (lab) => [lab._id, lab],
      ),
    );
    return {
      items: page.items.map((member) => labOf(names.get(member.lab) ?? { _id: member.lab, slug: member.lab, name: member.lab, nameLower: member.lab }, member.admin)),
      nextCursor: page.nextCursor,
    };
  }

  private async membershipsOf(userId: string, labs: string[]): Promise<Map<string, LabMemberDocument>> {
    const ids = labs.map((lab) => memberId(lab, userId));
    const documents = (await (await this.members()).find({ _id: { $in: ids } }).toArray()) as unknown as LabMemberDocument[];
    return new Map(documents.map((member) => [member.lab, member]));
  }
}

function labOf(lab: LabDocument, admin: boolean): LabOfCaller {
  return { id: lab._id, slug: lab.slug, name: lab.name, admin };
}
