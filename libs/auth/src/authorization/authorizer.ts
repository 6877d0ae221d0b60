import { Inject, Injectable } from '@nestjs/common';
import { forbidden, notFound, type Capability } from '@cairn/contracts';
import { FreshState, NotCaughtUpError } from '@cairn/event-store';
import type { AccessModel, RoleExplanation } from './access-model';
import type { AuthorizationProjection } from './authorization-projection';

export const AUTHORIZATION_PROJECTION = Symbol('AUTHORIZATION_PROJECTION');
export const AUTHORIZATION_OPTIONS = Symbol('AUTHORIZATION_OPTIONS');

export interface AuthorizationOptions {
  /** How long a request waits for the projection (start-up catch-up, `Cairn-Min-Position`); as in `@cairn/http`, 2 s. */
  waitTimeoutMs: number;
}

/**
 * Authorization checks for handlers, over the service's authorization projection: what `@Requires`
 * does for a route's project, and the same for a project found otherwise (the project of a job, of a
 * comment thread). Refusals are DomainErrors, which the shared problem filter answers with 404/403.
 */
@Injectable()
export class Authorizer {
  private readonly freshState: FreshState;

  constructor(
    @Inject(AUTHORIZATION_PROJECTION) private readonly projection: AuthorizationProjection,
    @Inject(AUTHORIZATION_OPTIONS) private readonly options: AuthorizationOptions,
  ) {
    this.freshState = new FreshState(options.waitTimeoutMs);
  }

  get model(): AccessModel {
    return this.projection.model;
  }

  can(projectId: string, userId: string, capability: Capability): boolean {
    return this.projection.model.can(projectId, userId, capability);
  }

  explain(projectId: string, userId: string): RoleExplanation {
    return this.projection.model.explain(projectId, userId);
  }

  projectsReadableBy(userId: string): string[] {
    return this.projection.model.projectsReadableBy(userId);
  }

  /**
   * Refuses unless the user has `capability` on the project: 403 `capability.<name>` when they can see
   * the project, else exactly as if it did not exist, `unseen()` (a route's own not-found for the thing
   * it looked up, a job, a comment) or 404 `project.unknown`. Project ids can be guessed (uuidv5 of
   * `lab/slug`): a hidden project must not be told apart from a missing one.
   */
  require(projectId: string, userId: string, capability: Capability, unseen: () => Error = () => unknownProject(projectId)): void {
    const { model } = this.projection;
    if (model.can(projectId, userId, capability)) return;
    if (!model.knowsProject(projectId) || !model.can(projectId, userId, 'project.read')) throw unseen();
    const { role, via } = model.explain(projectId, userId);
    const needed = model.rolesWith(projectId, capability);
    const holder = role === null ? 'You have no role on this project' : `Your role on this project is ${role} (${via === 'explicit' ? 'an explicit permission' : 'the base level, as a member of its lab'})`;
    throw forbidden(
      `capability.${capability}`,
      `${holder}; ${capability} needs the role ${needed.join(' or ')}.`,
      { projectId, capability, role, via, rolesWithCapability: needed },
    );
  }

  /** Calls `onLost` once the user no longer has `capability` on the project, as the revoking event arrives; returns the function that stops watching. */
  whenLost(projectId: string, userId: string, capability: Capability, onLost: () => void): () => void {
    return this.projection.watch((model) => model.can(projectId, userId, capability), onLost);
  }

  /**
   * Calls `onChange` each time the set of projects the user may read changes (a grant, a revocation, a
   * lab membership), as its event arrives; returns the function that stops watching. A live list over
   * every project the user sees reads itself again then, so a project lost takes its items with it.
   */
  whenReadableChanges(userId: string, onChange: () => void): () => void {
    let stop: (() => void) | undefined;
    const watchFrom = (readable: string) => {
      stop = this.projection.watch(
        (model) => model.projectsReadableBy(userId).join() === readable,
        () => {
          watchFrom(this.projection.model.projectsReadableBy(userId).join());
          onChange();
        },
      );
    };
    watchFrom(this.projection.model.projectsReadableBy(userId).join());
    return () => stop?.();
  }

  /**
   * Waits until the projection can answer: it has caught up since start and, when `minPosition` is
   * given (`Cairn-Min-Position`), it has passed that position. Refuses with 503 when it does not in time.
   */
  async settle(minPosition?: number): Promise<void> {
    // Position 0 waits for the start-up catch-up alone.
    if (await this.projection.waitFor(minPosition ?? 0, this.options.waitTimeoutMs)) return;
    throw new NotCaughtUpError(`Authorization has not reached position ${minPosition ?? 0} yet; retry shortly.`);
  }

  /**
   * For a command, before anything is decided on the model: waits until it has applied everything the
   * event store held when the command arrived, so that a grant or a revocation made a moment ago
   * anywhere binds this decision. Refuses with 503 when it does not in time.
   */
  fresh(): Promise<void> {
    return this.freshState.of(this.projection);
  }

  /**
   * For a create answered before its creator's access exists: the projects service answers
   * `projects.project.created.v1`, and the access service initializes the project's access (the creator
   * becomes owner) only after it. Waits, within the same bound, until the model knows the project, and
   * gives the position it has applied then: a read sent with that `Cairn-Min-Position` (a list of my
   * projects) sees the creator's role. Undefined when the access did not arrive in time.
   */
  async positionKnowing(projectId: string): Promise<number | undefined> {
    if (!(await this.projection.waitUntil((model) => model.knowsProject(projectId), this.options.waitTimeoutMs))) return undefined;
    return this.projection.model.position;
  }

  /**
   * `require`, once settled. A project still unknown then is waited for as well when the request
   * carries `Cairn-Min-Position` (within the same bound): the projects service answers a creation with
   * the position of `projects.project.created.v1`, and the access service initializes the project's
   * access only after it, so the creator's first read may arrive before the project's access does.
   */
  async requireConsistent(projectId: string, userId: string, capability: Capability, minPosition?: number, unseen?: () => Error): Promise<void> {
    const deadline = Date.now() + this.options.waitTimeoutMs;
    await this.settle(minPosition);
    if (minPosition !== undefined && !this.projection.model.knowsProject(projectId)) {
      await this.projection.waitUntil((model) => model.knowsProject(projectId), deadline - Date.now());
    }
    this.require(projectId, userId, capability, unseen);
  }
}

function unknownProject(projectId: string) {
  return notFound('project.unknown', `There is no project ${projectId}, or it is not known here yet.`, { projectId });
}
