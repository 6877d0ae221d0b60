import {
  capabilitiesOf,
  compareRoles,
  defineScheme,
  effectiveRole,
  facilityScheme,
  foldEvents,
  hasCapability,
  inheritUpwards,
  labScheme,
  schemeByName,
  schemeProblems,
  schemeRegistry,
} from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { previewChange } from './access-queries';
import { createProjectAccessDecider, type ProjectAccess } from './project-access';
import {
  baseLevelChanged,
  changeBaseLevel,
  continuing,
  created,
  granted,
  history,
  inLab,
  minute,
  setRole,
  transferOwnership,
  transferred,
} from './testing/project-access.fixtures';

// docs/architecture.md §4: "Role schemes are data (libs/contracts), not code." A third scheme, defined here and
// nowhere else, must work with the generic functions and the deciders unchanged.
const roles = ['guest', 'analyst', 'steward'] as const;
const coreScheme = defineScheme({
  name: 'core',
  roles,
  capabilities: inheritUpwards(roles, {
    guest: ['project.read', 'access.view'],
    analyst: ['comments.write', 'files.upload', 'jobs.run'],
    steward: ['project.update', 'base-level.manage', 'access.manage', 'access.check'],
  }),
  ownerRole: 'steward',
  invitesByEmail: false,
  ownerCardinality: 'at-least-one',
  hasBaseLevel: true,
  defaultBaseLevel: 'guest',
  grantRules: {
    analyst: { add: ['guest'], change: [], remove: ['guest'], rule: 'analyst-manages-guests', says: 'an analyst may add and remove guests' },
    steward: { add: roles, change: roles, remove: roles, rule: 'stewards-manage-everyone', says: 'stewards manage everyone' },
  },
  ownershipTransfer: { formerOwnerBecomes: 'analyst' },
});
const schemes = schemeRegistry(facilityScheme, labScheme, coreScheme);

describe('a third role scheme, as data only: generic functions', () => {
  it('is consistent data', () => {
    expect(schemeProblems(coreScheme)).toEqual([]);
  });

  it('is found by name in a registry that holds it, and only there', () => {
    expect(schemeByName('core', schemes)).toBe(coreScheme);
    expect(() => schemeByName('core')).toThrow(expect.objectContaining({ rule: 'access.unknown-scheme' }));
  });

  it('maps roles to capabilities', () => {
    expect(capabilitiesOf(coreScheme, 'analyst')).toEqual(['project.read', 'access.view', 'comments.write', 'files.upload', 'jobs.run']);
    expect(hasCapability(coreScheme, 'steward', 'base-level.manage')).toBe(true);
    expect(hasCapability(coreScheme, 'analyst', 'project.update')).toBe(false);
  });

  it('orders roles lowest first', () => {
    expect(compareRoles(coreScheme, 'guest', 'steward')).toBeLessThan(0);
    expect(compareRoles(coreScheme, 'steward', 'analyst')).toBeGreaterThan(0);
  });

  it('applies the effective-role rule', () => {
    expect(effectiveRole(coreScheme, { explicit: 'analyst', isLabMember: true, baseLevel: 'guest' })).toBe('analyst');
    expect(effectiveRole(coreScheme, { isLabMember: true, baseLevel: 'guest' })).toBe('guest');
    expect(effectiveRole(coreScheme, { isLabMember: false, baseLevel: 'guest' })).toBeNull();
  });

  it('refuses broken scheme data where it is defined', () => {
    expect(() => defineScheme({ ...coreScheme, ownerRole: 'admin' })).toThrow('ownerRole names "admin", which is not a role of the scheme');
  });
});

describe('a third role scheme, as data only: the project access decider', () => {
  const spec = deciderSpec(createProjectAccessDecider(schemes));
  const [steward, analyst, labMember] = ['sara', 'ana', 'lee'].map(inLab);
  const project = history(created('core', steward.id, 'guest', 'steward'), granted(steward.id, analyst.id, 'guest', 'analyst', minute(1)));

  it('initializes with the scheme owner role and default base level', () => {
    spec
      .given([])
      .when({ type: 'InitializeProjectAccess', projectId: 'p1', lab: 'lab1', scheme: 'core', creator: steward.id, now: minute(0) })
      .then(history(created('core', steward.id, 'guest', 'steward')));
  });

  it("follows the scheme's grant rules", () => {
    spec
      .given(project)
      .when(setRole(analyst, labMember, 'guest', minute(2)))
      .then(continuing(project, granted(analyst.id, labMember.id, 'guest', 'guest', minute(2))));
    spec.given(project).when(setRole(analyst, labMember, 'analyst', minute(2))).thenThrows('core.analyst-manages-guests', 'forbidden');
    spec.given(project).when(setRole(labMember, inLab('x'), 'guest', minute(2))).thenThrows('core.guest-manages-nobody', 'forbidden');
  });

  it('keeps at least one owner', () => {
    spec.given(project).when(setRole(steward, steward, 'analyst', minute(2))).thenThrows('core.at-least-one-owner', 'conflict');
  });

  it('transfers ownership to the role the scheme names', () => {
    spec
      .given(project)
      .when(transferOwnership(steward, analyst, minute(2)))
      .then(continuing(project, transferred(steward.id, analyst.id, 'analyst', 'analyst', minute(2))));
  });

  it('changes the base level', () => {
    spec
      .given(project)
      .when(changeBaseLevel(steward, 'analyst', minute(2)))
      .then(continuing(project, baseLevelChanged(steward.id, 'guest', 'analyst', minute(2))));
  });

  it('previews a change', () => {
    const decider = createProjectAccessDecider(schemes);
    const state = foldEvents(decider, project) as ProjectAccess;
    expect(previewChange(state, changeBaseLevel(steward, 'analyst', minute(2)), ['sara', 'ana', 'lee'], decider)).toEqual([
      { user: 'lee', before: 'guest', after: 'analyst', gained: ['comments.write', 'files.upload', 'jobs.run'], lost: [] },
    ]);
  });
});
