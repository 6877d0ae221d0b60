import { CAPABILITIES, type Capability } from './capabilities';
import { facilityScheme } from './facility.scheme';
import { labScheme } from './lab.scheme';
import { capabilitiesOf, compareRoles, hasCapability, type RoleScheme } from './role-scheme';

/**
 * docs/api.md "Capabilities by role", copied as it stands, plus the access capabilities of the users page:
 * `access.view` for whoever reads the project, `access.manage` and `access.check` for owner and
 * manager (facility) or owner (lab), and `jobs.cancel` (docs/api.md's cancel: "triggerer, or manager+
 * (facility) / owner (lab)"; the triggerer cancels their own job with `jobs.run`), and `stacks.write`
 * (issue #23): the lab guide's Experimenter is "making stacks and uploads", so whoever uploads makes stacks
 * in both schemes; `stacks.annotate` goes with `comments.write`, the lab guide's Commenter who can
 * "comment/annotate stacks".
 */
const MATRIX = `
capability                  | facility: viewer member manager owner | lab: viewer commenter experimenter owner
project.read                | ✓ ✓ ✓ ✓ | ✓ ✓ ✓ ✓
comments.write              | · ✓ ✓ ✓ | · ✓ ✓ ✓
files.upload                | · ✓ ✓ ✓ | · · ✓ ✓
jobs.run                    | · ✓ ✓ ✓ | · · ✓ ✓
jobs.cancel                 | · · ✓ ✓ | · · · ✓
logbook.write               | · ✓ ✓ ✓ | · · ✓ ✓
stacks.write                | · ✓ ✓ ✓ | · · ✓ ✓
stacks.annotate             | · ✓ ✓ ✓ | · ✓ ✓ ✓
deletion.request.processed  | · ✓ ✓ ✓ | · · ✓ ✓
datasets.link               | · · ✓ ✓ | · · ✓ ✓
datasets.unlink             | · · ✓ ✓ | · · · ✓
deletion.request.raw        | · · ✓ ✓ | · · · ✓
deletion.approve.processed  | · · ✓ ✓ | · · · ✓
deletion.approve.raw        | · · · ✓ | · · · ✓
project.update              | · · · ✓ | · · · ✓
project.delete              | · · · ✓ | · · · ✓
base-level.manage           | · · · ✓ | · · · ✓
access.view                 | ✓ ✓ ✓ ✓ | ✓ ✓ ✓ ✓
access.manage               | · · ✓ ✓ | · · · ✓
access.check                | · · ✓ ✓ | · · · ✓
`;

const [header, ...rows] = MATRIX.trim().split('\n');
const [facilityRoles, labRoles] = header
  .split('|')
  .slice(1)
  .map((column) => column.split(':')[1].trim().split(/\s+/));
const table = rows.map((row) => {
  const [capability, facility, lab] = row.split('|').map((cell) => cell.trim());
  return { capability: capability as Capability, facility: facility.split(' '), lab: lab.split(' ') };
});

const cells = (scheme: RoleScheme, roles: string[], column: 'facility' | 'lab') =>
  table.flatMap((row) => roles.map((role, i) => [scheme.name, role, row.capability, row[column][i] === '✓'] as const));

describe('docs/api.md "Capabilities by role"', () => {
  it('lists every capability once', () => {
    expect(table.map((row) => row.capability).sort()).toEqual([...CAPABILITIES].sort());
  });

  it('names the roles of both schemes, lowest first', () => {
    expect(facilityRoles).toEqual(facilityScheme.roles);
    expect(['none', ...labRoles]).toEqual(labScheme.roles);
  });

  const schemes = { facility: facilityScheme, lab: labScheme };
  it.each([...cells(facilityScheme, facilityRoles, 'facility'), ...cells(labScheme, labRoles, 'lab')])(
    '%s %s: %s is %s',
    (schemeName, role, capability, granted) => {
      expect(hasCapability(schemes[schemeName as keyof typeof schemes], role, capability)).toBe(granted);
    },
  );

  it('lab: "None: Cannot see the project at all"', () => {
    expect(capabilitiesOf(labScheme, 'none')).toEqual([]);
  });

  it.each([facilityScheme, labScheme])('$name: "Each role includes everything the roles below it can do"', (scheme) => {
    for (const [lower, higher] of scheme.roles.slice(1).map((role, i) => [scheme.roles[i], role])) {
      expect(compareRoles(scheme, lower, higher)).toBeLessThan(0);
      expect(capabilitiesOf(scheme, higher)).toEqual(expect.arrayContaining([...capabilitiesOf(scheme, lower)]));
    }
  });
});
