import { CAPABILITIES, capabilitiesOf, schemeByName, type Role } from '@cairn/contracts';
import { AccessModel } from '@cairn/auth';
import { AccessStory } from '@cairn/access-service';

/** The model after the story's events, each applied once in order. */
function modelOf(story: AccessStory): AccessModel {
  const model = new AccessModel();
  for (const event of story.envelopes) model.apply(event);
  return model;
}

/** The model's capabilities for the user are exactly those of `role` in the project's scheme. */
function expectRole(model: AccessModel, projectId: string, userId: string, role: Role | null, scheme: string): void {
  expect(model.roleOf(projectId, userId)).toBe(role);
  const granted = CAPABILITIES.filter((capability) => model.can(projectId, userId, capability));
  expect(granted).toEqual(CAPABILITIES.filter((capability) => capabilitiesOf(schemeByName(scheme), role).includes(capability)));
}

/** Lab L: admin ada; members alice, bob, carol, dave. Eve is outside the lab. */
function labWithMembers(): AccessStory {
  return new AccessStory()
    .createLab('L', 'ada')
    .addMember('L', 'ada', 'alice')
    .addMember('L', 'ada', 'bob')
    .addMember('L', 'ada', 'carol')
    .addMember('L', 'ada', 'dave');
}

describe('AccessModel, lab scheme', () => {
  const story = () => labWithMembers().createProject('p1', 'L', 'lab', 'alice', 'viewer');

  it('the creator is owner; lab members get the base level; outsiders nothing', () => {
    const model = modelOf(story());
    expectRole(model, 'p1', 'alice', 'owner', 'lab');
    expectRole(model, 'p1', 'bob', 'viewer', 'lab');
    expectRole(model, 'p1', 'eve', null, 'lab');
    expect(model.explain('p1', 'alice')).toEqual({ role: 'owner', via: 'explicit' });
    expect(model.explain('p1', 'bob')).toEqual({ role: 'viewer', via: 'base-level' });
    expect(model.explain('p1', 'eve')).toEqual({ role: null, via: 'none' });
  });

  it('a private project (default base level none) shows lab members nothing', () => {
    const model = modelOf(labWithMembers().createProject('p1', 'L', 'lab', 'alice'));
    expect(model.explain('p1', 'bob')).toEqual({ role: 'none', via: 'base-level' });
    expect(model.can('p1', 'bob', 'project.read')).toBe(false);
    expect(model.projectsReadableBy('bob')).toEqual([]);
  });

  it('grant, change, revoke: back to the base level', () => {
    const granted = story().setRole('p1', 'alice', 'bob', 'experimenter');
    expectRole(modelOf(granted), 'p1', 'bob', 'experimenter', 'lab');
    expect(modelOf(granted).explain('p1', 'bob')).toEqual({ role: 'experimenter', via: 'explicit' });

    const changed = granted.setRole('p1', 'alice', 'bob', 'commenter');
    expectRole(modelOf(changed), 'p1', 'bob', 'commenter', 'lab');

    const revoked = changed.revokeRole('p1', 'alice', 'bob');
    expectRole(modelOf(revoked), 'p1', 'bob', 'viewer', 'lab');
    expect(modelOf(revoked).explain('p1', 'bob').via).toBe('base-level');
  });

  it('an explicit permission below the base level wins, none included', () => {
    const model = modelOf(
      story()
        .changeBaseLevel('p1', 'alice', 'experimenter')
        .setRole('p1', 'alice', 'bob', 'viewer')
        .setRole('p1', 'alice', 'carol', 'none'),
    );
    expectRole(model, 'p1', 'dave', 'experimenter', 'lab');
    expectRole(model, 'p1', 'bob', 'viewer', 'lab');
    expectRole(model, 'p1', 'carol', 'none', 'lab');
    expect(model.explain('p1', 'carol')).toEqual({ role: 'none', via: 'explicit' });
    expect(model.projectsReadableBy('carol')).toEqual([]);
  });

  it('a base-level change reaches every lab member without an explicit permission', () => {
    const before = story().changeBaseLevel('p1', 'alice', 'experimenter').setRole('p1', 'alice', 'bob', 'experimenter');
    expect(modelOf(before).can('p1', 'dave', 'jobs.run')).toBe(true);
    const model = modelOf(before.changeBaseLevel('p1', 'alice', 'commenter'));
    expectRole(model, 'p1', 'dave', 'commenter', 'lab');
    expectRole(model, 'p1', 'bob', 'experimenter', 'lab');
  });

  it('a person removed from the lab loses base-level access but keeps an explicit permission', () => {
    const model = modelOf(
      story()
        .setRole('p1', 'alice', 'bob', 'experimenter')
        .removeMember('L', 'ada', 'bob')
        .removeMember('L', 'ada', 'dave'),
    );
    expectRole(model, 'p1', 'dave', null, 'lab');
    expect(model.isLabMember('L', 'dave')).toBe(false);
    expect(model.projectsReadableBy('dave')).toEqual([]);
    expectRole(model, 'p1', 'bob', 'experimenter', 'lab');
  });

  it('several owners: one owner makes another', () => {
    const model = modelOf(story().setRole('p1', 'alice', 'bob', 'owner').revokeRole('p1', 'bob', 'alice'));
    expectRole(model, 'p1', 'bob', 'owner', 'lab');
    expectRole(model, 'p1', 'alice', 'viewer', 'lab');
  });
});

describe('AccessModel, facility scheme', () => {
  const story = () => labWithMembers().createProject('p2', 'L', 'facility', 'alice');

  it('lab membership alone gives no role', () => {
    const model = modelOf(story());
    expectRole(model, 'p2', 'alice', 'owner', 'facility');
    expectRole(model, 'p2', 'bob', null, 'facility');
    expect(model.explain('p2', 'bob')).toEqual({ role: null, via: 'none' });
  });

  it('grant, change, revoke', () => {
    const granted = story().setRole('p2', 'alice', 'bob', 'member');
    expectRole(modelOf(granted), 'p2', 'bob', 'member', 'facility');
    const changed = granted.setRole('p2', 'alice', 'bob', 'manager').setRole('p2', 'bob', 'carol', 'member');
    expectRole(modelOf(changed), 'p2', 'bob', 'manager', 'facility');
    expectRole(modelOf(changed), 'p2', 'carol', 'member', 'facility');
    const revoked = changed.revokeRole('p2', 'bob', 'carol');
    expectRole(modelOf(revoked), 'p2', 'carol', null, 'facility');
  });

  it('ownership transfer: the new owner owns, the old one becomes manager', () => {
    const model = modelOf(story().setRole('p2', 'alice', 'bob', 'viewer').transferOwnership('p2', 'alice', 'bob'));
    expectRole(model, 'p2', 'bob', 'owner', 'facility');
    expectRole(model, 'p2', 'alice', 'manager', 'facility');
    expect(model.can('p2', 'alice', 'project.delete')).toBe(false);
    expect(model.can('p2', 'bob', 'project.delete')).toBe(true);
  });
});

describe('AccessModel', () => {
  const story = () =>
    labWithMembers()
      .createLab('M', 'max')
      .addMember('M', 'max', 'bob')
      .addMember('M', 'max', 'carol')
      .createProject('p1', 'L', 'lab', 'alice', 'viewer')
      .createProject('p2', 'L', 'facility', 'alice')
      .createProject('p3', 'M', 'lab', 'max', 'none')
      .createProject('p4', 'M', 'facility', 'max')
      .setRole('p2', 'alice', 'bob', 'viewer')
      .setRole('p3', 'max', 'bob', 'commenter')
      .setRole('p3', 'max', 'carol', 'experimenter');

  it('lists the projects a user may read, across labs and schemes', () => {
    const model = modelOf(story());
    expect(model.projectsReadableBy('bob')).toEqual(['p1', 'p2', 'p3']);
    expect(model.projectsReadableBy('carol')).toEqual(['p1', 'p3']);
    expect(model.projectsReadableBy('max')).toEqual(['p3', 'p4']);
    expect(model.projectsReadableBy('eve')).toEqual([]);
    expect(model.projectsWhere('bob', 'comments.write')).toEqual(['p3']);
  });

  it('knows labs, projects and their labs', () => {
    const model = modelOf(story());
    expect(model.knowsProject('p3')).toBe(true);
    expect(model.knowsProject('p9')).toBe(false);
    expect(model.labOf('p3')).toBe('M');
    expect(model.labOf('p9')).toBeUndefined();
    expect(model.isLabMember('M', 'bob')).toBe(true);
    expect(model.isLabMember('M', 'alice')).toBe(false);
    expect(model.can('p9', 'alice', 'project.read')).toBe(false);
    expect(model.explain('p9', 'alice')).toEqual({ role: null, via: 'none' });
    expect(model.rolesWith('p1', 'jobs.run')).toEqual(['experimenter', 'owner']);
    expect(model.rolesWith('p2', 'jobs.run')).toEqual(['member', 'manager', 'owner']);
  });

  it('lists a lab\'s members and, for the users page, who has access and how', () => {
    const model = modelOf(story().setRole('p1', 'alice', 'dave', 'none'));
    expect(model.labMembersOf('M')).toEqual(['bob', 'carol', 'max']);
    expect(model.accessListOf('p1')).toEqual([
      { userId: 'alice', role: 'owner', via: 'explicit' },
      { userId: 'ada', role: 'viewer', via: 'base-level' },
      { userId: 'bob', role: 'viewer', via: 'base-level' },
      { userId: 'carol', role: 'viewer', via: 'base-level' },
    ]);
    expect(model.personOf('bob')).toEqual({ username: 'bob', displayName: 'bob' });
    expect(model.personOf('nobody')).toBeUndefined();
    // Searches name a person by username ("search by triggerer"): the same directory answers the other way.
    expect(model.userIdOf('BOB')).toBe('bob');
    expect(model.userIdOf('nobody')).toBeUndefined();
    expect(model.accessListOf('p3')).toEqual([
      { userId: 'bob', role: 'commenter', via: 'explicit' },
      { userId: 'carol', role: 'experimenter', via: 'explicit' },
      { userId: 'max', role: 'owner', via: 'explicit' },
    ]);
  });

  it('is idempotent by position: events at or below the last applied position change nothing', () => {
    const events = story().setRole('p1', 'alice', 'bob', 'experimenter').revokeRole('p1', 'alice', 'bob').envelopes;
    const model = new AccessModel();
    for (const event of events) model.apply(event);
    const grantToBob = events[events.length - 2];

    expect(grantToBob.type).toBe('access.role.granted.v1');
    expect(model.apply(grantToBob)).toBe(false);
    expect(events.map((event) => model.apply(event))).toEqual(events.map(() => false));
    expect(model.position).toBe(events.length);
    expect(model.roleOf('p1', 'bob')).toBe('viewer');
  });

  it('events of other contexts only move the position', () => {
    const model = modelOf(story());
    const other = { ...story().envelopes[0], type: 'jobs.job.requested.v1', streamid: 'jobs_job-j1', position: 1000, data: {} };
    expect(model.apply(other)).toBe(true);
    expect(model.position).toBe(1000);
    expect(model.projectsReadableBy('bob')).toEqual(['p1', 'p2', 'p3']);
  });

  it('refuses a project event before the project was initialized', () => {
    const events = labWithMembers().createProject('p1', 'L', 'facility', 'alice').setRole('p1', 'alice', 'bob', 'viewer').envelopes;
    const model = new AccessModel();
    expect(() => model.apply(events[events.length - 1])).toThrow(/before access.project.initialized.v1/);
  });
});
