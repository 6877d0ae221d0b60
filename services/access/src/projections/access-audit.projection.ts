import type { AccessChangeContext, CairnEvent, ProjectAccessRecord, StoredEventOf } from '@cairn/contracts';
import { decodeCursor, type Page } from '@cairn/http';
import { defineProjection, pageOf, type WriteIntent } from '@cairn/read-models';
import type { Collection, Document, Filter } from 'mongodb';

export const ACCESS_AUDIT = 'access_audit';

/**
 * What an access event changed: a person's `role` on a project (its creation included), the project's
 * `base-level`, its `ownership`, a `lab`, or someone's `lab-membership` (which starts or ends their
 * base-level access to the lab's projects), or an `invitation` by e-mail (`before`/`after`: null, pending,
 * withdrawn or accepted).
 */
export type AuditSubject = 'role' | 'base-level' | 'ownership' | 'lab' | 'lab-membership' | 'invitation';

/** One access event as an auditor reads it. `before`/`after` are values of the subject. */
export interface AccessAuditEntry {
  eventId: string;
  position: number;
  type: string;
  at: string;
  subject: AuditSubject;
  project?: string;
  lab?: string;
  actor: string;
  /** The people whose access the event names. */
  users: string[];
  before: string | null;
  after: string | null;
  reason?: string;
  previewId?: string;
  /** The project's creation: its scheme and first base level. */
  scheme?: string;
  baseLevel?: string | null;
  /** An ownership transfer: the new owner's role before, the role the previous owner keeps. */
  newOwnerBefore?: string | null;
  previousOwnerAfter?: string;
  /** An invitation by e-mail: its id, address and role. */
  invitation?: string;
  email?: string;
  role?: string;
  /** Links of the project's hash chain (`npm run cairn -- audit verify`). */
  prevHash?: string;
  hash?: string;
}

type AuditDocument = Omit<AccessAuditEntry, 'eventId' | 'at'> & { at: Date };

/** Every access change, who made it, when and why: one document per access event. */
export const accessAuditProjection = defineProjection({
  name: ACCESS_AUDIT,
  // Version 2: invitations by e-mail.
  version: 2,
  indexes: [
    { key: { project: 1, position: 1 } },
    { key: { lab: 1, position: 1 } },
    { key: { users: 1, position: 1 } },
    { key: { actor: 1, position: 1 } },
    { key: { at: 1 } },
  ],
  on: {
    'access.project.initialized.v1': (event) => {
      const { lab, scheme, baseLevel, user, before, after } = event.data;
      return entry(event, { ...projectRecord(event), subject: 'role', lab, scheme, baseLevel, users: [user], before, after });
    },
    'access.role.granted.v1': roleEntry,
    'access.role.changed.v1': roleEntry,
    'access.role.revoked.v1': roleEntry,
    'access.base-level.changed.v1': (event) =>
      entry(event, { ...projectRecord(event), subject: 'base-level', users: [], before: event.data.before, after: event.data.after }),
    'access.ownership.transferred.v1': (event) => {
      const { previousOwner, newOwner, newOwnerBefore, previousOwnerAfter } = event.data;
      return entry(event, {
        ...projectRecord(event),
        subject: 'ownership',
        users: [newOwner, previousOwner],
        before: previousOwner,
        after: newOwner,
        newOwnerBefore,
        previousOwnerAfter,
      });
    },
    'access.invitation.sent.v1': (event) => invitationEntry(event, [], null, 'pending'),
    'access.invitation.withdrawn.v1': (event) => invitationEntry(event, [], 'pending', 'withdrawn'),
    'access.invitation.accepted.v1': (event) => invitationEntry(event, [event.data.user], 'pending', 'accepted'),
    'access.lab.created.v1': (event) =>
      entry(event, { ...common(event), at: new Date(event.time), subject: 'lab', lab: event.data.lab, actor: event.data.actor, users: [], before: null, after: event.data.name }),
    'access.lab.member-added.v1': (event) =>
      entry(event, { ...membershipRecord(event), before: null, after: event.data.admin ? 'admin' : 'member' }),
    'access.lab.member-removed.v1': (event) => {
      const { reason } = event.data;
      return entry(event, { ...membershipRecord(event), before: 'member', after: null, ...(reason !== undefined && { reason }) });
    },
  },
});

function entry(event: CairnEvent, document: AuditDocument): WriteIntent[] {
  return [{ kind: 'replace', id: event.id, position: event.position, document }];
}

function common(event: CairnEvent) {
  return { position: event.position, type: event.type };
}

/** What every event of a project's access stream records: its decision's time, actor, context and chain links. */
function projectRecord(event: CairnEvent<string, ProjectAccessRecord & AccessChangeContext>) {
  const { data } = event;
  return {
    ...common(event),
    at: new Date(data.at),
    project: data.projectId,
    actor: data.actor,
    prevHash: data.prevHash,
    hash: data.hash,
    ...(data.reason !== undefined && { reason: data.reason }),
    ...(data.previewId !== undefined && { previewId: data.previewId }),
  };
}

function roleEntry(event: StoredEventOf<'access.role.granted.v1' | 'access.role.changed.v1' | 'access.role.revoked.v1'>): WriteIntent[] {
  return entry(event, { ...projectRecord(event), subject: 'role', users: [event.data.user], before: event.data.before, after: event.data.after });
}

function invitationEntry(
  event: StoredEventOf<'access.invitation.sent.v1' | 'access.invitation.withdrawn.v1' | 'access.invitation.accepted.v1'>,
  users: string[],
  before: string | null,
  after: string,
): WriteIntent[] {
  const { invitation, email, role } = event.data;
  return entry(event, { ...projectRecord(event), subject: 'invitation', users, before, after, invitation, email, role });
}

/** Lab events carry no decision time of their own: the event's time is when it happened. */
function membershipRecord(event: StoredEventOf<'access.lab.member-added.v1' | 'access.lab.member-removed.v1'>) {
  return { ...common(event), at: new Date(event.time), subject: 'lab-membership' as const, lab: event.data.lab, actor: event.data.actor, users: [event.data.userId] };
}

/** Which part of the history to read. */
export interface AuditFilter {
  /** A project's own events and, in schemes with a base level, its lab's membership changes since its creation. */
  project?: { id: string; lab?: string; since?: number };
  user?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}

/** Reads of the access audit model. */
export class AccessAuditQuery {
  constructor(private readonly collection: () => Promise<Collection<Document>>) {}

  /** Oldest first, paged by position. */
  async history(filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AccessAuditEntry>> {
    const after = decodeCursor(cursor, 'number');
    const conditions: Filter<Document>[] = [];
    const { project } = filter;
    if (project) {
      conditions.push(
        project.lab === undefined
          ? { project: project.id }
          : { $or: [{ project: project.id }, { lab: project.lab, subject: 'lab-membership', position: { $gt: project.since ?? 0 } }] },
      );
    }
    if (filter.user !== undefined) conditions.push({ users: filter.user });
    if (filter.actor !== undefined) conditions.push({ actor: filter.actor });
    if (filter.from) conditions.push({ at: { $gte: filter.from } });
    if (filter.to) conditions.push({ at: { $lte: filter.to } });
    if (typeof after === 'number') conditions.push({ position: { $gt: after } });
    const documents = await (await this.collection())
      .find(conditions.length === 0 ? {} : { $and: conditions })
      .sort({ position: 1 })
      .limit(limit + 1)
      .toArray();
    return pageOf(documents.map(entryOf), limit, (last) => last.position);
  }
}

function entryOf(document: Document): AccessAuditEntry {
  const { _id, _position: _applied, position, type, at, ...rest } = document;
  return { eventId: String(_id), position, type, at: (at as Date).toISOString(), ...(rest as Omit<AccessAuditEntry, 'eventId' | 'position' | 'type' | 'at'>) };
}
