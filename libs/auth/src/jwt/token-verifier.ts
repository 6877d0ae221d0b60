import { errors, type JWTPayload } from 'jose';
import { RUNNER_ID_PATTERN } from '@cairn/contracts';
import { AuthenticationError } from './errors';

/** The authenticated caller, as every service sees it. */
export interface Principal {
  /** `sub`: the stable user id. */
  userId: string;
  /** `preferred_username` */
  username: string;
  /** Only when the issuer says it verified the address (`email_verified: true`): an e-mail identifies a person only then. */
  email?: string;
  name?: string;
  /** The configured admin claim (`RightsClaims.admin`): may create labs and register job templates. */
  isFacilityAdmin: boolean;
  /**
   * The configured runner claim (`RightsClaims.runner`): a runner (the runner protocol's identity), its id the `sub`. It is no
   * person: it reaches only the routes marked `@RunnerAccess()`, and there only what its jobs need.
   */
  isRunner?: true;
}

export interface TokenVerifier {
  /** The principal of a valid bearer token (the token alone, without the `Bearer ` scheme); throws `AuthenticationError`. */
  verify(bearer: string): Promise<Principal>;
}

/** A claim and the value that grants a right: `groups` holding `cairn-admins`, or `cairn_admin` being `true`. */
export interface ClaimMatch {
  /** A claim name, or a dotted path into nested claims: `realm_access.roles`. */
  name: string;
  value: string;
}

/** Which claims of the trusted issuer make a facility admin and a runner; no right follows from a claim's name alone. */
export interface RightsClaims {
  admin: ClaimMatch;
  runner: ClaimMatch;
}

/** `name=value`, as the environment gives a `ClaimMatch` (`CAIRN_ADMIN_CLAIM=groups=cairn-admins`). */
export function parseClaimMatch(text: string, variable: string): ClaimMatch {
  const separator = text.indexOf('=');
  const name = text.slice(0, separator).trim();
  const value = text.slice(separator + 1).trim();
  if (separator < 0 || name === '' || value === '') throw new Error(`${variable} must be claim=value (e.g. groups=cairn-admins), not "${text}"`);
  return { name, value };
}

/** Whether the claim holds the value: equal to it as text (a string, number or boolean), or, when a list, among it. */
export function holdsClaim(payload: JWTPayload, { name, value }: ClaimMatch): boolean {
  const claim = name.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined), payload);
  const scalar = (item: unknown) => (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') && String(item) === value;
  return Array.isArray(claim) ? claim.some(scalar) : scalar(claim);
}

/** Tolerated clock difference between the token's issuer and this service. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Runs one jose verification and turns its outcome into a principal or an `AuthenticationError`.
 * Errors that say nothing about the token (a key set that cannot be fetched) pass through unchanged.
 */
export async function verifyBearer(bearer: string, verify: (token: string) => Promise<{ payload: JWTPayload }>, rights: RightsClaims): Promise<Principal> {
  const token = bearer.trim();
  if (token === '') throw new AuthenticationError('missing', 'A bearer token is needed.');
  let payload: JWTPayload;
  try {
    ({ payload } = await verify(token));
  } catch (error) {
    throw refusalFor(error) ?? error;
  }
  return principalOf(payload, rights);
}

function refusalFor(error: unknown): AuthenticationError | undefined {
  if (error instanceof errors.JWTExpired) return new AuthenticationError('expired', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new AuthenticationError('wrong-issuer', 'The token was issued by someone this service does not trust.');
      case 'aud':
        return new AuthenticationError('wrong-audience', 'The token is not meant for this service.');
      case 'nbf':
        return new AuthenticationError('not-yet-valid', 'The token is not valid yet.');
      default:
        return new AuthenticationError('invalid-claims', `The token's "${error.claim}" claim is missing or invalid.`);
    }
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return new AuthenticationError('bad-signature', 'The token is not signed by a key this service trusts.');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return new AuthenticationError('malformed', 'The bearer token is not a well-formed signed JWT.');
  }
  return undefined;
}

function principalOf(payload: JWTPayload, rights: RightsClaims): Principal {
  const { sub, preferred_username: username, email, email_verified: emailVerified, name } = payload;
  if (typeof sub !== 'string' || sub === '') {
    throw new AuthenticationError('invalid-claims', 'The token names no user ("sub").');
  }
  if (holdsClaim(payload, rights.runner)) return runnerOf(sub);
  if (typeof username !== 'string' || username === '') {
    throw new AuthenticationError('invalid-claims', 'The token carries no "preferred_username".');
  }
  return {
    userId: sub,
    username,
    ...(typeof email === 'string' && emailVerified === true ? { email } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    isFacilityAdmin: holdsClaim(payload, rights.admin),
  };
}

/** A runner token names the runner alone; its id becomes NATS subjects, so it is held to `RUNNER_ID_PATTERN`. */
function runnerOf(runnerId: string): Principal {
  if (!RUNNER_ID_PATTERN.test(runnerId)) {
    throw new AuthenticationError('invalid-claims', 'A runner id ("sub") may hold only letters, digits, \'_\' and \'-\', at most 64.');
  }
  return { userId: runnerId, username: runnerId, isFacilityAdmin: false, isRunner: true };
}
