import {
  effectiveRole,
  hasCapability,
  requireBaseLevel,
  requireRole,
  roleSchemes,
  schemeByName,
  type Capability,
  type Decider,
  type ProjectAccessEvent,
  type Role,
  type RoleScheme,
  type SchemeRegistry,
} from '@cairn/contracts';
import { GENESIS_HASH, sealChain, type Unsealed } from './hash-chain';
import { refusal } from './refusal';

/**
 * Who may see and do what on one project: the `access_project-<projectId>` stream. Deciders are pure, so
 * facts owned by other aggregates (lab membership) arrive as command fields, looked up by the
 * application layer when it handles the command.
 */

/** A person as a command sees them: their user id and whether they belong to the project's lab. */
export interface Person {
  id: string;
  isLabMember: boolean;
}

export interface ExplicitGrant {
  role: Role;
  grantedBy: string;
  grantedAt: string;
  reason?: string;
}

export interface ProjectAccess {
  projectId: string;
  lab: string;
  scheme: RoleScheme;
  /** Null when the scheme has no base level. */
  baseLevel: Role | null;
  /** By user id. */
  explicit: ReadonlyMap<string, ExplicitGrant>;
  /** Invitations by e-mail nobody has accepted or withdrawn yet, by invitation id. */
  invitations: ReadonlyMap<string, PendingInvitation>;
  /** `hash` of the stream's last event: the next event's `prevHash`. */
  lastHash: string;
}

export interface PendingInvitation {
  invitation: string;
  email: string;
  role: Role;
  invitedBy: string;
  invitedAt: string;
  reason?: string;
}

/** Null until the project's creation has been recorded. */
export type ProjectAccessState = ProjectAccess | null;

/** Follows `projects.project.created.v1`: the creator becomes owner. */
export interface InitializeProjectAccess {
  type: 'InitializeProjectAccess';
  projectId: string;
  lab: string;
  scheme: string;
  /** Schemes with a base level use their default when absent; schemes without one refuse it. */
  baseLevel?: Role;
  creator: string;
  now: string;
}

interface AccessChange {
  actor: Person;
  reason?: string;
  /** The dry run (`POST .../access/preview`) the actor looked at before deciding. */
  previewId?: string;
  /** ISO 8601 UTC. */
  now: string;
}

/** `PUT .../access/users/:userRef`: grants an explicit permission, or changes the one the user has. */
export interface SetRole extends AccessChange {
  type: 'SetRole';
  user: Person;
  role: Role;
}

export interface RevokeRole extends AccessChange {
  type: 'RevokeRole';
  user: Person;
}

export interface ChangeBaseLevel extends AccessChange {
  type: 'ChangeBaseLevel';
  level: Role;
}

export interface TransferOwnership extends AccessChange {
  type: 'TransferOwnership';
  to: Person;
}

/** `POST .../access/invitations`: invites an e-mail address for a role, pending until it signs in verified. */
export interface InviteByEmail extends AccessChange {
  type: 'InviteByEmail';
  invitation: string;
  email: string;
  role: Role;
}

export interface WithdrawInvitation extends AccessChange {
  type: 'WithdrawInvitation';
  invitation: string;
}

/**
 * The sign-in of the one person holding a pending invitation's e-mail, verified (the application finds
 * them; an address two people hold accepts nothing).
 */
export interface AcceptInvitation {
  type: 'AcceptInvitation';
  invitation: string;
  user: Person;
  now: string;
}

export type ProjectAccessChange = SetRole | RevokeRole | ChangeBaseLevel | TransferOwnership | InviteByEmail | WithdrawInvitation;
export type ProjectAccessCommand = InitializeProjectAccess | ProjectAccessChange | AcceptInvitation;

type Draft = Unsealed<ProjectAccessEvent>;

/** The user's role on the project: explicit permission, else base level through lab membership, else null. */
export function roleOf(access: ProjectAccess, person: Person): Role | null {
  return effectiveRole(access.scheme, {
    explicit: access.explicit.get(person.id)?.role,
    isLabMember: person.isLabMember,
    baseLevel: access.baseLevel,
  });
}

/** Built over a registry so that a new scheme is data only; `projectAccessDecider` uses the shipped ones. */
export function createProjectAccessDecider(
  schemes: SchemeRegistry = roleSchemes,
): Decider<ProjectAccessCommand, ProjectAccessState, ProjectAccessEvent> {
  return {
    initialState: () => null,
    decide(command, state) {
      if (command.type === 'InitializeProjectAccess') {
        // The creation event may reach us more than once; its project is initialized once.
        return state ? [] : sealChain(GENESIS_HASH, initialize(command, schemes));
      }
      if (!state) throw refusal('not-found', 'access.project-unknown', 'this project has no access record (yet)');
      if (command.type === 'AcceptInvitation') return sealChain(state.lastHash, acceptInvitation(command, state));
      return sealChain(state.lastHash, decideChange(command, state));
    },
    evolve: (state, event) => evolve(state, event, schemes),
  };
}

export const projectAccessDecider = createProjectAccessDecider();

function initialize(command: InitializeProjectAccess, schemes: SchemeRegistry): Draft[] {
  const scheme = schemeByName(command.scheme, schemes);
  const baseLevel = requireBaseLevel(scheme, command.baseLevel);
  return [
    {
      type: 'access.project.initialized.v1',
      data: {
        projectId: command.projectId,
        lab: command.lab,
        scheme: scheme.name,
        baseLevel,
        user: command.creator,
        before: null,
        after: scheme.ownerRole,
        actor: command.creator,
        at: command.now,
      },
    },
  ];
}

function decideChange(command: ProjectAccessChange, access: ProjectAccess): Draft[] {
  switch (command.type) {
    case 'SetRole':
      return setRole(command, access);
    case 'RevokeRole':
      return revokeRole(command, access);
    case 'ChangeBaseLevel':
      return changeBaseLevel(command, access);
    case 'TransferOwnership':
      return transferOwnership(command, access);
    case 'InviteByEmail':
      return inviteByEmail(command, access);
    case 'WithdrawInvitation':
      return withdrawInvitation(command, access);
  }
}

function changeRecord(command: AccessChange, access: ProjectAccess) {
  return {
    projectId: access.projectId,
    actor: command.actor.id,
    ...(command.reason !== undefined && { reason: command.reason }),
    ...(command.previewId !== undefined && { previewId: command.previewId }),
    at: command.now,
  };
}

function setRole(command: SetRole, access: ProjectAccess): Draft[] {
  const { scheme } = access;
  const role = requireRole(scheme, command.role);
  const current = access.explicit.get(command.user.id)?.role ?? null;
  refuseTouchingSingleOwner(scheme, [current, role]);
  if (current === role) {
    // A repeated PUT changes nothing, but only for someone who could have made it.
    requireGrantRight(access, command.actor, role, ['add', 'change']);
    return [];
  }
  if (current === null) requireGrantRight(access, command.actor, role, ['add']);
  else for (const touched of [current, role]) requireGrantRight(access, command.actor, touched, ['change']);
  requireLabMember(command.user, 'given a role on');
  refuseLosingLastOwner(access, current, role);
  const record = { ...changeRecord(command, access), user: command.user.id };
  if (current === null) {
    return [{ type: 'access.role.granted.v1', data: { ...record, before: roleOf(access, command.user), after: role } }];
  }
  return [{ type: 'access.role.changed.v1', data: { ...record, before: current, after: role } }];
}

function revokeRole(command: RevokeRole, access: ProjectAccess): Draft[] {
  const { scheme } = access;
  if (command.user.id === command.actor.id) {
    throw refusal('forbidden', 'access.no-self-removal', 'You cannot remove your own permission');
  }
  const grant = access.explicit.get(command.user.id);
  if (!grant) {
    if (scheme.hasBaseLevel && command.user.isLabMember) {
      throw refusal(
        'conflict',
        `${scheme.name}.base-level-not-removable`,
        `${command.user.id} has access only through the base level: "You can't remove base level access here: a project owner must alter the project to change the base level"`,
      );
    }
    throw refusal('not-found', 'access.no-explicit-permission', `${command.user.id} has no explicit permission on this project`);
  }
  refuseTouchingSingleOwner(scheme, [grant.role]);
  requireGrantRight(access, command.actor, grant.role, ['remove']);
  refuseLosingLastOwner(access, grant.role, null);
  const after = effectiveRole(scheme, { isLabMember: command.user.isLabMember, baseLevel: access.baseLevel });
  return [
    {
      type: 'access.role.revoked.v1',
      data: { ...changeRecord(command, access), user: command.user.id, before: grant.role, after },
    },
  ];
}

function changeBaseLevel(command: ChangeBaseLevel, access: ProjectAccess): Draft[] {
  const { scheme } = access;
  // The level comes from PUT .../access/base-level { level }.
  const level = requireBaseLevel(scheme, command.level, 'level');
  if (!hasCapability(scheme, roleOf(access, command.actor), 'base-level.manage')) {
    throw refusal(
      'forbidden',
      `${scheme.name}.base-level-needs-base-level-manage`,
      `changing the base level needs base-level.manage, which in the ${scheme.name} scheme only ${holdersOf(scheme, 'base-level.manage')} has: "a project owner must alter the project to change the base level"`,
    );
  }
  // A scheme without base levels was refused above; a project of any other has one from its initialization.
  const before = access.baseLevel!;
  if (level === before) return [];
  return [{ type: 'access.base-level.changed.v1', data: { ...changeRecord(command, access), before, after: level } }];
}

function transferOwnership(command: TransferOwnership, access: ProjectAccess): Draft[] {
  const { scheme } = access;
  if (!scheme.ownershipTransfer) {
    throw refusal(
      'invalid',
      `${scheme.name}.ownership-not-transferable`,
      `the ${scheme.name} scheme has no ownership transfer: an ${scheme.ownerRole} gives the ${scheme.ownerRole} role to someone else instead`,
    );
  }
  if (roleOf(access, command.actor) !== scheme.ownerRole) {
    throw refusal(
      'forbidden',
      `${scheme.name}.only-owner-transfers`,
      `only the project's ${scheme.ownerRole} hands it over: "The project creator becomes Owner by default but can transfer ownership"`,
    );
  }
  if (command.to.id === command.actor.id) {
    throw refusal('invalid', 'access.transfer-to-self', `${command.actor.id} already owns this project`);
  }
  requireLabMember(command.to, 'handed');
  return [
    {
      type: 'access.ownership.transferred.v1',
      data: {
        ...changeRecord(command, access),
        previousOwner: command.actor.id,
        newOwner: command.to.id,
        newOwnerBefore: roleOf(access, command.to),
        previousOwnerAfter: scheme.ownershipTransfer.formerOwnerBecomes,
      },
    },
  ];
}

function inviteByEmail(command: InviteByEmail, access: ProjectAccess): Draft[] {
  const { scheme } = access;
  if (!scheme.invitesByEmail) {
    throw refusal(
      'conflict',
      `${scheme.name}.no-invitations-by-email`,
      `the ${scheme.name} scheme gives roles to lab members only: "add someone in the lab to the project"`,
    );
  }
  const role = requireRole(scheme, command.role);
  refuseTouchingSingleOwner(scheme, [role]);
  requireGrantRight(access, command.actor, role, ['add']);
  const email = command.email.toLowerCase();
  const pending = [...access.invitations.values()].find((invitation) => invitation.email.toLowerCase() === email);
  if (pending) {
    throw refusal('conflict', 'access.invitation-pending', `${command.email} is invited already (as ${pending.role}); withdraw that invitation to invite them otherwise`);
  }
  return [{ type: 'access.invitation.sent.v1', data: { ...changeRecord(command, access), invitation: command.invitation, email: command.email, role } }];
}

function pendingInvitation(access: ProjectAccess, invitation: string): PendingInvitation {
  const pending = access.invitations.get(invitation);
  if (!pending) throw refusal('not-found', 'access.invitation-unknown', `no invitation ${invitation} is pending on this project`);
  return pending;
}

function withdrawInvitation(command: WithdrawInvitation, access: ProjectAccess): Draft[] {
  const { invitation, email, role } = pendingInvitation(access, command.invitation);
  requireGrantRight(access, command.actor, role, ['add']);
  return [{ type: 'access.invitation.withdrawn.v1', data: { ...changeRecord(command, access), invitation, email, role } }];
}

/**
 * The invitee's sign-in ends the invitation and grants its role, as decided by its inviter (who is
 * recorded as granting it); an explicit permission they already hold stands. Lab membership is not
 * asked: inviting by e-mail is how a scheme that allows it reaches people outside the lab.
 */
function acceptInvitation(command: AcceptInvitation, access: ProjectAccess): Draft[] {
  const { invitation, email, role, invitedBy, reason } = pendingInvitation(access, command.invitation);
  const record = { projectId: access.projectId, at: command.now };
  const accepted: Draft = {
    type: 'access.invitation.accepted.v1',
    data: { ...record, actor: command.user.id, invitation, email, role, user: command.user.id, invitedBy },
  };
  if (access.explicit.has(command.user.id)) return [accepted];
  const why = `accepted invitation ${invitation} to ${email}${reason === undefined ? '' : `: ${reason}`}`;
  return [
    accepted,
    { type: 'access.role.granted.v1', data: { ...record, actor: invitedBy, user: command.user.id, before: roleOf(access, command.user), after: role, reason: why.slice(0, 2000) } },
  ];
}

/** Whether the person may give someone some role on the project: who sees and withdraws its pending invitations. */
export function mayGrant(access: ProjectAccess, person: Person): boolean {
  const role = roleOf(access, person);
  const rule = role !== null && Object.hasOwn(access.scheme.grantRules, role) ? access.scheme.grantRules[role] : undefined;
  return (rule?.add.length ?? 0) > 0;
}

type GrantAction = 'add' | 'change' | 'remove';

/** Refuses unless the actor's grant rule lets them do one of `actions` to `role`. */
function requireGrantRight(access: ProjectAccess, actor: Person, role: Role, actions: GrantAction[]): void {
  const { scheme } = access;
  const actorRole = roleOf(access, actor);
  if (actorRole === null) {
    throw refusal('forbidden', 'access.no-role-on-project', `${actor.id} has no role on this project, so manages nobody's access`);
  }
  const rule = Object.hasOwn(scheme.grantRules, actorRole) ? scheme.grantRules[actorRole] : undefined;
  if (!rule) {
    throw refusal('forbidden', `${scheme.name}.${actorRole}-manages-nobody`, `a ${actorRole} manages nobody's access`);
  }
  if (actions.some((action) => rule[action].includes(role))) return;
  throw refusal(
    'forbidden',
    `${scheme.name}.${rule.rule}`,
    `as ${actorRole} you may not ${actions.join(' or ')} the role ${role}: "${rule.says}"`,
  );
}

function refuseTouchingSingleOwner(scheme: RoleScheme, roles: (Role | null)[]): void {
  if (scheme.ownerCardinality !== 'exactly-one' || !roles.includes(scheme.ownerRole)) return;
  const byTransfer = scheme.ownershipTransfer !== null;
  throw refusal(
    'forbidden',
    `${scheme.name}.single-owner${byTransfer ? '-changed-only-by-transfer' : ''}`,
    `there is exactly one ${scheme.ownerRole}${byTransfer ? ', changed only by transfer' : ''}: the ${scheme.ownerRole} role is never granted, changed or removed`,
  );
}

/** An explicit permission moving from `before` to `after` must leave at least one owner. */
function refuseLosingLastOwner(access: ProjectAccess, before: Role | null, after: Role | null): void {
  const { ownerRole, name } = access.scheme;
  if (before !== ownerRole || after === ownerRole) return;
  const owners = [...access.explicit.values()].filter((grant) => grant.role === ownerRole).length;
  if (owners <= 1) {
    throw refusal('conflict', `${name}.at-least-one-owner`, `this is the last ${ownerRole}: "A project must have at least one owner"`);
  }
}

function requireLabMember(person: Person, what: string): void {
  if (!person.isLabMember) {
    throw refusal(
      'conflict',
      'access.grantee-not-in-lab',
      `${person.id} is not a member of the project's lab; only lab members can be ${what} the project ("add someone in the lab to the project")`,
    );
  }
}

function holdersOf(scheme: RoleScheme, capability: Capability): string {
  return scheme.roles.filter((role) => hasCapability(scheme, role, capability)).join(' and ');
}

function evolve(state: ProjectAccessState, event: ProjectAccessEvent, schemes: SchemeRegistry): ProjectAccessState {
  if (event.type === 'access.project.initialized.v1') {
    const { data } = event;
    return {
      projectId: data.projectId,
      lab: data.lab,
      scheme: schemeByName(data.scheme, schemes),
      baseLevel: data.baseLevel,
      explicit: new Map([[data.user, { role: data.after, grantedBy: data.actor, grantedAt: data.at }]]),
      invitations: new Map(),
      lastHash: data.hash,
    };
  }
  if (!state) throw new Error(`${event.type} before access.project.initialized.v1: the stream is corrupt`);
  const explicit = new Map(state.explicit);
  const next = { ...state, explicit, lastHash: event.data.hash };
  const grant = (data: { actor: string; at: string; reason?: string }, role: Role): ExplicitGrant => ({
    role,
    grantedBy: data.actor,
    grantedAt: data.at,
    ...(data.reason !== undefined && { reason: data.reason }),
  });
  switch (event.type) {
    case 'access.role.granted.v1':
    case 'access.role.changed.v1':
      explicit.set(event.data.user, grant(event.data, event.data.after));
      return next;
    case 'access.role.revoked.v1':
      explicit.delete(event.data.user);
      return next;
    case 'access.base-level.changed.v1':
      return { ...next, baseLevel: event.data.after };
    case 'access.ownership.transferred.v1':
      explicit.set(event.data.newOwner, grant(event.data, state.scheme.ownerRole));
      explicit.set(event.data.previousOwner, grant(event.data, event.data.previousOwnerAfter));
      return next;
    case 'access.invitation.sent.v1': {
      const { invitation, email, role, actor, at, reason } = event.data;
      const invitations = new Map(state.invitations);
      invitations.set(invitation, { invitation, email, role, invitedBy: actor, invitedAt: at, ...(reason !== undefined && { reason }) });
      return { ...next, invitations };
    }
    case 'access.invitation.withdrawn.v1':
    case 'access.invitation.accepted.v1': {
      const invitations = new Map(state.invitations);
      invitations.delete(event.data.invitation);
      return { ...next, invitations };
    }
  }
}
