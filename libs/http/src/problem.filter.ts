import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthenticationError, KeySetUnavailableError } from '@cairn/auth';
import { DomainError, StaleVersionError, type DomainErrorKind } from '@cairn/contracts';
import { isStoreUnavailable, NotCaughtUpError, WrongExpectedVersionError } from '@cairn/event-store';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDocument } from './problem';
import { RateLimitedError } from './rate-limits';
import { etagOf, versionConflictProblem } from './versions';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = { invalid: 400, forbidden: 403, 'not-found': 404, conflict: 409 };

/** Turns every error into problem+json, so clients meet one error shape from every service. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const document = this.toProblem(error, http.getRequest<Request>());
    if (document.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
    if (document.status === 503 || document.status === 429) response.setHeader('Retry-After', String(document.retryAfterSeconds ?? 1));
    // A stale version's answer tags the version it is at, as a read of it would.
    if (typeof document.currentVersion === 'number') response.setHeader('ETag', etagOf(document.currentVersion));
    response.status(document.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
  }

  private toProblem(error: unknown, request: Request): ProblemDocument {
    if (error instanceof StaleVersionError || error instanceof WrongExpectedVersionError) return versionConflictProblem(error, request);
    if (error instanceof DomainError) {
      return problem(STATUS_OF_KIND[error.kind], error.message, { rule: error.rule, ...error.details });
    }
    if (error instanceof RateLimitedError) return error.problem();
    if (error instanceof AuthenticationError) return problem(401, error.message, { rule: `auth.${error.reason}` });
    if (error instanceof KeySetUnavailableError) {
      return problem(503, 'The identity provider\'s signing keys cannot be fetched right now; retry shortly.', {
        rule: 'auth.key-set-unavailable',
        retryAfterSeconds: 5,
      });
    }
    if (error instanceof NotCaughtUpError) return problem(503, error.message, { rule: 'consistency.not-yet', retryAfterSeconds: 1 });
    if (isStoreUnavailable(error)) {
      // A fault of the cluster, not of the request (a leader election, a server cut off): worth a line, not a stack.
      this.logger.warn(`the event store cannot answer: ${error instanceof Error ? error.message : String(error)}`);
      return problem(503, 'The event store cannot answer right now; retry shortly (with the same Idempotency-Key).', { rule: 'store.unavailable', retryAfterSeconds: 1 });
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'status' in body) return body as ProblemDocument;
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      return problem(status, Array.isArray(message) ? message.join('; ') : String(message));
    }
    this.logger.error(error instanceof Error ? error.stack : String(error));
    return problem(500, 'An unexpected error occurred; it has been logged.');
  }
}
