import type { AuthorizationProjection, Authorizer, RoleSource } from '@cairn/auth';
import { CAPABILITIES, type Capability, type LabDirectory, type Role } from '@cairn/contracts';
import type { FreshnessGate } from '@cairn/event-store';

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
 * read what, for the visibility rule and the project page. A command asks it only once it is fresh
 * (`FreshState.of(access)`): it has everything the store held when the command arrived.
 */
export class AccessView implements FreshnessGate {
  constructor(
    private readonly projection: AuthorizationProjection,
    private readonly authorizer: Authorizer,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  waitForHead(timeoutMs: number): Promise<boolean> {
    return this.projection.waitForHead(timeoutMs);
  }

  /**
   * Refuses with 404 (unknown project) or 403 unless the user has `capability` on the project, once the
   * model has passed `minPosition` (a project created a moment ago is waited for within the same bound).
   */
  require(projectId: string, userId: string, capability: Capability, minPosition?: number, unseen?: () => Error): Promise<void> {
    return this.authorizer.requireConsistent(projectId, userId, capability, minPosition, unseen);
  }

  /** The position from which the project's access is known (`Authorizer.positionKnowing`). */
  positionKnowing(projectId: string): Promise<number | undefined> {
    return this.authorizer.positionKnowing(projectId);
  }

  /** For a read: waits until the model has caught up since start; 503 otherwise. */
  /** Calls `onLost` once the user no longer has `capability` on the project, as the revoking event arrives; returns the function that stops watching. */
  whenLost(projectId: string, userId: string, capability: Capability, onLost: () => void): () => void {
    return this.authorizer.whenLost(projectId, userId, capability, onLost);
  }

  settle(): Promise<void> {
    return this.authorizer.settle();
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

  /** The members of the project's lab the markdown body mentions, as job comments resolve them. */
  mentionableIn(projectId: string, body: string): LabDirectory {
    return this.projection.model.mentionableIn(projectId, body);
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
