import type { AuthorizationProjection, Authorizer, RoleSource } from '@cairn/auth';
import { CAPABILITIES, type Capability, type Role } from '@cairn/contracts';

export interface PersonWithAccess {
  userId: string;
  username?: string;
  displayName?: string;
  role: Role;
  via: Exclude<RoleSource, 'none'>;
}

/**
 * What the projects service asks of the authorization model (the access service's decisions, kept in
 * memory from `access.*` events): lab membership, a caller's capabilities on a project, and who can
 * read what, for the visibility rule and the project page.
 */
export class AccessView {
  constructor(
    private readonly projection: AuthorizationProjection,
    private readonly authorizer: Authorizer,
  ) {}

  /**
   * Refuses with 404 (unknown project) or 403 unless the user has `capability` on the project, once the
   * model has passed `minPosition` (a project created a moment ago is waited for within the same bound).
   */
  require(projectId: string, userId: string, capability: Capability, minPosition?: number): Promise<void> {
    return this.authorizer.requireConsistent(projectId, userId, capability, minPosition);
  }

  /** Waits until the model has caught up (and passed `minPosition`, when given); 503 otherwise. */
  settle(minPosition?: number): Promise<void> {
    return this.authorizer.settle(minPosition);
  }

  explain(projectId: string, userId: string): { role: Role | null; via: RoleSource } {
    return this.projection.model.explain(projectId, userId);
  }

  labOf(projectId: string): string | undefined {
    return this.projection.model.labOf(projectId);
  }

  isLabMember(lab: string, userId: string): boolean {
    return this.projection.model.isLabMember(lab, userId);
  }

  capabilitiesOf(projectId: string, userId: string): Capability[] {
    return CAPABILITIES.filter((capability) => this.projection.model.can(projectId, userId, capability));
  }

  can(projectId: string, userId: string, capability: Capability): boolean {
    return this.projection.model.can(projectId, userId, capability);
  }

  projectsReadableBy(userId: string): string[] {
    return this.projection.model.projectsReadableBy(userId);
  }

  labMembers(lab: string): string[] {
    return this.projection.model.labMembersOf(lab);
  }

  /** Everyone with a role on the project: explicit permissions first, then lab members through the base level. */
  peopleWithAccess(projectId: string): PersonWithAccess[] {
    const { model } = this.projection;
    return model.accessListOf(projectId).map((entry) => ({ ...entry, ...model.personOf(entry.userId) }));
  }

  /** Who holds `project.read`: those who see an experiment of this project. */
  readersOf(projectId: string): string[] {
    return this.peopleWithAccess(projectId)
      .filter(({ userId }) => this.can(projectId, userId, 'project.read'))
      .map(({ userId }) => userId);
  }
}
