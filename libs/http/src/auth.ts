import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { allowsRunners, AuthenticationError, type Principal, type TokenVerifier } from '@cairn/auth';
import { forbidden } from '@cairn/contracts';
import { RateLimitedError, type RequestBuckets } from './rate-limits';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
/** The `RequestBuckets` every authenticated request counts against, by its principal (`sub`). */
export const PRINCIPAL_RATE_LIMIT = Symbol('PRINCIPAL_RATE_LIMIT');
const IS_PUBLIC = 'cairn:public';

/** Marks a route that needs no bearer token (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Every HTTP route needs a valid bearer token unless marked @Public(); a runner's token reaches only
 * routes marked `@RunnerAccess()`. Each authenticated request counts against its principal's rate limit.
 * Message handlers (a hybrid app's NATS side) authenticate their own way.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    @Inject(PRINCIPAL_RATE_LIMIT) private readonly principalLimit: RequestBuckets,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new AuthenticationError('missing', 'This request needs a bearer token (Authorization: Bearer <token>).');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthenticationError('malformed', 'The Authorization header must be "Bearer <token>".');
    const principal = await this.verifier.verify(match[1]);
    if (principal.isRunner && !allowsRunners(this.reflector, context)) {
      throw forbidden('auth.runner-not-allowed', 'A runner token reaches only the inputs and the output folder of a job its runner holds.');
    }
    const retryAfterSeconds = this.principalLimit.take(principal.userId);
    if (retryAfterSeconds !== undefined) throw new RateLimitedError('principal', retryAfterSeconds);
    request.principal = principal;
    return true;
  }
}

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new AuthenticationError('missing', 'This request needs a bearer token.');
  return principal;
});
