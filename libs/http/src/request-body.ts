import { Injectable, UnsupportedMediaTypeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDocument } from './problem';

/** What the JSON parser reads; every endpoint takes these unless it declares others with `@ApiConsumes`. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** Deeper JSON than any of our bodies needs; past it, parsing and validating would only cost the server. */
export const MAX_JSON_DEPTH = 64;

/**
 * Keys through which a copy of the body reaches an object's prototype (`__proto__`) or its class's
 * (`constructor.prototype`), refused wherever they appear, as any field a DTO does not declare is.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A body refused before it reaches a controller; the error handler below answers its problem document. */
export class BodyRefusal extends Error {
  readonly status: number;

  constructor(readonly problem: ProblemDocument) {
    super(problem.detail);
    this.name = 'BodyRefusal';
    this.status = problem.status;
  }
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The body parser's `verify` step: counts brackets outside strings over the raw bytes, so a body nested
 * past the bound is refused before it is parsed (a megabyte of `[` is a million levels, and a second
 * of JSON.parse). UTF-8 never puts these ASCII bytes inside a multi-byte character.
 */
export function refuseDeepJson(_request: IncomingMessage, _response: unknown, body: Buffer, encoding: string): void {
  // RFC 8259 §8.1: JSON between systems is UTF-8; other encodings would hide brackets from this count.
  if (encoding.toLowerCase() !== 'utf-8') {
    throw new BodyRefusal(problem(415, 'A JSON body is encoded in UTF-8.', { rule: 'request.body.charset' }));
  }
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new BodyRefusal(
          problem(400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, { rule: 'request.body.too-deep', maxDepth: MAX_JSON_DEPTH }),
        );
      }
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
}

/** The path of the first reserved key in a parsed body (depth is bounded already), if any. */
function reservedKeyIn(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return childPath;
    const found = reservedKeyIn(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Runs after the JSON parser: a body naming `__proto__`, `constructor` or `prototype` anywhere is a 400 on that field. */
export function refuseReservedKeys(request: Request, _response: Response, next: NextFunction): void {
  const field = reservedKeyIn(request.body, '');
  if (field === undefined) return next();
  next(
    new BodyRefusal(
      problem(400, `${field} is not a field of this request.`, {
        rule: 'validation',
        errors: [{ field, message: 'is not a field of this request' }],
      }),
    ),
  );
}

/** A body the JSON parser refuses, or one refused above, is a problem like any other bad input, not an HTML page. */
export function bodyProblems(error: Error & { status?: number; type?: string }, _request: Request, response: Response, next: NextFunction): void {
  if (!error.status) return next(error);
  const document =
    error instanceof BodyRefusal ? error.problem
    : error.type === 'entity.parse.failed' ? problem(400, 'The request body is not valid JSON.', { rule: 'request.body' })
    : error.type === 'entity.too.large' ? problem(413, 'The request body is too large.', { rule: 'request.body' })
    : problem(error.status, error.message, { rule: 'request.body' });
  response.status(document.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
}

/** Whether the request carries a body at all (a zero length, or none declared and not chunked, is no body). */
function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/**
 * A body the endpoint cannot read is a 415, whoever sends it: without this, a JSON endpoint would take a
 * `text/plain` body (or one with no type) as no body at all, and run the command without its fields.
 * The accepted types are those the OpenAPI document states (`@ApiConsumes`, JSON when absent).
 */
@Injectable()
export class BodyMediaTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!hasBody(request)) return true;
    const accepted = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [context.getHandler(), context.getClass()]) ?? JSON_MEDIA_TYPES;
    if (request.is(accepted)) return true;
    const sent = request.headers['content-type'];
    throw new UnsupportedMediaTypeException(
      problem(415, `This endpoint takes a body of type ${accepted.join(' or ')}, not ${sent ? `"${sent}"` : 'one without a Content-Type'}.`, {
        rule: 'request.media-type',
        accepted,
      }),
    );
  }
}
