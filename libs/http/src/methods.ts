import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

const DOCUMENTED_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface KnownPath {
  pattern: RegExp;
  allow: readonly string[];
}

/**
 * A method the document does not declare on a path it does declare answers 405 with `Allow` (RFC 9110
 * §15.5.6), not the 404 of an unknown path. HEAD follows GET, as Express answers it; OPTIONS passes on.
 */
export function refuseUndeclaredMethods(document: OpenAPIObject): (request: Request, response: Response, next: NextFunction) => void {
  const known: KnownPath[] = Object.entries(document.paths).map(([path, item]) => {
    const allow = DOCUMENTED_METHODS.filter((method) => item[method]).map((method) => method.toUpperCase());
    if (allow.includes('GET')) allow.push('HEAD');
    const segments = path.split(/\{[^}]+\}/).map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return { pattern: new RegExp(`^${segments.join('[^/]+')}/?$`), allow };
  });
  return (request, response, next) => {
    if (request.method === 'OPTIONS') return next();
    // A literal path (`/api/jobs/search`) may also match a templated one (`/api/jobs/{id}`): either's methods are allowed.
    const allow = [...new Set(known.filter((candidate) => candidate.pattern.test(request.path)).flatMap((candidate) => candidate.allow))];
    if (allow.length === 0 || allow.includes(request.method)) return next();
    response
      .status(405)
      .setHeader('Allow', allow.join(', '))
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem(405, `${request.method} is not a method of ${request.path}; it allows ${allow.join(', ')}.`)));
  };
}
