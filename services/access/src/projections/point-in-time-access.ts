import { capabilitiesOf, compareRoles, type Role, type RoleScheme } from '@cairn/contracts';
import type { LabMembershipChange, ProjectAccessChange } from './access-intervals.projection';
import type { PersonName } from './directory-names.projection';

/** A project's access change points and its lab's membership change points, each in the order they happened. */
export interface ProjectTimeline {
  project: string;
  lab: string;
  scheme: RoleScheme;
  createdAt: string;
  /** Position of the project's initialization event. */
  createdPosition: number;
  changes: ProjectAccessChange[];
  membership: LabMembershipChange[];
}

export interface ExplicitOrigin {
  grantedBy: string;
  grantedAt: string;
  event: 'initialized' | 'granted' | 'changed' | 'ownership-transferred';
  reason?: string;
  previewId?: string;
}

export interface BaseLevelOrigin {
  level: Role | null;
  setBy: string;
  setAt: string;
  reason?: string;
  previewId?: string;
}

export interface MembershipOrigin {
  lab: string;
  addedBy: string;
  addedAt: string;
}

interface Interval {
  user: string;
  role: Role;
  /** When this role, held for this reason, began. */
  since: string;
  /** When it ended; null while it lasts. */
  until: string | null;
  /** The same, in one sentence for people. */
  why: string;
}

export type PersonAccess =
  | (Interval & { via: 'explicit'; grant: ExplicitOrigin })
  | (Interval & { via: 'base-level'; baseLevel: BaseLevelOrigin; membership: MembershipOrigin });

export interface AccessAt {
  project: string;
  lab: string;
  scheme: string;
  at: string;
  createdAt: string;
  /** False before the project was created: nobody had access then. */
  existed: boolean;
  /** Null in schemes without a base level, and before the project existed. */
  baseLevel: BaseLevelOrigin | null;
  /** Explicit permissions first (highest role first), then those who had the base level as lab members. */
  people: PersonAccess[];
  /** Username and display name, as the lab directory knew them at `at`, of every person the answer names. */
  names: Record<string, PersonName>;
}

/** An explicit permission starting, changing or ending, whatever event caused it. */
interface GrantChange {
  position: number;
  at: string;
  user: string;
  role: Role | null;
  actor: string;
  event: ExplicitOrigin['event'] | 'revoked';
  reason?: string;
  previewId?: string;
}

type LevelChange = Extract<ProjectAccessChange, { kind: 'base-level' }>;

/**
 * Who had which role on the project at `at`, and why: the state after every change point at or before
 * that instant, with the interval each role was held in. A lab member without an explicit permission
 * has the base level while they are a member; an explicit permission overrides it from its grant to
 * its removal. Base-level roles without any capability (`none`) are left out: they give no access.
 * People are named with `names` (by user id) where it knows them; the `why` sentences too.
 */
export function accessAt(timeline: ProjectTimeline, at: Date, names: ReadonlyMap<string, PersonName> = new Map()): AccessAt {
  const called = (userId: string) => {
    const name = names.get(userId);
    return name ? `${name.displayName} (${name.username})` : userId;
  };
  const { scheme } = timeline;
  const instant = at.getTime();
  const happened = (change: { at: string }) => Date.parse(change.at) <= instant;
  const nextAfter = <T extends { at: string }>(changes: readonly T[], concerns: (change: T) => boolean) =>
    changes.find((change) => !happened(change) && concerns(change))?.at ?? null;

  const grants = grantChangesOf(timeline);
  const levels = timeline.changes.filter((change): change is LevelChange => change.kind === 'base-level');
  const explicit = new Map<string, GrantChange & { role: Role }>();
  const explicitEnded = new Map<string, string>();
  for (const change of grants.filter(happened)) {
    if (change.role === null) {
      explicit.delete(change.user);
      explicitEnded.set(change.user, change.at);
    } else {
      explicit.set(change.user, { ...change, role: change.role });
    }
  }
  const members = new Map<string, LabMembershipChange>();
  for (const change of timeline.membership.filter(happened)) {
    if (change.member) members.set(change.user, change);
    else members.delete(change.user);
  }
  const level = levels.filter(happened).at(-1);

  const answer = { project: timeline.project, lab: timeline.lab, scheme: scheme.name, at: at.toISOString(), createdAt: timeline.createdAt };
  if (!level) return { ...answer, existed: false, baseLevel: null, people: [], names: {} };
  const baseLevel: BaseLevelOrigin = {
    level: level.level,
    setBy: level.actor,
    setAt: level.at,
    ...(level.reason !== undefined && { reason: level.reason }),
    ...(level.previewId !== undefined && { previewId: level.previewId }),
  };

  const viaGrant: PersonAccess[] = [...explicit.values()]
    .sort((a, b) => compareRoles(scheme, b.role, a.role) || a.user.localeCompare(b.user))
    .map((change) => {
      const grant: ExplicitOrigin = {
        grantedBy: change.actor,
        grantedAt: change.at,
        event: change.event as ExplicitOrigin['event'],
        ...(change.reason !== undefined && { reason: change.reason }),
        ...(change.previewId !== undefined && { previewId: change.previewId }),
      };
      return {
        user: change.user,
        role: change.role,
        via: 'explicit',
        since: change.at,
        until: nextAfter(grants, (later) => later.user === change.user),
        why: explicitWhy(change.user, change.role, grant, called),
        grant,
      };
    });

  const baseRole = scheme.hasBaseLevel ? level.level : null;
  const viaBaseLevel: PersonAccess[] =
    baseRole === null || capabilitiesOf(scheme, baseRole).length === 0
      ? []
      : [...members.values()]
          .filter((membership) => !explicit.has(membership.user))
          .sort((a, b) => a.user.localeCompare(b.user))
          .map((membership) => {
            const { user } = membership;
            const origin: MembershipOrigin = { lab: timeline.lab, addedBy: membership.actor, addedAt: membership.at };
            return {
              user,
              role: baseRole,
              via: 'base-level',
              since: latest([membership.at, level.at, explicitEnded.get(user)]),
              until: earliest([
                nextAfter(timeline.membership, (later) => later.user === user),
                nextAfter(levels, () => true),
                nextAfter(grants, (later) => later.user === user),
              ]),
              why: baseLevelWhy(baseRole, baseLevel, origin, called),
              baseLevel,
              membership: origin,
            };
          });

  const named = { ...answer, existed: true, baseLevel: scheme.hasBaseLevel ? baseLevel : null, people: [...viaGrant, ...viaBaseLevel] };
  const mentioned = peopleMentionedIn(named).filter((userId) => names.has(userId));
  return { ...named, names: Object.fromEntries(mentioned.map((userId) => [userId, names.get(userId)!])) };
}

/** Everyone an answer names: the people with access, who granted it, who set the base level, who added members. */
export function peopleMentionedIn(answer: Pick<AccessAt, 'baseLevel' | 'people'>): string[] {
  const mentioned = new Set<string>(answer.baseLevel ? [answer.baseLevel.setBy] : []);
  for (const person of answer.people) {
    mentioned.add(person.user);
    if (person.via === 'explicit') mentioned.add(person.grant.grantedBy);
    else mentioned.add(person.baseLevel.setBy).add(person.membership.addedBy);
  }
  return [...mentioned];
}

/** Explicit permission change points; an ownership transfer is one for each of the two owners. */
function grantChangesOf(timeline: ProjectTimeline): GrantChange[] {
  return timeline.changes.flatMap((change): GrantChange[] => {
    if (change.kind === 'grant') return [change];
    if (change.kind === 'base-level') return [];
    const { position, at, actor, reason, previewId } = change;
    const common = {
      position,
      at,
      actor,
      event: 'ownership-transferred' as const,
      ...(reason !== undefined && { reason }),
      ...(previewId !== undefined && { previewId }),
    };
    return [
      { ...common, user: change.newOwner, role: timeline.scheme.ownerRole },
      { ...common, user: change.previousOwner, role: change.previousOwnerAfter },
    ];
  });
}

function because(reason: string | undefined): string {
  return reason === undefined ? '' : `, because "${reason}"`;
}

/** How a sentence names a person: display name and username where known, else the user id. */
type Called = (userId: string) => string;

function explicitWhy(user: string, role: Role, grant: ExplicitOrigin, called: Called): string {
  switch (grant.event) {
    case 'initialized':
      return `${role} as the project's creator (${grant.grantedAt})`;
    case 'ownership-transferred':
      return user === grant.grantedBy
        ? `${role}, kept when handing ownership over at ${grant.grantedAt}${because(grant.reason)}`
        : `${role}, handed over by ${called(grant.grantedBy)} at ${grant.grantedAt}${because(grant.reason)}`;
    case 'granted':
      return `${role} by explicit permission, granted by ${called(grant.grantedBy)} at ${grant.grantedAt}${because(grant.reason)}`;
    case 'changed':
      return `${role} by explicit permission, changed to it by ${called(grant.grantedBy)} at ${grant.grantedAt}${because(grant.reason)}`;
  }
}

function baseLevelWhy(role: Role, level: BaseLevelOrigin, membership: MembershipOrigin, called: Called): string {
  return (
    `${role}: the project's base level (set by ${called(level.setBy)} at ${level.setAt}${because(level.reason)}), ` +
    `as a member of lab ${membership.lab} since ${membership.addedAt} (added by ${called(membership.addedBy)})`
  );
}

function latest(instants: (string | undefined)[]): string {
  return instants.filter((instant): instant is string => instant !== undefined).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

function earliest(instants: (string | null)[]): string | null {
  const known = instants.filter((instant): instant is string => instant !== null);
  return known.length === 0 ? null : known.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}
