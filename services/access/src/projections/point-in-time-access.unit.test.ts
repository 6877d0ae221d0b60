import { facilityScheme, labScheme, type Role, type RoleScheme } from '@cairn/contracts';
import { minute } from '../domain/testing/project-access.fixtures';
import type { LabMembershipChange, ProjectAccessChange } from './access-intervals.projection';
import { accessAt, type ProjectTimeline } from './point-in-time-access';

/**
 * Point in time: a lab member without an explicit permission has the base level while they are a
 * member; an explicit permission cuts that interval and its removal restores it; base-level changes and
 * lab membership changes start and end intervals of everyone they reach.
 */

let position = 0;
const next = () => (position += 1);

function timeline(scheme: RoleScheme, changes: ProjectAccessChange[], membership: LabMembershipChange[] = []): ProjectTimeline {
  const byPosition = <T extends { position: number }>(list: T[]) => [...list].sort((a, b) => a.position - b.position);
  return { project: 'p1', lab: 'sundog', scheme, createdAt: changes[0].at, createdPosition: changes[0].position, changes: byPosition(changes), membership: byPosition(membership) };
}

function created(at: number, creator: string, level: Role | null, ownerRole = 'owner'): ProjectAccessChange[] {
  const common = { position: next(), at: minute(at), actor: creator, event: 'initialized' as const };
  return [
    { kind: 'base-level', ...common, level },
    { kind: 'grant', ...common, user: creator, role: ownerRole },
  ];
}
const granted = (at: number, actor: string, user: string, role: Role, reason?: string): ProjectAccessChange => ({
  kind: 'grant', position: next(), at: minute(at), actor, user, role, event: 'granted', ...(reason && { reason }),
});
const changed = (at: number, actor: string, user: string, role: Role): ProjectAccessChange => ({
  kind: 'grant', position: next(), at: minute(at), actor, user, role, event: 'changed',
});
const revoked = (at: number, actor: string, user: string): ProjectAccessChange => ({
  kind: 'grant', position: next(), at: minute(at), actor, user, role: null, event: 'revoked',
});
const levelSet = (at: number, actor: string, level: Role, reason?: string): ProjectAccessChange => ({
  kind: 'base-level', position: next(), at: minute(at), actor, level, event: 'changed', ...(reason && { reason }),
});
const transferred = (at: number, from: string, to: string, keeps: Role): ProjectAccessChange => ({
  kind: 'transfer', position: next(), at: minute(at), actor: from, previousOwner: from, newOwner: to, previousOwnerAfter: keeps,
});
const joined = (at: number, user: string, actor = 'lab-admin'): LabMembershipChange => ({ position: next(), at: minute(at), user, member: true, actor });
const left = (at: number, user: string, actor = 'lab-admin'): LabMembershipChange => ({ position: next(), at: minute(at), user, member: false, actor });

const rolesAt = (story: ProjectTimeline, at: number) =>
  accessAt(story, new Date(minute(at))).people.map(({ user, role, via, since, until }) => ({ user, role, via, since, until }));

describe('who had which role at an instant, and from when to when (lab scheme)', () => {
  // Bob was in the lab before the project; Carol joins later; Ada creates the project with base level viewer.
  const story = timeline(
    labScheme,
    [
      ...created(10, 'ada', 'viewer'),
      granted(20, 'ada', 'bob', 'experimenter', 'runs the scans'),
      changed(25, 'ada', 'bob', 'commenter'),
      revoked(30, 'ada', 'bob'),
      levelSet(40, 'ada', 'commenter', 'everyone discusses results'),
      granted(60, 'ada', 'carol', 'none'),
    ],
    [joined(0, 'ada'), joined(1, 'bob'), joined(15, 'carol'), left(50, 'carol'), joined(55, 'carol'), left(70, 'bob')],
  );

  it('before the project was created, nobody had access', () => {
    expect(accessAt(story, new Date(minute(5)))).toMatchObject({ existed: false, people: [], baseLevel: null });
  });

  it('at creation the creator owns it and lab members have the base level from then on, until something changes it', () => {
    expect(rolesAt(story, 10)).toEqual([
      { user: 'ada', role: 'owner', via: 'explicit', since: minute(10), until: null },
      { user: 'bob', role: 'viewer', via: 'base-level', since: minute(10), until: minute(20) },
    ]);
  });

  it('a member who joins later has the base level from the day they joined', () => {
    expect(rolesAt(story, 16)).toContainEqual({ user: 'carol', role: 'viewer', via: 'base-level', since: minute(15), until: minute(40) });
  });

  it('an explicit grant cuts the base-level interval, and says who granted it, when and why', () => {
    const at = accessAt(story, new Date(minute(22)));
    expect(at.people.find((person) => person.user === 'bob')).toEqual({
      user: 'bob',
      role: 'experimenter',
      via: 'explicit',
      since: minute(20),
      until: minute(25),
      grant: { grantedBy: 'ada', grantedAt: minute(20), event: 'granted', reason: 'runs the scans' },
      why: `experimenter by explicit permission, granted by ada at ${minute(20)}, because "runs the scans"`,
    });
  });

  it('a change of the explicit permission starts a new interval', () => {
    expect(rolesAt(story, 27)).toContainEqual({ user: 'bob', role: 'commenter', via: 'explicit', since: minute(25), until: minute(30) });
  });

  it('removing the explicit permission restores the base level from the removal on', () => {
    expect(rolesAt(story, 30)).toContainEqual({ user: 'bob', role: 'viewer', via: 'base-level', since: minute(30), until: minute(40) });
  });

  it('a base-level change starts a new interval for every member it reaches, with who set it and why', () => {
    const at = accessAt(story, new Date(minute(45)));
    expect(at.baseLevel).toEqual({ level: 'commenter', setBy: 'ada', setAt: minute(40), reason: 'everyone discusses results' });
    expect(at.people.find((person) => person.user === 'carol')).toMatchObject({
      role: 'commenter',
      via: 'base-level',
      since: minute(40),
      until: minute(50),
      membership: { lab: 'sundog', addedBy: 'lab-admin', addedAt: minute(15) },
      why: `commenter: the project's base level (set by ada at ${minute(40)}, because "everyone discusses results"), as a member of lab sundog since ${minute(15)} (added by lab-admin)`,
    });
  });

  it('names the people it mentions, in the answer and in its sentences, with what it is told of them', () => {
    const names = new Map([
      ['ada', { username: 'ada', displayName: 'Ada Lovelace' }],
      ['lab-admin', { username: 'lab-admin', displayName: 'Lab Admin' }],
      ['nobody-mentioned', { username: 'x', displayName: 'X' }],
    ]);
    const at = accessAt(story, new Date(minute(45)), names);
    expect(at.names).toEqual({ ada: names.get('ada'), 'lab-admin': names.get('lab-admin') });
    expect(at.people.find((person) => person.user === 'carol')?.why).toBe(
      `commenter: the project's base level (set by Ada Lovelace (ada) at ${minute(40)}, because "everyone discusses results"), ` +
        `as a member of lab sundog since ${minute(15)} (added by Lab Admin (lab-admin))`,
    );
    expect(accessAt(story, new Date(minute(22)), names).people.find((person) => person.user === 'bob')?.why).toBe(
      `experimenter by explicit permission, granted by Ada Lovelace (ada) at ${minute(20)}, because "runs the scans"`,
    );
  });

  it('leaving the lab ends base-level access; joining again starts it again', () => {
    expect(rolesAt(story, 52).map((person) => person.user)).toEqual(['ada', 'bob']);
    expect(rolesAt(story, 56)).toContainEqual({ user: 'carol', role: 'commenter', via: 'base-level', since: minute(55), until: minute(60) });
  });

  it('an explicit none overrides the base level, and an explicit permission outlives lab membership', () => {
    expect(rolesAt(story, 75)).toEqual([
      { user: 'ada', role: 'owner', via: 'explicit', since: minute(10), until: null },
      { user: 'carol', role: 'none', via: 'explicit', since: minute(60), until: null },
    ]);
  });

  it('a base level of none gives nobody anything, so nobody is listed through it', () => {
    const privateProject = timeline(labScheme, [...created(10, 'ada', 'none')], [joined(0, 'ada'), joined(1, 'bob')]);
    expect(rolesAt(privateProject, 20)).toEqual([{ user: 'ada', role: 'owner', via: 'explicit', since: minute(10), until: null }]);
  });
});

describe('who had which role at an instant (facility scheme)', () => {
  const story = timeline(
    facilityScheme,
    [...created(10, 'olivia', null), granted(20, 'olivia', 'manon', 'manager'), granted(21, 'manon', 'mehdi', 'member'), transferred(30, 'olivia', 'manon', 'manager')],
    [joined(0, 'olivia'), joined(0, 'manon'), joined(0, 'mehdi'), joined(0, 'nadia')],
  );

  it('lab membership alone gives nothing: access is explicit only, and there is no base level', () => {
    const at = accessAt(story, new Date(minute(25)));
    expect(at.baseLevel).toBeNull();
    expect(at.people.map(({ user, role }) => ({ user, role }))).toEqual([
      { user: 'olivia', role: 'owner' },
      { user: 'manon', role: 'manager' },
      { user: 'mehdi', role: 'member' },
    ]);
  });

  it('an ownership transfer ends both owners\' intervals: the new owner holds it by hand-over, the old one keeps manager', () => {
    const people = accessAt(story, new Date(minute(31))).people;
    expect(people.map(({ user, role, since, until, why }) => ({ user, role, since, until, why }))).toEqual([
      { user: 'manon', role: 'owner', since: minute(30), until: null, why: `owner, handed over by olivia at ${minute(30)}` },
      { user: 'olivia', role: 'manager', since: minute(30), until: null, why: `manager, kept when handing ownership over at ${minute(30)}` },
      { user: 'mehdi', role: 'member', since: minute(21), until: null, why: `member by explicit permission, granted by manon at ${minute(21)}` },
    ]);
    expect(rolesAt(story, 29).slice(0, 2)).toEqual([
      { user: 'olivia', role: 'owner', via: 'explicit', since: minute(10), until: minute(30) },
      { user: 'manon', role: 'manager', via: 'explicit', since: minute(20), until: minute(30) },
    ]);
  });
});
