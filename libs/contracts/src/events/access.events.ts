import { closedObject, type EmittedBy } from './schema-parts';
import { defineEvent, type EventDefinition } from '../event-definition';
import type { Role } from '../roles';

/**
 * Events of the access context. Streams (one per aggregate instance):
 * - `access_lab-<labId>`: the lab and its members directory (member events carry username, e-mail and
 *   display name so the user directory is built from them alone).
 * - `access_project-<projectId>`: the project's scheme, base level and explicit permissions. Its events
 *   form a SHA-256 hash chain: each carries the previous event's `hash` as `prevHash` (64 zeros for the
 *   first) and `hash = sha256(prevHash + canonical JSON of { type, data without hash })`, so an auditor
 *   can verify that the access history was not rewritten. They carry `at` (the decision's time) inside
 *   the data, and so inside the hash.
 * - `access_chain-<stream id>`: the heads of one of those streams, signed by the access service as it
 *   commits to it.
 *
 * Users are referenced by user id (the JWT `sub`). Roles are names of the project's scheme (`Role`);
 * `before` and `after` are the user's effective role on the project (explicit permission, else base
 * level through lab membership, else null for no role at all).
 */

export interface LabCreatedData {
  lab: string;
  name: string;
  slug: string;
  actor: string;
}

export interface LabMemberAddedData {
  lab: string;
  userId: string;
  username: string;
  email?: string;
  displayName: string;
  /** Lab admins add and remove members. */
  admin: boolean;
  actor: string;
}

/** Ends the person's base-level access to the lab's projects. */
export interface LabMemberRemovedData {
  lab: string;
  userId: string;
  username: string;
  email?: string;
  displayName: string;
  actor: string;
  reason?: string;
}

/** Fields every event of a project's access stream carries. */
export interface ProjectAccessRecord {
  projectId: string;
  actor: string;
  /** ISO 8601 UTC. */
  at: string;
  /** `hash` of the previous event of the stream; 64 zeros for the first. */
  prevHash: string;
  hash: string;
}

/** Why someone changed access, and the dry run they looked at first. */
export interface AccessChangeContext {
  reason?: string;
  previewId?: string;
}

/** The project was created: its creator (`user`) becomes its owner. */
export interface ProjectAccessInitializedData extends ProjectAccessRecord {
  lab: string;
  scheme: string;
  /** Null when the scheme has no base level. */
  baseLevel: Role | null;
  user: string;
  before: null;
  after: Role;
}

/** A user without an explicit permission received one; `before` is what they had through the base level. */
export interface RoleGrantedData extends ProjectAccessRecord, AccessChangeContext {
  user: string;
  before: Role | null;
  after: Role;
}

/** An explicit permission moved from one role to another. */
export interface RoleChangedData extends ProjectAccessRecord, AccessChangeContext {
  user: string;
  before: Role;
  after: Role;
}

/** An explicit permission was removed; `after` is what the user keeps through the base level. */
export interface RoleRevokedData extends ProjectAccessRecord, AccessChangeContext {
  user: string;
  before: Role;
  after: Role | null;
}

/** The level every lab member without an explicit permission has. */
export interface BaseLevelChangedData extends ProjectAccessRecord, AccessChangeContext {
  before: Role;
  after: Role;
}

/**
 * A project invited an e-mail address nobody may have signed in with yet, for a role. The invitation
 * is pending until someone signs in with that address verified by their identity provider; withdrawn,
 * or accepted then, it ends.
 */
export interface InvitationSentData extends ProjectAccessRecord, AccessChangeContext {
  invitation: string;
  /** As the inviter typed it; matched case-insensitively. */
  email: string;
  role: Role;
}

/** Someone who may grant the invitation's role withdrew it before anyone accepted it. */
export interface InvitationWithdrawnData extends ProjectAccessRecord, AccessChangeContext {
  invitation: string;
  email: string;
  role: Role;
}

/**
 * The one person holding the invitation's e-mail, verified, signed in (`actor` and `user`): the
 * invitation ends, and the role is granted by the `access.role.granted.v1` that follows it in the same
 * commit (unless they already held an explicit permission, which stands).
 */
export interface InvitationAcceptedData extends ProjectAccessRecord {
  invitation: string;
  email: string;
  user: string;
  role: Role;
  invitedBy: string;
}

/**
 * The access service signed the head of one access-deciding stream right after committing to it, with
 * the Ed25519 key of its Secret (docs/audit-bundle.md, "Heads signed at write time"); recorded on
 * `access_chain-<that stream's id>`.
 */
export interface ChainHeadSignedData {
  /** The stream id, e.g. `access_project-p1`. */
  stream: string;
  /** How many events of the stream the head covers. */
  length: number;
  /** The audit chain's link of its last covered event (lowercase hex SHA-256). */
  head: string;
  signedAt: string;
  keyId: string;
  /** Ed25519 over JCS({ format: "cairn.audit-head.v1", stream, length, head, signedAt, keyId }), base64. */
  signature: string;
}

/** The single owner handed the project over and kept a lower role. */
export interface OwnershipTransferredData extends ProjectAccessRecord, AccessChangeContext {
  previousOwner: string;
  newOwner: string;
  /** The new owner's effective role before the transfer. */
  newOwnerBefore: Role | null;
  /** The role the previous owner keeps. */
  previousOwnerAfter: Role;
}

const id = { type: 'string', minLength: 1 } as const;
const text = { type: 'string', minLength: 1, maxLength: 200 } as const;
const role = { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } as const;
const roleOrNone = { anyOf: [role, { type: 'null' }] } as const;
const sha256Hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const isoTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' } as const;

/** Grants, base level and ownership are facts of the project's access stream (`access_project-<id>`). */
const inProjectAccessStream = { aggregate: 'project' } as const;
const record = { projectId: id, actor: id, at: isoTime, prevHash: sha256Hex, hash: sha256Hex };
const changeContext = { reason: { type: 'string', maxLength: 2000 }, previewId: id };
const directoryEntry = { lab: id, userId: id, username: text, displayName: text };

export const labCreatedV1 = defineEvent<LabCreatedData>()({
  type: 'access.lab.created.v1',
  description: 'A facility admin created a lab (a tenant); the creator is added as its first lab admin.',
  schema: closedObject({ lab: id, name: text, slug: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 60 }, actor: id }),
});

export const labMemberAddedV1 = defineEvent<LabMemberAddedData>()({
  type: 'access.lab.member-added.v1',
  description: "A lab admin added a person to the lab; they get each lab project's base level.",
  schema: closedObject({ ...directoryEntry, admin: { type: 'boolean' }, actor: id }, { email: text }),
});

export const labMemberRemovedV1 = defineEvent<LabMemberRemovedData>()({
  type: 'access.lab.member-removed.v1',
  description: 'A lab admin removed a person from the lab; their base-level access ends.',
  schema: closedObject({ ...directoryEntry, actor: id }, { email: text, reason: changeContext.reason }),
});

export const projectAccessInitializedV1 = defineEvent<ProjectAccessInitializedData>()({
  type: 'access.project.initialized.v1',
  description: "A project's access began: its scheme, base level and its creator as owner.",
  schema: closedObject({
    ...record,
    lab: id,
    scheme: role,
    baseLevel: roleOrNone,
    user: id,
    before: { type: 'null' },
    after: role,
  }),
});

export const roleGrantedV1 = defineEvent<RoleGrantedData>()({
  type: 'access.role.granted.v1',
  ...inProjectAccessStream,
  description: 'A user received an explicit permission on a project.',
  schema: closedObject({ ...record, user: id, before: roleOrNone, after: role }, changeContext),
});

export const roleChangedV1 = defineEvent<RoleChangedData>()({
  type: 'access.role.changed.v1',
  ...inProjectAccessStream,
  description: "A user's explicit permission on a project changed to another role.",
  schema: closedObject({ ...record, user: id, before: role, after: role }, changeContext),
});

export const roleRevokedV1 = defineEvent<RoleRevokedData>()({
  type: 'access.role.revoked.v1',
  ...inProjectAccessStream,
  description: "A user's explicit permission on a project was removed; base-level access, if any, remains.",
  schema: closedObject({ ...record, user: id, before: role, after: roleOrNone }, changeContext),
});

export const baseLevelChangedV1 = defineEvent<BaseLevelChangedData>()({
  type: 'access.base-level.changed.v1',
  ...inProjectAccessStream,
  description: 'The level every lab member without an explicit permission has on a project changed.',
  schema: closedObject({ ...record, before: role, after: role }, changeContext),
});

export const ownershipTransferredV1 = defineEvent<OwnershipTransferredData>()({
  type: 'access.ownership.transferred.v1',
  ...inProjectAccessStream,
  description: "A project's single owner handed ownership to a lab member and kept a lower role.",
  schema: closedObject(
    { ...record, previousOwner: id, newOwner: id, newOwnerBefore: roleOrNone, previousOwnerAfter: role },
    changeContext,
  ),
});

const invitation = { invitation: id, email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }, role };

export const invitationSentV1 = defineEvent<InvitationSentData>()({
  type: 'access.invitation.sent.v1',
  ...inProjectAccessStream,
  description: 'A project invited an e-mail address for a role; pending until someone signs in with that address verified.',
  schema: closedObject({ ...record, ...invitation }, changeContext),
});

export const invitationWithdrawnV1 = defineEvent<InvitationWithdrawnData>()({
  type: 'access.invitation.withdrawn.v1',
  ...inProjectAccessStream,
  description: 'A pending invitation by e-mail was withdrawn by someone who may grant its role.',
  schema: closedObject({ ...record, ...invitation }, changeContext),
});

export const invitationAcceptedV1 = defineEvent<InvitationAcceptedData>()({
  type: 'access.invitation.accepted.v1',
  ...inProjectAccessStream,
  description: "The one person holding a pending invitation's e-mail, verified, signed in; the role granted follows in the same commit.",
  schema: closedObject({ ...record, ...invitation, user: id, invitedBy: id }),
});

export const chainHeadSignedV1 = defineEvent<ChainHeadSignedData>()({
  type: 'access.chain.head-signed.v1',
  description: 'The access service signed the head of an access-deciding stream as it committed to it.',
  schema: closedObject({
    stream: { type: 'string', pattern: '^access_[a-z]+-[A-Za-z0-9_-]+$' },
    length: { type: 'integer', minimum: 1 },
    head: sha256Hex,
    signedAt: isoTime,
    keyId: { type: 'string', pattern: '^ed25519:[0-9a-f]{16}$' },
    signature: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$' },
  }),
});

export const accessEvents = [
  labCreatedV1,
  labMemberAddedV1,
  labMemberRemovedV1,
  projectAccessInitializedV1,
  roleGrantedV1,
  roleChangedV1,
  roleRevokedV1,
  baseLevelChangedV1,
  ownershipTransferredV1,
  invitationSentV1,
  invitationWithdrawnV1,
  invitationAcceptedV1,
  chainHeadSignedV1,
] as const satisfies readonly EventDefinition[];

/** The `{ type, data }` a decider emits for one definition. */

export type LabEvent = EmittedBy<typeof labCreatedV1 | typeof labMemberAddedV1 | typeof labMemberRemovedV1>;
export type ProjectAccessEvent = EmittedBy<
  | typeof projectAccessInitializedV1
  | typeof roleGrantedV1
  | typeof roleChangedV1
  | typeof roleRevokedV1
  | typeof baseLevelChangedV1
  | typeof ownershipTransferredV1
  | typeof invitationSentV1
  | typeof invitationWithdrawnV1
  | typeof invitationAcceptedV1
>;
export type ChainHeadEvent = EmittedBy<typeof chainHeadSignedV1>;
export type AccessEvent = LabEvent | ProjectAccessEvent;
