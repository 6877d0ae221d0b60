import { capabilityDifference, hasCapability, type Capability, type Decider, type ProjectAccessEvent, type Role } from '@cairn/contracts';
import {
  projectAccessDecider,
  roleOf,
  type ExplicitGrant,
  type ProjectAccess,
  type ProjectAccessChange,
  type ProjectAccessCommand,
  type ProjectAccessState,
} from './project-access';

/** Answers about a project's access, computed from its state; they change nothing. */

export interface UserAccessChange {
  user: string;
  before: Role | null;
  after: Role | null;
  gained: Capability[];
  lost: Capability[];
}

/**
 * The dry run behind `POST .../access/preview`: decides `change` as the real command would (so a
 * refusal is the same refusal) and reports, per user whose role would move, the capabilities gained
 * and lost. `labMembers` are the user ids of the project's lab: a base-level change reaches all of them.
 */
export function previewChange(
  state: ProjectAccessState,
  change: ProjectAccessChange,
  labMembers: Iterable<string>,
  decider: Decider<ProjectAccessCommand, ProjectAccessState, ProjectAccessEvent> = projectAccessDecider,
): UserAccessChange[] {
  const events = decider.decide(change, state);
  return accessEffects(state as ProjectAccess, events.reduce(decider.evolve, state) as ProjectAccess, labMembers);
}

/**
 * Who gains or loses what between two states of a project's access: the preview's answer, and (for the
 * auditor) what a recorded change's preview showed, from the states around its event.
 */
export function accessEffects(before: ProjectAccess, after: ProjectAccess, labMembers: Iterable<string>): UserAccessChange[] {
  const members = new Set(labMembers);
  const users = new Set([...members, ...before.explicit.keys(), ...after.explicit.keys()]);
  return [...users]
    .sort()
    .map((user) => {
      const person = { id: user, isLabMember: members.has(user) };
      const [was, will] = [roleOf(before, person), roleOf(after, person)];
      return { user, before: was, after: will, ...capabilityDifference(before.scheme, was, will) };
    })
    .filter((change) => change.before !== change.after);
}

export interface AccessExplanation {
  role: Role | null;
  via: 'explicit' | 'base-level' | 'none';
  /** The explicit permission the role comes from. */
  grant?: Pick<ExplicitGrant, 'grantedBy' | 'grantedAt' | 'reason'>;
}

/** Why a user has the role they have: an explicit permission, the base level through lab membership, or nothing. */
export function explainAccess(access: ProjectAccess, userId: string, isLabMember: boolean): AccessExplanation {
  const grant = access.explicit.get(userId);
  if (grant) {
    const { role, ...origin } = grant;
    return { role, via: 'explicit', grant: origin };
  }
  const role = roleOf(access, { id: userId, isLabMember });
  return role === null ? { role, via: 'none' } : { role, via: 'base-level' };
}

export interface AccessCheck extends AccessExplanation {
  user: string;
  capability: Capability;
  allowed: boolean;
  /** One sentence for people: the verdict and where the role comes from. */
  reason: string;
}

/** "Check as user": may `userId` use `capability` on the project, and why (not). */
export function checkAccess(access: ProjectAccess, userId: string, isLabMember: boolean, capability: Capability): AccessCheck {
  const explanation = explainAccess(access, userId, isLabMember);
  const allowed = hasCapability(access.scheme, explanation.role, capability);
  return { user: userId, capability, allowed, ...explanation, reason: reasonFor(access, userId, explanation, capability, allowed) };
}

function reasonFor(access: ProjectAccess, user: string, explanation: AccessExplanation, capability: Capability, allowed: boolean): string {
  const verdict = `${allowed ? 'has' : 'lacks'} ${capability}`;
  const { role, grant } = explanation;
  if (grant) {
    const why = grant.reason ? ` ("${grant.reason}")` : '';
    return `${user} ${verdict}: role ${role} through an explicit permission given by ${grant.grantedBy} at ${grant.grantedAt}${why}`;
  }
  if (role !== null) return `${user} ${verdict}: role ${role} through the project's base level, as a member of lab ${access.lab}`;
  return `${user} ${verdict}: no role on the project (no explicit permission${access.scheme.hasBaseLevel ? ' and not a member of its lab' : ''})`;
}

export interface AccessOverview {
  scheme: string;
  baseLevel: Role | null;
  explicit: { user: string; role: Role; grantedBy: string; grantedAt: string }[];
  viaBaseLevel: { user: string; role: Role }[];
}

/**
 * The users page: "first, anyone with an explicit permission on the project, and then anyone else in
 * the lab who has access via the base level if there is one".
 */
export function accessOverview(access: ProjectAccess, labMembers: Iterable<string>): AccessOverview {
  const explicit = [...access.explicit].map(([user, { role, grantedBy, grantedAt }]) => ({ user, role, grantedBy, grantedAt }));
  const viaBaseLevel = [...new Set(labMembers)]
    .filter((user) => !access.explicit.has(user))
    .map((user) => ({ user, role: roleOf(access, { id: user, isLabMember: true }) }))
    .filter((entry): entry is { user: string; role: Role } => hasCapability(access.scheme, entry.role, 'project.read'));
  return { scheme: access.scheme.name, baseLevel: access.baseLevel, explicit, viaBaseLevel };
}
