/**
 * A refusal by the domain. Deciders throw these; the HTTP layer maps `kind` to a status
 * (invalid 400, forbidden 403, not-found 404, conflict 409) and `rule` names the rule that refused,
 * so a client (and an auditor) can tell which sentence of the guides was enforced.
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, kebab-case rule id, e.g. `facility.single-owner`. */
    readonly rule: string,
    message: string,
    /** Extra fields for the problem document (e.g. `{ widening: [...] }`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (rule: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('invalid', rule, message, details);
export const forbidden = (rule: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', rule, message, details);
export const notFound = (rule: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('not-found', rule, message, details);
export const conflict = (rule: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', rule, message, details);

/** A refusal of one input field, shaped for the problem document's `errors: [{ field, message }]`. */
export function invalidField(rule: string, field: string, message: string): DomainError {
  return invalid(rule, `${field}: ${message}`, { errors: [{ field, message }] });
}

/**
 * A command decided on a version of something (a logbook entry) that someone has changed since.
 * `expectedVersion` is the one the caller named; the details name `currentVersion`. The HTTP layer
 * answers 412 when the caller named it in `If-Match`, 409 when in the body, as for a stream's version.
 */
export class StaleVersionError extends DomainError {
  constructor(
    rule: string,
    message: string,
    readonly expectedVersion: number,
    currentVersion: number,
    details?: Record<string, unknown>,
  ) {
    super('conflict', rule, message, { ...details, currentVersion });
  }
}
