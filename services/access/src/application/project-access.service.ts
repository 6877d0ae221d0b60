import { randomUUID } from 'node:crypto';
import type { Principal } from '@cairn/auth';
import {
  capabilitiesOf,
  DomainError,
  forbidden,
  hasCapability,
  type Capability,
  type Role,
  type StreamName,
} from '@cairn/contracts';
import { loadAggregate, type EventStore } from '@cairn/event-store';
import {
  accessOverview,
  checkAccess,
  explainAccess,
  mayGrant,
  previewChange,
  projectAccessDecider,
  type AccessExplanation,
  type DirectoryEntry,
  type Lab,
  type PendingInvitation,
  type ProjectAccess,
  type ProjectAccessChange,
  type UserAccessChange,
} from '../domain';
import { refusal } from '../domain/refusal';
import type { AccessPreviews } from './access-previews';
import { signingHeads, type ChainHeads } from './chain-heads';
import { loadLab, personIn } from './lab-facts';
import type { UserDirectory } from './user-directory';

export const projectAccessStream = (projectId: string): StreamName => ({ context: 'access', aggregate: 'project', id: projectId });

/** Commands on a project's access, by project id. */
export const projectAccessCommands = (store: EventStore, heads?: ChainHeads) =>
  signingHeads(store, projectAccessDecider, projectAccessStream, heads);

/**
 * A change to a project's access. As a caller asks for it, people are named by `userRef` (user id,
 * username or e-mail); once resolved, by user id.
 */
export type AccessChange =
  | { kind: 'set-role'; user: string; role: Role }
  | { kind: 'remove-role'; user: string }
  | { kind: 'set-base-level'; level: Role }
  | { kind: 'transfer-ownership'; to: string };

export interface ChangeContext {
  reason?: string;
  /** A preview of this very change, cited as evidence in its event. */
  previewId?: string;
  /** The version of the project's access the caller decided on (the users page's ETag). */
  expectedVersion?: number;
}

/** A person named on the users page. */
export interface PersonName {
  user: string;
  username: string;
  displayName: string;
}

export interface AccessWarning {
  rule: string;
  message: string;
}

/** A pending invitation as the users page lists it. */
export interface InvitationView extends PendingInvitation {
  projectId: string;
  /** True when more than one person has signed in with the address: it goes to neither, and stays pending. */
  ambiguous: boolean;
  /** Whether someone holds the role it offers: false while it is pending (a create answers true when one person held the address already). */
  accepted: boolean;
}

/** A project's access and its lab, as their streams say they are now. */
interface ProjectFacts {
  access: ProjectAccess;
  /** Version of the access stream's last event. */
  version: number;
  lab: Lab | null;
}

/**
 * Project access: the commands of the users page, the preview, "check as user" and the caller's own
 * role. Every answer is computed from the project's access stream and its lab's stream, not from read
 * models, so a decision never rests on a membership or grant that has already changed.
 */
export class ProjectAccessService {
  private readonly commands: ReturnType<typeof projectAccessCommands>;

  constructor(
    private readonly store: EventStore,
    private readonly directory: UserDirectory,
    private readonly previews: AccessPreviews,
    heads?: ChainHeads,
  ) {
    this.commands = projectAccessCommands(store, heads);
  }

  /**
   * Decides and records a change; answers with the state after it. A change that names the version it
   * was decided on is appended on that very version or refused, and so is one that cites a preview, on
   * the version the preview was checked against; any other is decided again should someone else change
   * the project's access first.
   */
  async change(principal: Principal, projectId: string, request: AccessChange, context: ChangeContext = {}) {
    const facts = await this.load(projectId, principal);
    const { change, command } = await this.commandFor(principal, facts, request, context);
    if (context.previewId !== undefined) {
      await this.previews.requireEvidence(context.previewId, { projectId, actor: principal.userId, change, version: facts.version });
    }
    const expectedVersion = context.expectedVersion ?? (context.previewId === undefined ? undefined : facts.version);
    const outcome = await this.commands(projectId, command, { actor: principal.userId, expectedVersion });
    return { position: outcome.position, body: this.outcomeOf(change, outcome.state as ProjectAccess, facts.lab, principal.userId) };
  }

  /** The dry run: what `request` would change for whom, refused exactly as the change itself would be. */
  async preview(principal: Principal, projectId: string, request: AccessChange) {
    const facts = await this.load(projectId, principal);
    const { change, command } = await this.commandFor(principal, facts, request, {});
    const effects = previewChange(facts.access, command, facts.lab?.members.keys() ?? []);
    const previewId = await this.previews.record({ projectId, actor: principal.userId, change, version: facts.version, effects });
    const names = await this.namesOf(facts.lab, effects.map((effect) => effect.user));
    return {
      previewId,
      projectId,
      change,
      effects: effects.map((effect): UserAccessChange & PersonName => ({ ...names(effect.user), ...effect })),
    };
  }

  /**
   * The users page: "first, anyone with an explicit permission on the project, and then anyone else in
   * the lab who has access via the base level if there is one", with the scheme's advice on backups;
   * and the access stream's version it shows.
   */
  async usersPage(principal: Principal, projectId: string) {
    const facts = await this.load(projectId, principal);
    this.requireCapability(facts, principal.userId, 'access.view');
    const { access, lab, version } = facts;
    const overview = accessOverview(access, lab?.members.keys() ?? []);
    const names = await this.namesOf(lab, [
      ...overview.explicit.flatMap((entry) => [entry.user, entry.grantedBy]),
      ...overview.viaBaseLevel.map((entry) => entry.user),
    ]);
    const page = {
      projectId,
      lab: access.lab,
      scheme: overview.scheme,
      baseLevel: overview.baseLevel,
      explicit: overview.explicit.map((entry) => ({ ...names(entry.user), ...entry })),
      viaBaseLevel: overview.viaBaseLevel
        .map((entry) => ({ ...names(entry.user), ...entry }))
        .sort((a, b) => a.username.localeCompare(b.username) || a.user.localeCompare(b.user)),
      warnings: ownerBackupWarnings(access),
    };
    return { version, page };
  }

  /**
   * Invites an e-mail address for a role. Should one person have signed in with it, verified, already,
   * the invitation is accepted at once, as their next sign-in would; should two, it waits.
   */
  async invite(principal: Principal, projectId: string, request: { email: string; role: Role }, context: Omit<ChangeContext, 'previewId'> = {}) {
    const facts = await this.load(projectId, principal);
    const invitation = randomUUID();
    const sent = await this.commands(
      projectId,
      {
        type: 'InviteByEmail',
        actor: personIn(facts.lab, principal.userId),
        now: new Date().toISOString(),
        invitation,
        email: request.email,
        role: request.role,
        ...(context.reason !== undefined && { reason: context.reason }),
      },
      { actor: principal.userId, expectedVersion: context.expectedVersion },
    );
    const holders = await this.directory.holdersOf(request.email);
    const accepted = holders.length === 1 ? await this.accept(projectId, invitation, holders[0]) : undefined;
    // The invitation as the list shows it, from the state its own commit left.
    const pending = (sent.state as ProjectAccess).invitations.get(invitation)!;
    return {
      position: (accepted ?? sent).position,
      body: { ...pending, projectId, ambiguous: holders.length > 1, accepted: accepted !== undefined, ...(accepted && { user: holders[0] }) },
    };
  }

  /** The pending invitations, for those who may grant a role (who may invite and withdraw). */
  async invitations(principal: Principal, projectId: string): Promise<{ items: InvitationView[] }> {
    const { access } = await this.requireGranter(principal, projectId);
    const pending = [...access.invitations.values()];
    const ambiguous = await this.directory.emailsHeldByMany(pending.map((invitation) => invitation.email));
    return {
      items: pending
        .sort((a, b) => a.invitedAt.localeCompare(b.invitedAt))
        .map((invitation) => ({ ...invitation, projectId, ambiguous: ambiguous.has(invitation.email.toLowerCase()), accepted: false })),
    };
  }

  async withdraw(principal: Principal, projectId: string, invitation: string, context: Omit<ChangeContext, 'previewId'> = {}) {
    const facts = await this.requireGranter(principal, projectId);
    const outcome = await this.commands(
      projectId,
      {
        type: 'WithdrawInvitation',
        actor: personIn(facts.lab, principal.userId),
        now: new Date().toISOString(),
        invitation,
        ...(context.reason !== undefined && { reason: context.reason }),
      },
      { actor: principal.userId, expectedVersion: context.expectedVersion },
    );
    return { position: outcome.position, body: { projectId, invitation, withdrawn: true } };
  }

  /**
   * A verified sign-in (`entry`): the invitations waiting for its address are accepted, unless someone
   * else has signed in with that address too. Each is decided on its project's stream; one withdrawn or
   * accepted meanwhile is passed over. Answers the position of the last acceptance, if any.
   */
  async acceptInvitationsOf(entry: DirectoryEntry, waiting: { invitation: string; projectId: string }[]): Promise<number | undefined> {
    if (!entry.email || waiting.length === 0) return undefined;
    const holders = await this.directory.holdersOf(entry.email);
    if (holders.length !== 1 || holders[0] !== entry.userId) return undefined;
    let position: number | undefined;
    for (const { invitation, projectId } of waiting) {
      try {
        position = (await this.accept(projectId, invitation, entry.userId)).position;
      } catch (error) {
        if (!(error instanceof DomainError && error.rule === 'access.invitation-unknown')) throw error;
      }
    }
    return position;
  }

  private async accept(projectId: string, invitation: string, userId: string) {
    const { state: access } = await loadAggregate(this.store, projectAccessStream(projectId), projectAccessDecider);
    const lab = access ? await loadLab(this.store, access.lab) : null;
    return this.commands(projectId, { type: 'AcceptInvitation', invitation, user: personIn(lab, userId), now: new Date().toISOString() }, { actor: userId });
  }

  private async requireGranter(principal: Principal, projectId: string): Promise<ProjectFacts> {
    const facts = await this.load(projectId, principal);
    if (!mayGrant(facts.access, personIn(facts.lab, principal.userId))) {
      throw forbidden('access.invitations-for-granters', 'only those who may give someone a role on this project see and withdraw its invitations');
    }
    return facts;
  }

  /** The caller's role, where it comes from, and what it lets them do. */
  async mine(principal: Principal, projectId: string) {
    const { access, lab } = await this.load(projectId, principal);
    const explanation = this.explain(access, lab, principal.userId);
    return {
      projectId,
      user: principal.userId,
      scheme: access.scheme.name,
      ...explanation,
      capabilities: capabilitiesOf(access.scheme, explanation.role),
    };
  }

  /** "Check as user", for those whose role has `access.check`. */
  async check(principal: Principal, projectId: string, userRef: string, capability: Capability) {
    const facts = await this.load(projectId, principal);
    this.requireCapability(facts, principal.userId, 'access.check');
    const user = await this.directory.resolve(userRef);
    const verdict = checkAccess(facts.access, user.userId, personIn(facts.lab, user.userId).isLabMember, capability);
    return { projectId, username: user.username, ...verdict };
  }

  /**
   * The project's access and lab, for a caller who can see the project: to anyone else a project they
   * cannot read is answered exactly as one that does not exist (project ids can be guessed).
   */
  private async load(projectId: string, viewer: Principal): Promise<ProjectFacts> {
    const unknown = () =>
      refusal(
        'not-found',
        'access.project-unknown',
        `there is no project ${projectId}, or its creation has not reached the access service yet (a creator's first read waits for it with Cairn-Min-Position)`,
      );
    const { state: access, version } = await loadAggregate(this.store, projectAccessStream(projectId), projectAccessDecider);
    if (!access || version === 'no-stream') throw unknown();
    const facts = { access, version, lab: await loadLab(this.store, access.lab) };
    if (!hasCapability(access.scheme, this.explain(access, facts.lab, viewer.userId).role, 'project.read')) throw unknown();
    return facts;
  }

  private async commandFor(
    principal: Principal,
    { lab }: ProjectFacts,
    request: AccessChange,
    context: ChangeContext,
  ): Promise<{ change: AccessChange; command: ProjectAccessChange }> {
    const common = {
      actor: personIn(lab, principal.userId),
      now: new Date().toISOString(),
      ...(context.reason !== undefined && { reason: context.reason }),
      ...(context.previewId !== undefined && { previewId: context.previewId }),
    };
    switch (request.kind) {
      case 'set-role': {
        const user = await this.userIdOf(request.user);
        return {
          change: { kind: 'set-role', user, role: request.role },
          command: { type: 'SetRole', ...common, user: personIn(lab, user), role: request.role },
        };
      }
      case 'remove-role': {
        const user = await this.userIdOf(request.user);
        return { change: { kind: 'remove-role', user }, command: { type: 'RevokeRole', ...common, user: personIn(lab, user) } };
      }
      case 'set-base-level':
        return {
          change: { kind: 'set-base-level', level: request.level },
          command: { type: 'ChangeBaseLevel', ...common, level: request.level },
        };
      case 'transfer-ownership': {
        const to = await this.userIdOf(request.to);
        return { change: { kind: 'transfer-ownership', to }, command: { type: 'TransferOwnership', ...common, to: personIn(lab, to) } };
      }
    }
  }

  /** What a change left: the user's access, the base level, or who owns the project now. */
  private outcomeOf(change: AccessChange, access: ProjectAccess, lab: Lab | null, actor: string) {
    const projectId = access.projectId;
    switch (change.kind) {
      case 'set-role':
      case 'remove-role':
        return { projectId, user: change.user, ...this.explain(access, lab, change.user) };
      case 'set-base-level':
        return { projectId, baseLevel: access.baseLevel };
      case 'transfer-ownership':
        return { projectId, owner: change.to, previousOwner: { user: actor, ...this.explain(access, lab, actor) } };
    }
  }

  private explain(access: ProjectAccess, lab: Lab | null, userId: string): AccessExplanation {
    return explainAccess(access, userId, personIn(lab, userId).isLabMember);
  }

  /** Refuses, as `@Requires` does in other services, unless the user's role on the project has `capability`. */
  private requireCapability({ access, lab }: ProjectFacts, userId: string, capability: Capability): void {
    const { role, via } = this.explain(access, lab, userId);
    if (hasCapability(access.scheme, role, capability)) return;
    const needed = access.scheme.roles.filter((candidate) => hasCapability(access.scheme, candidate, capability));
    const holder =
      role === null
        ? 'You have no role on this project'
        : `Your role on this project is ${role} (${via === 'explicit' ? 'an explicit permission' : 'the base level, as a member of its lab'})`;
    throw forbidden(`capability.${capability}`, `${holder}; ${capability} needs the role ${needed.join(' or ')}.`, {
      projectId: access.projectId,
      capability,
      role,
      via,
      rolesWithCapability: needed,
    });
  }

  private async userIdOf(userRef: string): Promise<string> {
    return (await this.directory.resolve(userRef)).userId;
  }

  /** Usernames and display names: from the lab's own member entries, else from the directory. */
  private async namesOf(lab: Lab | null, userIds: string[]): Promise<(userId: string) => PersonName> {
    const known = new Map<string, DirectoryEntry>(lab?.members ?? []);
    const others = await this.directory.entriesOf(userIds.filter((id) => !known.has(id)));
    return (user) => {
      const entry = known.get(user) ?? others.get(user);
      return { user, username: entry?.username ?? user, displayName: entry?.displayName ?? user };
    };
  }
}

/**
 * Where one owner is the rule, the facility guide's tip: "Add at least one other Manager as backup
 * (vacations, handover)". A backup is someone besides the owner whose role manages access.
 */
function ownerBackupWarnings(access: ProjectAccess): AccessWarning[] {
  const { scheme } = access;
  if (scheme.ownerCardinality !== 'exactly-one') return [];
  const managesAccess = (role: Role) => role !== scheme.ownerRole && hasCapability(scheme, role, 'access.manage');
  if ([...access.explicit.values()].some((grant) => managesAccess(grant.role))) return [];
  const backupRoles = scheme.roles.filter(managesAccess);
  return [
    {
      rule: `${scheme.name}.owner-backup-advised`,
      message: `Only the ${scheme.ownerRole} manages access to this project. Add at least one other ${backupRoles.join(' or ')} as backup (vacations, handover).`,
    },
  ];
}
