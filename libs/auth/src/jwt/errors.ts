/** Why a bearer token was refused. The HTTP layer answers 401 with `rule: auth.<reason>`. */
export type AuthenticationFailureReason =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'invalid-claims';

export class AuthenticationError extends Error {
  constructor(
    readonly reason: AuthenticationFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/**
 * The identity provider's key set could not be fetched: the caller's token may be fine, so this is not
 * an authentication failure (and must not become a 401).
 */
export class KeySetUnavailableError extends Error {
  constructor(
    readonly jwksUrl: string,
    cause: unknown,
  ) {
    super(`the identity provider's keys (${jwksUrl}) could not be fetched: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'KeySetUnavailableError';
  }
}
