import { isIP } from 'node:net';
import { assertDevSecret, DevTokenVerifier, LOCAL_DEV_JWT_SECRET } from './dev-tokens';
import { DEFAULT_TOKEN_TYPES, JwksTokenVerifier } from './jwks-token-verifier';
import { parseClaimMatch, type TokenVerifier } from './token-verifier';

export type AuthEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * The verifier a service runs with, from its environment:
 * - `CAIRN_AUTH_MODE=dev`: HS256 tokens signed with `CAIRN_DEV_JWT_SECRET` (at least 32 characters;
 *   the published `LOCAL_DEV_JWT_SECRET` only for a service that listens on loopback, `HOST`);
 * - `CAIRN_AUTH_MODE=jwks` or unset: `CAIRN_JWKS_URL`, `CAIRN_JWT_ISSUER`, `CAIRN_JWT_AUDIENCE`, the clients
 *   tokens may be issued to (`CAIRN_JWT_AUTHORIZED_PARTIES`, comma-separated), the claims of that issuer
 *   that make a facility admin and a runner (`CAIRN_ADMIN_CLAIM`, `CAIRN_RUNNER_CLAIM`: `claim=value`),
 *   and optionally the accepted header `typ`s (`CAIRN_JWT_TYPES`, default `at+jwt,JWT`).
 * Refuses to build (so the service refuses to start) when the chosen mode is not fully configured.
 */
export function createTokenVerifierFromEnv(env: AuthEnvironment = process.env): TokenVerifier {
  const mode = env.CAIRN_AUTH_MODE || 'jwks';
  if (mode === 'dev') {
    const secret = env.CAIRN_DEV_JWT_SECRET;
    assertDevSecret(secret, 'CAIRN_DEV_JWT_SECRET (needed by CAIRN_AUTH_MODE=dev)');
    const host = env.HOST || '127.0.0.1';
    if (secret === LOCAL_DEV_JWT_SECRET && !isLoopback(host)) {
      throw new Error(
        `CAIRN_DEV_JWT_SECRET is the published local secret, with which anyone can sign an admin token; it is refused on HOST=${host} ` +
          '(only a loopback address may use it). Generate your own: openssl rand -base64 48',
      );
    }
    return new DevTokenVerifier({ secret });
  }
  if (mode !== 'jwks') throw new Error(`CAIRN_AUTH_MODE must be "dev" or "jwks" (the default), not "${mode}"`);

  const required = {
    CAIRN_JWKS_URL: env.CAIRN_JWKS_URL,
    CAIRN_JWT_ISSUER: env.CAIRN_JWT_ISSUER,
    CAIRN_JWT_AUDIENCE: env.CAIRN_JWT_AUDIENCE,
    CAIRN_JWT_AUTHORIZED_PARTIES: env.CAIRN_JWT_AUTHORIZED_PARTIES,
    CAIRN_ADMIN_CLAIM: env.CAIRN_ADMIN_CLAIM,
    CAIRN_RUNNER_CLAIM: env.CAIRN_RUNNER_CLAIM,
  };
  const missing = Object.entries(required)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) throw new Error(`JWT verification needs ${missing.join(', ')} (or CAIRN_AUTH_MODE=dev for local use)`);
  const jwksUrl = required.CAIRN_JWKS_URL!;
  if (!URL.canParse(jwksUrl)) throw new Error(`CAIRN_JWKS_URL "${jwksUrl}" is not a URL`);
  return new JwksTokenVerifier({
    jwksUrl,
    issuer: required.CAIRN_JWT_ISSUER!,
    audience: required.CAIRN_JWT_AUDIENCE!,
    authorizedParties: listOf(required.CAIRN_JWT_AUTHORIZED_PARTIES!),
    types: env.CAIRN_JWT_TYPES ? listOf(env.CAIRN_JWT_TYPES) : DEFAULT_TOKEN_TYPES,
    rights: {
      admin: parseClaimMatch(required.CAIRN_ADMIN_CLAIM!, 'CAIRN_ADMIN_CLAIM'),
      runner: parseClaimMatch(required.CAIRN_RUNNER_CLAIM!, 'CAIRN_RUNNER_CLAIM'),
    },
  });
}

const listOf = (text: string) => text.split(',').map((item) => item.trim()).filter((item) => item !== '');

/** Whether `host` (a service's `HOST`) is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const address = host.replace(/^\[|\]$/g, '');
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || /^::ffff:127\./i.test(address);
}
