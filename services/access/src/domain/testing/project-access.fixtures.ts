import type { ProjectAccessEvent, Role } from '@cairn/contracts';
import { GENESIS_HASH, sealChain, type Unsealed } from '../hash-chain';
import type { Person, ProjectAccessChange } from '../project-access';

/** Builders that let project-access specifications read as the guides do. */

export const PROJECT = 'p1';
export const LAB = 'lab1';

/** Minute `n` of one test day: each step of a story gets its own time. */
export function minute(n: number): string {
  return new Date(Date.UTC(2025, 0, 6, 9, n)).toISOString();
}

export const inLab = (id: string): Person => ({ id, isLabMember: true });
export const outsider = (id: string): Person => ({ id, isLabMember: false });

type Draft = Unsealed<ProjectAccessEvent>;
type Context = { reason?: string; previewId?: string };

/** A story's events, sealed into a hash chain from the start of the stream. */
export function history(...drafts: Draft[]): ProjectAccessEvent[] {
  return sealChain(GENESIS_HASH, drafts);
}

/** Events that follow `past`, sealed onto its chain. */
export function continuing(past: ProjectAccessEvent[], ...drafts: Draft[]): ProjectAccessEvent[] {
  return sealChain(past.length === 0 ? GENESIS_HASH : past[past.length - 1].data.hash, drafts);
}

export function created(scheme: string, creator: string, baseLevel: Role | null, ownerRole: Role = 'owner', at = minute(0)): Draft {
  return {
    type: 'access.project.initialized.v1',
    data: { projectId: PROJECT, lab: LAB, scheme, baseLevel, user: creator, before: null, after: ownerRole, actor: creator, at },
  };
}

export function granted(actor: string, user: string, before: Role | null, after: Role, at: string, context: Context = {}): Draft {
  return { type: 'access.role.granted.v1', data: { projectId: PROJECT, actor, ...context, at, user, before, after } };
}

export function changed(actor: string, user: string, before: Role, after: Role, at: string, context: Context = {}): Draft {
  return { type: 'access.role.changed.v1', data: { projectId: PROJECT, actor, ...context, at, user, before, after } };
}

export function revoked(actor: string, user: string, before: Role, after: Role | null, at: string, context: Context = {}): Draft {
  return { type: 'access.role.revoked.v1', data: { projectId: PROJECT, actor, ...context, at, user, before, after } };
}

export function baseLevelChanged(actor: string, before: Role, after: Role, at: string, context: Context = {}): Draft {
  return { type: 'access.base-level.changed.v1', data: { projectId: PROJECT, actor, ...context, at, before, after } };
}

export function transferred(
  previousOwner: string,
  newOwner: string,
  newOwnerBefore: Role | null,
  previousOwnerAfter: Role,
  at: string,
  context: Context = {},
): Draft {
  return {
    type: 'access.ownership.transferred.v1',
    data: { projectId: PROJECT, actor: previousOwner, ...context, at, previousOwner, newOwner, newOwnerBefore, previousOwnerAfter },
  };
}

export function setRole(actor: Person, user: Person, role: Role, now: string, context: Context = {}): ProjectAccessChange {
  return { type: 'SetRole', actor, user, role, now, ...context };
}

export function revokeRole(actor: Person, user: Person, now: string, context: Context = {}): ProjectAccessChange {
  return { type: 'RevokeRole', actor, user, now, ...context };
}

export function changeBaseLevel(actor: Person, level: Role, now: string, context: Context = {}): ProjectAccessChange {
  return { type: 'ChangeBaseLevel', actor, level, now, ...context };
}

export function transferOwnership(actor: Person, to: Person, now: string, context: Context = {}): ProjectAccessChange {
  return { type: 'TransferOwnership', actor, to, now, ...context };
}
