import { jwtVerify, SignJWT } from 'jose';
import { CLOCK_TOLERANCE_SECONDS, Principal, RightsClaims, TokenVerifier, verifyBearer } from './token-verifier';

/**
 * The secret `npm start` signs and verifies dev tokens with when `CAIRN_DEV_JWT_SECRET` is unset. It is
 * public (it is in the source): for a developer's own machine only, never for a shared or production
 * deployment, where anyone could mint an admin token with it.
 */
export const LOCAL_DEV_JWT_SECRET = 'cairn-local-development-only-secret-never-use-in-production';

export const DEV_TOKEN_ISSUER = 'cairn-dev';
export const DEV_TOKEN_AUDIENCE = 'cairn';
export const MIN_DEV_SECRET_LENGTH = 32;
const DEV_ALGORITHM = 'HS256';
/** The rights claims of the dev issuer, which `signDevToken` sets; an identity provider's are configured (`CAIRN_ADMIN_CLAIM`, `CAIRN_RUNNER_CLAIM`). */
export const DEV_RIGHTS_CLAIMS: RightsClaims = { admin: { name: 'cairn_admin', value: 'true' }, runner: { name: 'cairn_runner', value: 'true' } };

/** Refuses a missing or guessable HS256 secret. */
export function assertDevSecret(secret: string | undefined, name = 'the dev JWT secret'): asserts secret is string {
  if (!secret) throw new Error(`${name} is not set`);
  if (secret.length < MIN_DEV_SECRET_LENGTH) {
    throw new Error(`${name} must be at least ${MIN_DEV_SECRET_LENGTH} characters long (it has ${secret.length})`);
  }
}

export interface DevTokenVerifierOptions {
  secret: string;
  issuer?: string;
  audience?: string;
}

/** Local mode (`CAIRN_AUTH_MODE=dev`): HS256 tokens signed with a shared secret. */
export class DevTokenVerifier implements TokenVerifier {
  private readonly key: Uint8Array;
  private readonly issuer: string;
  private readonly audience: string;

  constructor({ secret, issuer = DEV_TOKEN_ISSUER, audience = DEV_TOKEN_AUDIENCE }: DevTokenVerifierOptions) {
    assertDevSecret(secret);
    this.key = new TextEncoder().encode(secret);
    this.issuer = issuer;
    this.audience = audience;
  }

  verify(bearer: string): Promise<Principal> {
    return verifyBearer(bearer, (token) =>
      jwtVerify(token, this.key, {
        algorithms: [DEV_ALGORITHM],
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }),
      DEV_RIGHTS_CLAIMS,
    );
  }
}

export interface DevTokenRequest {
  /** A person's username, or a runner's id with `runner`. */
  username: string;
  /** Defaults to `u-<username>` (a runner: its id). */
  sub?: string;
  /** A runner token (`cairn_runner: true`) for the runner protocol and the file access of its jobs. */
  runner?: boolean;
  /** Facility admin (`cairn_admin: true`). */
  admin?: boolean;
  email?: string;
  /** Whether the issuer verified `email` (claim `email_verified`); true unless said otherwise. */
  emailVerified?: boolean;
  name?: string;
  /** A jose time span from now: `12h` (the default), `30m`, `-1h` for an already expired token. */
  expiresIn?: string;
  issuer?: string;
  audience?: string;
}

/** A token `DevTokenVerifier` accepts when given the same secret. */
export async function signDevToken(request: DevTokenRequest, secret: string): Promise<string> {
  assertDevSecret(secret);
  const { username, runner = false, sub = runner ? username : `u-${username}`, admin = false, email, emailVerified = true, name, expiresIn = '12h' } = request;
  return new SignJWT({
    preferred_username: username,
    ...(runner ? { cairn_runner: true } : {}),
    ...(email !== undefined ? { email, email_verified: emailVerified } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(admin ? { cairn_admin: true } : {}),
  })
    .setProtectedHeader({ alg: DEV_ALGORITHM, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(request.issuer ?? DEV_TOKEN_ISSUER)
    .setAudience(request.audience ?? DEV_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A runner's dev token: its id is both `sub` and username, so logs and timelines name the runner. */
export function signDevRunnerToken(runnerId: string, secret: string, expiresIn?: string): Promise<string> {
  return signDevToken({ username: runnerId, sub: runnerId, runner: true, ...(expiresIn === undefined ? {} : { expiresIn }) }, secret);
}
