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
import { AuthenticationError, type Principal, type TokenVerifier } from '@cairn/auth';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
const IS_PUBLIC = 'cairn:public';

/** Marks a route that needs no bearer token (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new AuthenticationError('missing', 'This request needs a bearer token (Authorization: Bearer <token>).');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthenticationError('malformed', 'The Authorization header must be "Bearer <token>".');
    request.principal = await this.verifier.verify(match[1]);
    return true;
  }
}

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new AuthenticationError('missing', 'This request needs a bearer token.');
  return principal;
});
