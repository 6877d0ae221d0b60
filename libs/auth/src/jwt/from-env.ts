import { assertDevSecret, DevTokenVerifier } from './dev-tokens';
import { JwksTokenVerifier } from './jwks-token-verifier';
import type { TokenVerifier } from './token-verifier';

export type AuthEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * The verifier a service runs with, from its environment:
 * - `CAIRN_AUTH_MODE=dev`: HS256 tokens signed with `CAIRN_DEV_JWT_SECRET` (at least 32 characters);
 * - `CAIRN_AUTH_MODE=jwks` or unset: `CAIRN_JWKS_URL`, `CAIRN_JWT_ISSUER`, `CAIRN_JWT_AUDIENCE`.
 * Refuses to build (so the service refuses to start) when the chosen mode is not fully configured.
 */
export function createTokenVerifierFromEnv(env: AuthEnvironment = process.env): TokenVerifier {
  const mode = env.CAIRN_AUTH_MODE || 'jwks';
  if (mode === 'dev') {
    const secret = env.CAIRN_DEV_JWT_SECRET;
    assertDevSecret(secret, 'CAIRN_DEV_JWT_SECRET (needed by CAIRN_AUTH_MODE=dev)');
    return new DevTokenVerifier({ secret });
  }
  if (mode !== 'jwks') throw new Error(`CAIRN_AUTH_MODE must be "dev" or "jwks" (the default), not "${mode}"`);

  const { CAIRN_JWKS_URL: jwksUrl, CAIRN_JWT_ISSUER: issuer, CAIRN_JWT_AUDIENCE: audience } = env;
  if (!jwksUrl || !issuer || !audience) {
    const missing = Object.entries({ CAIRN_JWKS_URL: jwksUrl, CAIRN_JWT_ISSUER: issuer, CAIRN_JWT_AUDIENCE: audience })
      .filter(([, value]) => !value)
      .map(([name]) => name);
    throw new Error(`JWT verification needs ${missing.join(', ')} (or CAIRN_AUTH_MODE=dev for local use)`);
  }
  if (!URL.canParse(jwksUrl)) throw new Error(`CAIRN_JWKS_URL "${jwksUrl}" is not a URL`);
  return new JwksTokenVerifier({ jwksUrl, issuer, audience });
}
