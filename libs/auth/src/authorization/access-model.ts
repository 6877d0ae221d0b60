import {
  accessEvents,
  mentionedNames,
  roleSchemes,
  schemeByName,
  type AccessEvent,
  type CairnEvent,
  type Capability,
  type LabDirectory,
  type Mention,
  type ProjectAccessInitializedData,
  type Role,
  type RoleScheme,
  type SchemeRegistry,
} from '@cairn/contracts';

/**
 * Who may do what on which project, in memory, built from the `access.*` events alone. Every service
 * keeps one (docs/architecture.md §4) and asks it on each request, so `can()` is the hot path: two Map lookups and
 * a Set lookup on a capability set precomputed once per (scheme, role).
 *
 * The effective role follows the access service's deciders: an explicit permission if the user has one
 * (even one below the base level, `none` included, and also outside the lab), else the project's base
 * level if the user is a member of its lab, else no role.
 */

export type RoleSource = 'explicit' | 'base-level' | 'none';

export interface RoleExplanation {
  /** Null: no role at all. */
  role: Role | null;
  via: RoleSource;
}

/** A role with its capabilities as a Set, shared by every grant of that role in that scheme. */
interface RoleCapabilities {
  readonly role: Role;
  readonly capabilities: ReadonlySet<Capability>;
}

interface ProjectEntry {
  readonly lab: string;
  readonly scheme: RoleScheme;
  readonly roles: ReadonlyMap<Role, RoleCapabilities>;
  /** Null when the scheme has no base level. */
  baseLevel: RoleCapabilities | null;
  /** By user id. */
  readonly explicit: Map<string, RoleCapabilities>;
  /** The lab's member set itself (shared with `labMembers`), so membership changes need no fan-out. */
  readonly labMembers: ReadonlySet<string>;
}

const ACCESS_EVENT_TYPES: ReadonlySet<string> = new Set(accessEvents.map((definition) => definition.type));
type ProjectEvent<TData extends { projectId: string } = { projectId: string }> = CairnEvent<string, TData>;

const roleTables = new WeakMap<RoleScheme, ReadonlyMap<Role, RoleCapabilities>>();

function rolesOf(scheme: RoleScheme): ReadonlyMap<Role, RoleCapabilities> {
  let table = roleTables.get(scheme);
  if (!table) {
    table = new Map(scheme.roles.map((role) => [role, { role, capabilities: new Set(scheme.capabilities[role]) }]));
    roleTables.set(scheme, table);
  }
  return table;
}

function isAccessEvent(event: CairnEvent): event is CairnEvent & AccessEvent {
  return ACCESS_EVENT_TYPES.has(event.type);
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const values = index.get(key);
  if (values) values.add(value);
  else index.set(key, new Set([value]));
}

export class AccessModel {
  private readonly projects = new Map<string, ProjectEntry>();
  private readonly labMembers = new Map<string, Set<string>>();
  /** How people are named, from the lab directory events: pages show names, not ids. */
  private readonly people = new Map<string, { username: string; displayName: string }>();
  /** Lower-cased username → user id, the other way round: filters that name a person by username. */
  private readonly userIdsByUsername = new Map<string, string>();
  /** The indexes behind `projectsWhere`: what a user can reach without scanning every project. */
  private readonly labsOfUser = new Map<string, Set<string>>();
  private readonly projectsOfLab = new Map<string, Set<string>>();
  private readonly explicitProjectsOfUser = new Map<string, Set<string>>();
  private readonly ids = new Map<string, string>();
  private applied = 0;

  constructor(private readonly schemes: SchemeRegistry = roleSchemes) {}

  /** Position of the last event applied (0 before any). */
  get position(): number {
    return this.applied;
  }

  /**
   * Folds one event in. Events at or below `position` were applied already (a redelivery or a replay
   * overlapping a live subscription) and are ignored: returns false for them, true otherwise. Events of
   * other contexts only move the position.
   */
  apply(event: CairnEvent): boolean {
    if (event.position <= this.applied) return false;
    if (isAccessEvent(event)) this.fold(event);
    this.applied = event.position;
    return true;
  }

  can(projectId: string, userId: string, capability: Capability): boolean {
    const project = this.projects.get(projectId);
    if (project === undefined) return false;
    const grant = project.explicit.get(userId);
    if (grant !== undefined) return grant.capabilities.has(capability);
    return project.baseLevel !== null && project.labMembers.has(userId) && project.baseLevel.capabilities.has(capability);
  }

  roleOf(projectId: string, userId: string): Role | null {
    return this.explain(projectId, userId).role;
  }

  /** The user's role and where it comes from; no role on a project this model does not know. */
  explain(projectId: string, userId: string): RoleExplanation {
    const project = this.projects.get(projectId);
    const grant = project?.explicit.get(userId);
    if (grant) return { role: grant.role, via: 'explicit' };
    if (project?.baseLevel && project.labMembers.has(userId)) return { role: project.baseLevel.role, via: 'base-level' };
    return { role: null, via: 'none' };
  }

  /** Ids of the projects the user may read, sorted: the filter of every project-scoped list. */
  projectsReadableBy(userId: string): string[] {
    return this.projectsWhere(userId, 'project.read');
  }

  /** Ids of the projects where the user has `capability`, sorted; costs what the user is involved in, not all projects. */
  projectsWhere(userId: string, capability: Capability): string[] {
    const found = new Set<string>();
    for (const projectId of this.explicitProjectsOfUser.get(userId) ?? []) {
      if (this.can(projectId, userId, capability)) found.add(projectId);
    }
    for (const lab of this.labsOfUser.get(userId) ?? []) {
      for (const projectId of this.projectsOfLab.get(lab) ?? []) {
        if (this.can(projectId, userId, capability)) found.add(projectId);
      }
    }
    return [...found].sort();
  }

  isLabMember(lab: string, userId: string): boolean {
    return this.labMembers.get(lab)?.has(userId) ?? false;
  }

  labOf(projectId: string): string | undefined {
    return this.projects.get(projectId)?.lab;
  }

  schemeOf(projectId: string): RoleScheme | undefined {
    return this.projects.get(projectId)?.scheme;
  }

  knowsProject(projectId: string): boolean {
    return this.projects.has(projectId);
  }

  /** The lab's members by user id, sorted: the audience of an experiment in no project. */
  labMembersOf(lab: string): string[] {
    return [...(this.labMembers.get(lab) ?? [])].sort();
  }

  /**
   * Everyone with a role that lets them do anything on the project, as the users page lists them:
   * explicit permissions first, then lab members who have access only through the base level; each
   * group sorted by user id. An explicit permission or base level without capabilities (lab `none`) is
   * no access and is left out.
   */
  accessListOf(projectId: string): { userId: string; role: Role; via: Exclude<RoleSource, 'none'> }[] {
    const project = this.projects.get(projectId);
    if (!project) return [];
    const explicit = [...project.explicit]
      .filter(([, grant]) => grant.capabilities.size > 0)
      .map(([userId, grant]) => ({ userId, role: grant.role, via: 'explicit' as const }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
    const base = project.baseLevel;
    const viaBaseLevel =
      base === null || base.capabilities.size === 0
        ? []
        : [...project.labMembers]
            .filter((userId) => !project.explicit.has(userId))
            .sort()
            .map((userId) => ({ userId, role: base.role, via: 'base-level' as const }));
    return [...explicit, ...viaBaseLevel];
  }

  /** A person's username and display name, as a lab directory last recorded them. */
  personOf(userId: string): { username: string; displayName: string } | undefined {
    return this.people.get(userId);
  }

  /**
   * The members of the project's lab whose usernames the markdown body mentions (lower-cased username →
   * person): the directory job comments and stack annotations resolve their `@mentions` against.
   */
  mentionableIn(projectId: string, body: string): LabDirectory {
    const names = new Set(mentionedNames(body));
    const lab = this.labOf(projectId);
    if (names.size === 0 || lab === undefined) return new Map();
    const directory = new Map<string, Mention>();
    for (const userId of this.labMembersOf(lab)) {
      const username = this.personOf(userId)?.username;
      if (username !== undefined && names.has(username.toLowerCase())) directory.set(username.toLowerCase(), { userId, username });
    }
    return directory;
  }

  /** The user id of a username a lab directory recorded (case-insensitive). */
  userIdOf(username: string): string | undefined {
    return this.userIdsByUsername.get(username.toLowerCase());
  }

  /** The roles of the project's scheme that carry `capability`, lowest first. */
  rolesWith(projectId: string, capability: Capability): Role[] {
    const project = this.projects.get(projectId);
    if (!project) return [];
    return [...project.roles.values()].filter((entry) => entry.capabilities.has(capability)).map((entry) => entry.role);
  }

  private fold(event: CairnEvent & AccessEvent): void {
    switch (event.type) {
      case 'access.lab.created.v1':
        this.membersOf(event.data.lab);
        return;
      case 'access.lab.member-added.v1': {
        const userId = this.canonical(event.data.userId);
        this.people.set(userId, { username: event.data.username, displayName: event.data.displayName });
        this.userIdsByUsername.set(event.data.username.toLowerCase(), userId);
        this.membersOf(event.data.lab).add(userId);
        addTo(this.labsOfUser, userId, this.canonical(event.data.lab));
        return;
      }
      case 'access.lab.member-removed.v1':
        this.membersOf(event.data.lab).delete(event.data.userId);
        this.labsOfUser.get(event.data.userId)?.delete(event.data.lab);
        return;
      case 'access.project.initialized.v1':
        this.initialize(event);
        return;
      case 'access.role.granted.v1':
      case 'access.role.changed.v1':
        this.setExplicit(event, event.data.user, event.data.after);
        return;
      case 'access.role.revoked.v1':
        this.projectOf(event).explicit.delete(event.data.user);
        this.explicitProjectsOfUser.get(event.data.user)?.delete(event.data.projectId);
        return;
      case 'access.base-level.changed.v1': {
        const project = this.projectOf(event);
        project.baseLevel = this.roleIn(project, event.data.after, event);
        return;
      }
      case 'access.ownership.transferred.v1': {
        const project = this.projectOf(event);
        this.setExplicit(event, event.data.newOwner, project.scheme.ownerRole);
        this.setExplicit(event, event.data.previousOwner, event.data.previousOwnerAfter);
        return;
      }
    }
  }

  private initialize(event: ProjectEvent<ProjectAccessInitializedData>): void {
    const { data } = event;
    // The access decider initializes a project once; a second initialization is not a change of it.
    if (this.projects.has(data.projectId)) return;
    const scheme = schemeByName(data.scheme, this.schemes);
    const roles = rolesOf(scheme);
    const project: ProjectEntry = {
      lab: this.canonical(data.lab),
      scheme,
      roles,
      baseLevel: null,
      explicit: new Map(),
      labMembers: this.membersOf(data.lab),
    };
    if (scheme.hasBaseLevel && data.baseLevel !== null) project.baseLevel = this.roleIn(project, data.baseLevel, event);
    const projectId = this.canonical(data.projectId);
    this.projects.set(projectId, project);
    addTo(this.projectsOfLab, this.canonical(data.lab), projectId);
    this.setExplicit(event, data.user, data.after);
  }

  private setExplicit(event: ProjectEvent, userId: string, role: Role): void {
    const project = this.projectOf(event);
    const user = this.canonical(userId);
    project.explicit.set(user, this.roleIn(project, role, event));
    addTo(this.explicitProjectsOfUser, user, this.canonical(event.data.projectId));
  }

  private roleIn(project: ProjectEntry, role: Role, event: CairnEvent): RoleCapabilities {
    const entry = project.roles.get(role);
    if (!entry) {
      throw new Error(`${event.type} at position ${event.position} names role "${role}", unknown to the ${project.scheme.name} scheme`);
    }
    return entry;
  }

  private projectOf(event: ProjectEvent): ProjectEntry {
    const project = this.projects.get(event.data.projectId);
    if (!project) {
      throw new Error(
        `${event.type} at position ${event.position} for project ${event.data.projectId} before access.project.initialized.v1: the stream is corrupt`,
      );
    }
    return project;
  }

  /** A lab's member set, created on first mention so projects and labs may arrive in any order. */
  private membersOf(lab: string): Set<string> {
    let members = this.labMembers.get(lab);
    if (!members) {
      members = new Set();
      this.labMembers.set(this.canonical(lab), members);
    }
    return members;
  }

  /**
   * One string object per id, however many events named it: each decoded event brings its own copies,
   * and keys that are one object each take less memory and keep the hot maps' keys in fewer cache lines.
   */
  private canonical(id: string): string {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    this.ids.set(id, id);
    return id;
  }
}
