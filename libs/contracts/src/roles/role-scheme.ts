import { invalid, invalidField } from '../errors';
import { isCapability, type Capability } from './capabilities';

/** A role name; which names exist is up to each scheme. */
export type Role = string;

/**
 * What holders of one role may do to other people's explicit permissions. "Add" gives a role to someone
 * without an explicit permission; "change" moves an explicit permission from one role to another (both
 * must be listed); "remove" deletes an explicit permission holding a listed role.
 */
export interface GrantRule {
  add: readonly Role[];
  change: readonly Role[];
  remove: readonly Role[];
  /** Refusals under this rule carry the id `<scheme>.<rule>`. */
  rule: string;
  /** The guide's sentence behind the rule, quoted in refusals. */
  says: string;
}

/**
 * A way of sharing projects, as data: adding a scheme means writing one of these and registering it;
 * deciders, guards and projections only read its fields.
 */
export interface RoleScheme {
  name: string;
  /** Lowest first. Each role's capabilities are listed in full in `capabilities`. */
  roles: readonly Role[];
  capabilities: Readonly<Record<Role, readonly Capability[]>>;
  ownerRole: Role;
  /** `exactly-one`: the owner role is never granted, changed or removed, only transferred. */
  ownerCardinality: 'exactly-one' | 'at-least-one';
  /** Whether every lab member gets a project-wide level without an explicit permission. */
  hasBaseLevel: boolean;
  /** The base level of a new project when its creator chooses none; null when the scheme has no base level. */
  defaultBaseLevel: Role | null;
  /** Keyed by the acting person's role; a role without an entry manages nobody. */
  grantRules: Readonly<Record<Role, GrantRule>>;
  /** Null when ownership is not transferable; else the role the former owner keeps. */
  ownershipTransfer: { formerOwnerBecomes: Role } | null;
  /**
   * Whether a project may invite an e-mail address nobody has signed in with yet: the invitation waits,
   * and its role is granted when someone signs in with that verified address, in the lab or not.
   */
  invitesByEmail: boolean;
}

/** Capabilities of each role given as what it adds to the role below it ("each role includes everything the roles below it can do"). */
export function inheritUpwards(
  roles: readonly Role[],
  additions: Readonly<Record<Role, readonly Capability[]>>,
): Record<Role, readonly Capability[]> {
  const capabilities: Record<Role, readonly Capability[]> = {};
  let inherited: readonly Capability[] = [];
  for (const role of roles) {
    inherited = [...inherited, ...(additions[role] ?? [])];
    capabilities[role] = inherited;
  }
  return capabilities;
}

/** Everything wrong with a scheme's data; empty when it is usable. */
export function schemeProblems(scheme: RoleScheme): string[] {
  const problems: string[] = [];
  const known = new Set(scheme.roles);
  const mustBeRole = (where: string, role: Role) => {
    if (!known.has(role)) problems.push(`${where} names "${role}", which is not a role of the scheme`);
  };
  if (!/^[a-z][a-z0-9-]*$/.test(scheme.name)) problems.push(`name "${scheme.name}" must be lower-case kebab-case`);
  if (known.size !== scheme.roles.length) problems.push('roles must be distinct');
  if (scheme.roles.length === 0) problems.push('roles must not be empty');
  for (const role of scheme.roles) {
    if (!scheme.capabilities[role]) problems.push(`role "${role}" has no capability list`);
  }
  for (const [role, capabilities] of Object.entries(scheme.capabilities)) {
    mustBeRole('capabilities', role);
    for (const capability of capabilities) {
      if (!isCapability(capability)) problems.push(`role "${role}" lists unknown capability "${capability}"`);
    }
  }
  mustBeRole('ownerRole', scheme.ownerRole);
  if (scheme.hasBaseLevel !== (scheme.defaultBaseLevel !== null)) {
    problems.push('defaultBaseLevel must be set exactly when hasBaseLevel is true');
  }
  if (scheme.defaultBaseLevel !== null) mustBeRole('defaultBaseLevel', scheme.defaultBaseLevel);
  if (scheme.defaultBaseLevel === scheme.ownerRole) problems.push('ownership is always explicit: the default base level cannot be the owner role');
  for (const [actorRole, rule] of Object.entries(scheme.grantRules)) {
    mustBeRole('grantRules', actorRole);
    for (const role of [...rule.add, ...rule.change, ...rule.remove]) mustBeRole(`grantRules.${actorRole}`, role);
  }
  if (scheme.ownershipTransfer) mustBeRole('ownershipTransfer.formerOwnerBecomes', scheme.ownershipTransfer.formerOwnerBecomes);
  return problems;
}

/** Checks a scheme's data once, where it is defined, so a broken scheme fails at start-up. */
export function defineScheme(scheme: RoleScheme): RoleScheme {
  const problems = schemeProblems(scheme);
  if (problems.length > 0) throw new Error(`role scheme "${scheme.name}": ${problems.join('; ')}`);
  return scheme;
}

export function isRoleOf(scheme: RoleScheme, value: string): boolean {
  return scheme.roles.includes(value);
}

/** Refuses a name that is not one of the scheme's roles. */
export function requireRole(scheme: RoleScheme, value: string): Role {
  if (!isRoleOf(scheme, value)) {
    const rule = `${scheme.name}.unknown-role`;
    throw invalid(rule, `"${value}" is not a role of the ${scheme.name} scheme (roles: ${scheme.roles.join(', ')}) (rule ${rule})`);
  }
  return value;
}

/**
 * The base level a project of `scheme` is created with or changed to: the level asked for, else the
 * scheme's default; null in a scheme without base levels, which refuses any level asked for. A base
 * level is never the owner role: it follows lab membership, which would make owners come and go
 * unseen, so ownership is always explicit. Refusals name the input `field`.
 */
export function requireBaseLevel(scheme: RoleScheme, requested: string, field?: string): Role;
export function requireBaseLevel(scheme: RoleScheme, requested: string | undefined, field?: string): Role | null;
export function requireBaseLevel(scheme: RoleScheme, requested: string | undefined, field = 'baseLevel'): Role | null {
  if (!scheme.hasBaseLevel) {
    if (requested === undefined) return null;
    throw invalidField(`${scheme.name}.no-base-level`, field, `the ${scheme.name} scheme has no base level: access is given to each person explicitly`);
  }
  const level = requested ?? scheme.defaultBaseLevel;
  if (level === null || !isRoleOf(scheme, level)) {
    throw invalidField(`${scheme.name}.unknown-role`, field, `must be one of the ${scheme.name} scheme's roles: ${scheme.roles.join(', ')}`);
  }
  if (level === scheme.ownerRole) {
    throw invalidField(`${scheme.name}.base-level-below-owner`, field, `cannot be ${level}: ${level}s are always given explicitly`);
  }
  return level;
}

/** Null stands for "no role at all" and has no capabilities. */
export function capabilitiesOf(scheme: RoleScheme, role: Role | null): readonly Capability[] {
  if (role === null) return [];
  return scheme.capabilities[requireRole(scheme, role)];
}

export function hasCapability(scheme: RoleScheme, role: Role | null, capability: Capability): boolean {
  return capabilitiesOf(scheme, role).includes(capability);
}

/** Negative when `a` is below `b`, zero when equal, positive when above. */
export function compareRoles(scheme: RoleScheme, a: Role, b: Role): number {
  return scheme.roles.indexOf(requireRole(scheme, a)) - scheme.roles.indexOf(requireRole(scheme, b));
}

export interface RoleFacts {
  /** The user's explicit permission on the project, if any. */
  explicit?: Role | null;
  isLabMember: boolean;
  /** The project's base level; null when the scheme has none. */
  baseLevel: Role | null;
}

/**
 * An explicit permission if the user has one (even one below the base level, `none` included), else the
 * base level if the user is a lab member, else no role (null).
 */
export function effectiveRole(scheme: RoleScheme, facts: RoleFacts): Role | null {
  if (facts.explicit != null) return requireRole(scheme, facts.explicit);
  if (facts.isLabMember && scheme.hasBaseLevel && facts.baseLevel !== null) return requireRole(scheme, facts.baseLevel);
  return null;
}

/** Capabilities one role has and the other lacks, both ways. */
export function capabilityDifference(
  scheme: RoleScheme,
  before: Role | null,
  after: Role | null,
): { gained: Capability[]; lost: Capability[] } {
  const had = capabilitiesOf(scheme, before);
  const has = capabilitiesOf(scheme, after);
  return { gained: has.filter((c) => !had.includes(c)), lost: had.filter((c) => !has.includes(c)) };
}
