import { DomainError } from '../errors';
import { facilityScheme } from './facility.scheme';
import { labScheme } from './lab.scheme';
import { roleSchemes, schemeByName, schemeRegistry } from './registry';
import { capabilitiesOf, capabilityDifference, compareRoles, defineScheme, effectiveRole, requireBaseLevel, schemeProblems } from './role-scheme';

// docs/api.md: "Effective role: an explicit permission if the user has one, else the base level if the user is
// a lab member, else none."
describe('effective role', () => {
  it('lab: an explicit permission wins over the base level, even a lower one', () => {
    expect(effectiveRole(labScheme, { explicit: 'viewer', isLabMember: true, baseLevel: 'experimenter' })).toBe('viewer');
  });

  it('lab: an explicit none hides the project from a lab member whose base level would show it', () => {
    expect(effectiveRole(labScheme, { explicit: 'none', isLabMember: true, baseLevel: 'viewer' })).toBe('none');
  });

  it('lab: "This sets the default access level for anybody in the lab"', () => {
    expect(effectiveRole(labScheme, { isLabMember: true, baseLevel: 'commenter' })).toBe('commenter');
  });

  it('lab: someone outside the lab without an explicit permission has no role', () => {
    expect(effectiveRole(labScheme, { isLabMember: false, baseLevel: 'commenter' })).toBeNull();
  });

  it('lab: an explicit permission holds outside the lab too', () => {
    expect(effectiveRole(labScheme, { explicit: 'experimenter', isLabMember: false, baseLevel: 'viewer' })).toBe('experimenter');
  });

  it('facility: lab membership alone gives no role (no base level)', () => {
    expect(effectiveRole(facilityScheme, { isLabMember: true, baseLevel: null })).toBeNull();
    expect(effectiveRole(facilityScheme, { explicit: 'member', isLabMember: true, baseLevel: null })).toBe('member');
  });
});

// Sundog: "you can choose the base level for the project. This sets the default access level for anybody
// in the lab." The projects service (creation) and the access service (creation, change) apply one rule.
describe('base level', () => {
  const refusal = (rule: string, field: string) => expect.objectContaining({ kind: 'invalid', rule, details: { errors: [expect.objectContaining({ field })] } });

  it('lab: the level asked for, else the scheme’s default', () => {
    expect(requireBaseLevel(labScheme, 'commenter')).toBe('commenter');
    expect(requireBaseLevel(labScheme, undefined)).toBe(labScheme.defaultBaseLevel);
  });

  it('lab: owners are always given explicitly, never through the base level', () => {
    expect(() => requireBaseLevel(labScheme, 'owner')).toThrow(refusal('lab.base-level-below-owner', 'baseLevel'));
  });

  it('lab: a level that is not one of the scheme’s roles is refused, naming the field it came in', () => {
    expect(() => requireBaseLevel(labScheme, 'manager', 'level')).toThrow(refusal('lab.unknown-role', 'level'));
  });

  it('facility: no base level; asking for one is refused', () => {
    expect(requireBaseLevel(facilityScheme, undefined)).toBeNull();
    expect(() => requireBaseLevel(facilityScheme, 'viewer')).toThrow(refusal('facility.no-base-level', 'baseLevel'));
  });
});

describe('roles', () => {
  it('compares roles by their place in the scheme', () => {
    expect(compareRoles(facilityScheme, 'member', 'manager')).toBeLessThan(0);
    expect(compareRoles(labScheme, 'owner', 'none')).toBeGreaterThan(0);
    expect(compareRoles(labScheme, 'viewer', 'viewer')).toBe(0);
  });

  it('refuses a role the scheme does not have, naming the rule', () => {
    expect(() => compareRoles(facilityScheme, 'commenter', 'viewer')).toThrow(
      expect.objectContaining({ kind: 'invalid', rule: 'facility.unknown-role' }),
    );
  });

  it('no role at all has no capabilities', () => {
    expect(capabilitiesOf(labScheme, null)).toEqual([]);
  });

  it('tells capabilities gained and lost between two roles', () => {
    expect(capabilityDifference(facilityScheme, 'member', 'viewer')).toEqual({
      gained: [],
      lost: ['comments.write', 'stacks.annotate', 'files.upload', 'jobs.run', 'logbook.write', 'stacks.write', 'deletion.request.processed'],
    });
    expect(capabilityDifference(labScheme, null, 'viewer')).toEqual({ gained: ['project.read', 'access.view'], lost: [] });
  });
});

describe('schemes as data', () => {
  it('ships facility and lab', () => {
    expect(Object.keys(roleSchemes)).toEqual(['facility', 'lab']);
    expect(schemeByName('lab')).toBe(labScheme);
  });

  it('refuses an unknown scheme name', () => {
    expect(() => schemeByName('guild')).toThrow(DomainError);
    expect(() => schemeByName('constructor')).toThrow(expect.objectContaining({ rule: 'access.unknown-scheme' }));
  });

  it('the shipped schemes are consistent data', () => {
    expect(schemeProblems(facilityScheme)).toEqual([]);
    expect(schemeProblems(labScheme)).toEqual([]);
  });

  it('facility: "There is exactly one Owner per project ... can transfer ownership"; the old owner becomes manager', () => {
    expect(facilityScheme).toMatchObject({ ownerCardinality: 'exactly-one', ownershipTransfer: { formerOwnerBecomes: 'manager' }, hasBaseLevel: false });
  });

  it('lab: "A project must have at least one owner"; a base level for everybody in the lab', () => {
    expect(labScheme).toMatchObject({ ownerCardinality: 'at-least-one', ownershipTransfer: null, hasBaseLevel: true, defaultBaseLevel: 'none' });
  });

  it('finds what is wrong with broken scheme data', () => {
    expect(
      schemeProblems({
        ...labScheme,
        capabilities: { ...labScheme.capabilities, viewer: ['project.read', 'project.fly' as never] },
        defaultBaseLevel: 'owner',
        grantRules: { owner: { add: ['admin'], change: [], remove: [], rule: 'x', says: 'x' } },
      }),
    ).toEqual([
      'role "viewer" lists unknown capability "project.fly"',
      'ownership is always explicit: the default base level cannot be the owner role',
      'grantRules.owner names "admin", which is not a role of the scheme',
    ]);
    expect(() => defineScheme({ ...facilityScheme, roles: ['viewer', 'viewer'] })).toThrow('roles must be distinct');
  });

  it('a registry refuses two schemes of one name', () => {
    expect(() => schemeRegistry(labScheme, labScheme)).toThrow('registered twice');
  });
});
