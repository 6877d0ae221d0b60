import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Principal } from '@cairn/auth';
import { from, mergeMap, type Observable } from 'rxjs';
import { InvitationsAtSignIn } from '../application/invitations-at-sign-in';
import { UserDirectory } from '../application/user-directory';

/**
 * Records every authenticated caller in the directory on first sight, so others can find and add them,
 * and accepts the invitations waiting for their verified e-mail before their request is answered.
 */
@Injectable()
export class DirectorySightingInterceptor implements NestInterceptor {
  constructor(
    private readonly directory: UserDirectory,
    private readonly invitations: InvitationsAtSignIn,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    return from(this.sighted(principal)).pipe(mergeMap(() => next.handle()));
  }

  private async sighted(principal: Principal): Promise<void> {
    const firstSight = !this.directory.hasRecorded(principal);
    const entry = await this.directory.recordSighting(principal);
    if (firstSight) await this.invitations.signedIn(entry);
  }
}
