import type { LabEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { labDecider, type DirectoryEntry } from './lab';

// docs/api.md, "Labs and people": who creates labs and who manages their members.
const spec = deciderSpec(labDecider);

const person = (userId: string, name: string): DirectoryEntry => ({
  userId,
  username: name.toLowerCase(),
  email: `${name.toLowerCase()}@lab.example`,
  displayName: name,
});
const [fiona, lars, mira, noah] = [person('u-fiona', 'Fiona'), person('u-lars', 'Lars'), person('u-mira', 'Mira'), person('u-noah', 'Noah')];

const added = (member: DirectoryEntry, admin: boolean, actor: string): LabEvent => ({
  type: 'access.lab.member-added.v1',
  data: { lab: 'lab1', ...member, admin, actor },
});
const removed = (member: DirectoryEntry, actor: string, reason?: string): LabEvent => ({
  type: 'access.lab.member-removed.v1',
  data: { lab: 'lab1', ...member, actor, ...(reason !== undefined && { reason }) },
});
const labCreated: LabEvent = { type: 'access.lab.created.v1', data: { lab: 'lab1', name: 'Structural Biology', slug: 'structural-biology', actor: fiona.userId } };

/** Fiona (facility admin) created the lab; she made Lars a lab admin and added Mira. */
const lab = [labCreated, added(fiona, true, fiona.userId), added(lars, true, fiona.userId), added(mira, false, lars.userId)];

const createLab = (creatorIsFacilityAdmin: boolean, overrides: { name?: string; slug?: string } = {}) =>
  ({
    type: 'CreateLab',
    lab: 'lab1',
    name: 'Structural Biology',
    slug: 'structural-biology',
    creator: fiona,
    creatorIsFacilityAdmin,
    ...overrides,
  }) as const;

describe('lab: "create a lab; creator becomes lab admin" (facility admin, cairn_admin claim)', () => {
  it('a facility admin creates a lab and becomes its first admin', () => {
    spec.given([]).when(createLab(true)).then([labCreated, added(fiona, true, fiona.userId)]);
  });

  it('someone without the cairn_admin claim may not create a lab', () => {
    spec.given([]).when(createLab(false)).thenThrows('lab.create-needs-facility-admin', 'forbidden');
  });

  it('a lab is created once', () => {
    spec.given(lab).when(createLab(true)).thenThrows('lab.already-exists', 'conflict');
  });

  it('refuses an empty name', () => {
    spec.given([]).when(createLab(true, { name: '  ' })).thenThrows('lab.name-required', 'invalid');
  });

  it('refuses a slug that is not lower-case kebab-case', () => {
    spec.given([]).when(createLab(true, { slug: 'Structural Biology' })).thenThrows('lab.slug-format', 'invalid');
  });
});

describe('lab: "add a person to the lab (by username or e-mail)" — lab admin', () => {
  it('a lab admin adds a member, with what the directory needs to find them', () => {
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: lars.userId, member: noah, admin: false })
      .then([added(noah, false, lars.userId)]);
  });

  it('a lab admin adds another admin', () => {
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: fiona.userId, member: noah, admin: true })
      .then([added(noah, true, fiona.userId)]);
  });

  it('a member who is not an admin may not add people', () => {
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: mira.userId, member: noah, admin: false })
      .thenThrows('lab.admin-manages-members', 'forbidden');
  });

  it('adding someone who is already a member is a conflict (the admin flag is not changed this way)', () => {
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: lars.userId, member: mira, admin: true })
      .thenThrows('lab.already-member', 'conflict');
  });

  it('a member without an e-mail address is fine: the directory finds them by username', () => {
    const { email: _none, ...noahWithoutEmail } = noah;
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: lars.userId, member: noahWithoutEmail, admin: false })
      .then([added(noahWithoutEmail, false, lars.userId)]);
  });

  it('refuses a member without a username', () => {
    spec
      .given(lab)
      .when({ type: 'AddLabMember', actor: lars.userId, member: { ...noah, username: '' }, admin: false })
      .thenThrows('lab.member-username-required', 'invalid');
  });

  it('there is no such lab before it is created', () => {
    spec.given([]).when({ type: 'AddLabMember', actor: lars.userId, member: noah, admin: false }).thenThrows('lab.unknown', 'not-found');
  });
});

describe('lab: "remove from the lab (their base-level access ends)" — lab admin', () => {
  it('a lab admin removes a member', () => {
    spec
      .given(lab)
      .when({ type: 'RemoveLabMember', actor: lars.userId, userId: mira.userId, reason: 'left the institute' })
      .then([removed(mira, lars.userId, 'left the institute')]);
  });

  it('a lab admin removes another admin', () => {
    spec.given(lab).when({ type: 'RemoveLabMember', actor: lars.userId, userId: fiona.userId }).then([removed(fiona, lars.userId)]);
  });

  it('a member who is not an admin may not remove people', () => {
    spec.given(lab).when({ type: 'RemoveLabMember', actor: mira.userId, userId: lars.userId }).thenThrows('lab.admin-manages-members', 'forbidden');
  });

  it('removing someone who is not a member is refused as not found', () => {
    spec.given(lab).when({ type: 'RemoveLabMember', actor: lars.userId, userId: noah.userId }).thenThrows('lab.not-a-member', 'not-found');
  });

  it('the last lab admin stays: without one nobody could add or remove members', () => {
    const oneAdmin = [...lab, removed(fiona, lars.userId)];
    spec.given(oneAdmin).when({ type: 'RemoveLabMember', actor: lars.userId, userId: lars.userId }).thenThrows('lab.at-least-one-admin', 'conflict');
  });

  it('a removed member can be added again', () => {
    spec
      .given([...lab, removed(mira, lars.userId)])
      .when({ type: 'AddLabMember', actor: lars.userId, member: mira, admin: false })
      .then([added(mira, false, lars.userId)]);
  });
});
