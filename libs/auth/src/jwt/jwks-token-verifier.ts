import { createRemoteJWKSet, jwtVerify } from 'jose';
import { AuthenticationError, KeySetUnavailableError } from './errors';
import { CLOCK_TOLERANCE_SECONDS, Principal, TokenVerifier, verifyBearer } from './token-verifier';

export interface JwksTokenVerifierOptions {
  /** The identity provider's JSON Web Key Set, e.g. `https://idp.example.org/realms/cairn/protocol/openid-connect/certs`. */
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** Only public-key signatures: a shared-secret (HS*) token must never be accepted against a key set. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Production: tokens of an OpenID Connect provider, verified against its published keys. jose caches
 * the key set and refetches it when a token names a key it has not seen (key rotation).
 */
export class JwksTokenVerifier implements TokenVerifier {
  private readonly keySet: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: JwksTokenVerifierOptions) {
    this.keySet = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  async verify(bearer: string): Promise<Principal> {
    try {
      return await verifyBearer(bearer, (token) =>
        jwtVerify(token, this.keySet, {
          algorithms: ASYMMETRIC_ALGORITHMS,
          issuer: this.options.issuer,
          audience: this.options.audience,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }),
      );
    } catch (error) {
      // Token problems are AuthenticationErrors by now; what remains is fetching or reading the key set.
      if (error instanceof AuthenticationError) throw error;
      throw new KeySetUnavailableError(this.options.jwksUrl, error);
    }
  }
}
