import {
  BadRequestException,
  createParamDecorator,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader, ApiPropertyOptional } from '@nestjs/swagger';
import { StaleVersionError } from '@cairn/contracts';
import type { WrongExpectedVersionError } from '@cairn/event-store';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_POSITION } from './pagination';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { problem, type ProblemDocument } from './problem';

/**
 * Versions of versioned things: of a stream (a project, a project's access: its last event's version),
 * or of one thing in a stream that counts its own (a logbook entry, which its decider refuses as a
 * `StaleVersionError`). A read serves it as a strong `ETag`; a command is made conditional on it by
 * `If-Match` (a stale one answers 412) or by `expectedVersion` in its body (409, RFC 9110 keeping 412
 * for the header's preconditions). Both answers carry `currentVersion`, and it as `ETag`.
 */

/**
 * What a read returns for its answer to carry the version it shows as `ETag`. A command's answer wraps
 * its `CommandResult` in one: the `ETag` is sent before the `Cairn-Position` interceptor unwraps that.
 */
export class Versioned<T> {
  constructor(
    readonly version: number,
    readonly body: T,
  ) {}
}

export const etagOf = (version: number) => `"${version}"`;

/** An entity tag as sent (`"3"`), or the bare version docs/api.md writes (`3`). */
const VERSION_TAG = /^(?:"(\d{1,15})"|(\d{1,15}))$/;

/** What `readIfMatch` accepts, in the document's terms: `*` or one version tag, blanks around it. */
const IF_MATCH_PATTERN = `^[ \\t]*(?:\\*|${VERSION_TAG.source.slice(1, -1)})[ \\t]*$`;

/** Documents the optional `If-Match` an `@IfMatch()` reads, with exactly the values it accepts. */
export const ApiIfMatch = (description: string): MethodDecorator => ApiHeader({ name: 'If-Match', required: false, description, schema: { type: 'string', pattern: IF_MATCH_PATTERN } });

/** The version an `If-Match` names (none for `*`: any version), or why it is not understood. */
function readIfMatch(raw: string | string[] | undefined): { version?: number } | { refusal: string } {
  if (raw === undefined) return {};
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  // `*`: the thing must exist, which the command checks anyway.
  if (value === '*') return {};
  if (value.includes(',')) return { refusal: 'names one version, e.g. "3"' };
  const match = VERSION_TAG.exec(value);
  if (!match) return { refusal: `must be a version this API sent as ETag, e.g. "3" (got ${JSON.stringify(value)})` };
  return { version: Number(match[1] ?? match[2]) };
}

/** The request's `If-Match` version; 400 for a tag this API never sends. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const read = readIfMatch(context.switchToHttp().getRequest<Request>().headers['if-match']);
  if ('refusal' in read) {
    throw new BadRequestException(
      problem(400, `If-Match ${read.refusal}.`, { rule: 'precondition.bad-if-match', errors: [{ field: 'If-Match', message: read.refusal }] }),
    );
  }
  return read.version;
});

/** The body of a command on a versioned thing: the version it was decided on, as `If-Match` names it in the header. */
export class ExpectedVersionDto {
  @ApiPropertyOptional({
    description: 'The version (the ETag of its page) this change was decided on: 409 with currentVersion when it has changed since. If-Match does the same with 412.',
    example: 3,
    type: 'integer',
    minimum: 0,
    maximum: MAX_POSITION,
  })
  // Absent means unconditional; null is refused like any value that is not a version.
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  expectedVersion?: number;
}

/** The one version a command is conditional on: `If-Match`, or its body's `expectedVersion`; both only when they agree. */
export function expectedVersionOf(ifMatch: number | undefined, body: { expectedVersion?: number }): number | undefined {
  const { expectedVersion } = body;
  if (ifMatch !== undefined && expectedVersion !== undefined && ifMatch !== expectedVersion) {
    const message = `is ${expectedVersion} but If-Match names ${ifMatch}; send one of them`;
    throw new BadRequestException(problem(400, `expectedVersion ${message}.`, { rule: 'validation', errors: [{ field: 'expectedVersion', message }] }));
  }
  return ifMatch ?? expectedVersion;
}

/**
 * A command that met another version than it expected: 412 when the request's `If-Match` named the
 * version expected, else 409 (a body's `expectedVersion`, or concurrent writers the command lost to).
 * A domain's refusal keeps its rule and message; a stream's is told in the store's terms.
 */
export function versionConflictProblem(error: WrongExpectedVersionError | StaleVersionError, request: Request): ProblemDocument {
  const read = readIfMatch(request.headers['if-match']);
  const expected = error instanceof StaleVersionError ? error.expectedVersion : error.expected;
  const failedPrecondition = 'version' in read && read.version === expected;
  if (error instanceof StaleVersionError) return problem(failedPrecondition ? 412 : 409, error.message, { rule: error.rule, ...error.details });
  const currentVersion = error.actual === 'no-stream' ? null : error.actual;
  if (failedPrecondition) {
    return problem(412, `If-Match names version ${expected}, but this is at version ${String(currentVersion)} now; read it again.`, {
      rule: 'precondition.stale-version',
      currentVersion,
    });
  }
  return problem(409, `This changed while the command was decided (it is at version ${String(currentVersion)} now); read it again.`, {
    rule: 'concurrency.stale-version',
    currentVersion,
  });
}

/**
 * Sends a `Versioned` answer's version as a strong `ETag`. Such a page also shows what other streams
 * say (lab members, activity) under the same version, so `If-None-Match` is not evaluated on it: a 304
 * would hide those changes.
 */
@Injectable()
export class VersionHeaderInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value) => {
        if (!(value instanceof Versioned)) return value;
        const http = context.switchToHttp();
        delete http.getRequest<Request>().headers['if-none-match'];
        http.getResponse<Response>().setHeader('ETag', etagOf(value.version));
        return value.body;
      }),
    );
  }
}
