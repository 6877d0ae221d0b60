import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Principal } from '@cairn/auth';
import { POSITION_HEADER } from '@cairn/http';
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
    return from(this.sighted(principal)).pipe(
      mergeMap((accepted) => {
        // So the caller's next reads, anywhere, wait until the role they were just given is known there.
        if (accepted !== undefined) context.switchToHttp().getResponse<ServerResponse>().setHeader(POSITION_HEADER, String(accepted));
        return next.handle();
      }),
    );
  }

  /** The position of the invitations this sighting accepted, if it accepted any. */
  private async sighted(principal: Principal): Promise<number | undefined> {
    const firstSight = !this.directory.hasRecorded(principal);
    const entry = await this.directory.recordSighting(principal);
    return firstSight ? this.invitations.signedIn(entry) : undefined;
  }
}
