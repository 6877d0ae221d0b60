import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Principal } from '@cairn/auth';
import { from, mergeMap, type Observable } from 'rxjs';
import { UserDirectory } from '../application/user-directory';

/** Records every authenticated caller in the directory on first sight, so others can find and add them. */
@Injectable()
export class DirectorySightingInterceptor implements NestInterceptor {
  constructor(private readonly directory: UserDirectory) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    return from(this.directory.recordSighting(principal)).pipe(mergeMap(() => next.handle()));
  }
}
