import { applyDecorators, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { invalid, type Capability } from '@cairn/contracts';
import { AuthenticationError } from '../jwt/errors';
import type { Principal } from '../jwt/token-verifier';
import { Authorizer } from './authorizer';

/**
 * `MIN_POSITION_HEADER` of `@cairn/http`, lower-cased as Node gives headers; not imported from there
 * because `@cairn/http` depends on this library.
 */
const MIN_POSITION_HEADER = 'cairn-min-position';
const REQUIREMENT = 'cairn:requires';
const RUNNER_ACCESS = 'cairn:runner-access';

interface Requirement {
  capability: Capability;
  projectParam: string;
}

export interface RequiresOptions {
  /** The route parameter holding the project id; `id` when absent. */
  projectParam?: string;
}

/**
 * The route needs `capability` on the project named by a route parameter:
 * `@Requires('jobs.run')` on `POST /projects/:id/jobs`. Runs after the bearer guard (global guards run
 * before route guards), so the caller is known. On a command it decides on fresh access (see
 * `Authorizer.fresh`).
 */
export function Requires(capability: Capability, options: RequiresOptions = {}) {
  return applyDecorators(
    SetMetadata(REQUIREMENT, { capability, projectParam: options.projectParam ?? 'id' } satisfies Requirement),
    UseGuards(CapabilityGuard),
  );
}

/**
 * A route a runner token may call: its handler lets a runner reach only what a job it holds needs (the
 * job's inputs, its output folder). Every other route refuses runner tokens (the bearer guard of
 * `@cairn/http`), and on a marked route `@Requires` leaves a runner to the handler.
 */
export const RunnerAccess = () => SetMetadata(RUNNER_ACCESS, true);

export function allowsRunners(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(RUNNER_ACCESS, [context.getHandler(), context.getClass()]) === true;
}

@Injectable()
export class CapabilityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authorizer: Authorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIREMENT, [context.getHandler(), context.getClass()]);
    if (!requirement) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (!request.principal) throw new AuthenticationError('missing', 'This request needs a bearer token.');
    if (request.principal.isRunner && allowsRunners(this.reflector, context)) return true;
    const projectId = request.params[requirement.projectParam];
    if (typeof projectId !== 'string' || projectId === '') {
      throw new Error(`@Requires('${requirement.capability}') is on a route without the parameter :${requirement.projectParam}`);
    }
    const minPosition = minPositionOf(request);
    if (!READ_METHODS.has(request.method)) await this.authorizer.fresh();
    await this.authorizer.requireConsistent(projectId, request.principal.userId, requirement.capability, minPosition);
    return true;
  }
}

/**
 * Requests that change nothing (RFC 9110's safe methods). A read is authorized on the model as it is, or
 * as of its `Cairn-Min-Position`; every other request is a command and decides on fresh access.
 */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards run before interceptors, so the guard reads `Cairn-Min-Position` itself (the interceptor of
 * `@cairn/http` checks it again for the read models, at no cost once passed).
 */
function minPositionOf(request: Request): number | undefined {
  const raw = request.headers[MIN_POSITION_HEADER];
  if (raw === undefined) return undefined;
  const position = Number(raw);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw invalid('consistency.bad-position', 'Cairn-Min-Position must be a non-negative integer.', {
      errors: [{ field: 'Cairn-Min-Position', message: 'must be a non-negative integer' }],
    });
  }
  return position;
}
