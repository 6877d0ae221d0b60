import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError, KeySetUnavailableError } from './errors';
import { CLOCK_TOLERANCE_SECONDS, Principal, RightsClaims, TokenVerifier, verifyBearer } from './token-verifier';

export interface JwksTokenVerifierOptions {
  /** The identity provider's JSON Web Key Set, e.g. `https://idp.example.org/realms/cairn/protocol/openid-connect/certs`. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The clients a token may have been issued to (`azp`): the console's, the runners'. */
  authorizedParties: readonly string[];
  /** The header `typ`s of an access token, compared case-insensitively; `at+jwt` (RFC 9068) and `JWT` unless configured. */
  types?: readonly string[];
  /** Which of this issuer's claims make a facility admin and a runner. */
  rights: RightsClaims;
}

export const DEFAULT_TOKEN_TYPES = ['at+jwt', 'JWT'];

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
      return await verifyBearer(
        bearer,
        async (token) => {
          const verified = await jwtVerify(token, this.keySet, {
            algorithms: ASYMMETRIC_ALGORITHMS,
            issuer: this.options.issuer,
            audience: this.options.audience,
            requiredClaims: ['sub', 'exp', 'azp'],
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
          });
          this.requireAccessToken(verified.protectedHeader.typ, verified.payload);
          return verified;
        },
        this.options.rights,
      );
    } catch (error) {
      // Token problems are AuthenticationErrors by now; what remains is fetching or reading the key set.
      if (error instanceof AuthenticationError) throw error;
      throw new KeySetUnavailableError(this.options.jwksUrl, error);
    }
  }

  /**
   * An access token issued to one of our clients: an ID token or a token the provider issued to another
   * client, though signed by the same keys for the same audience, is refused. A payload `typ` (Keycloak
   * writes `Bearer`, `ID`, `Refresh`) must say Bearer when present.
   */
  private requireAccessToken(headerType: string | undefined, { typ: payloadType, azp: authorizedParty }: JWTPayload): void {
    const types = (this.options.types ?? DEFAULT_TOKEN_TYPES).map(normalizedType);
    const bearerOrUnsaid = payloadType === undefined || (typeof payloadType === 'string' && payloadType.toLowerCase() === 'bearer');
    if (headerType === undefined || !types.includes(normalizedType(headerType)) || !bearerOrUnsaid) {
      throw new AuthenticationError('invalid-claims', `The token's "typ" header is not one of ${types.join(', ')}: it is not an access token.`);
    }
    if (typeof authorizedParty !== 'string' || !this.options.authorizedParties.includes(authorizedParty)) {
      throw new AuthenticationError('invalid-claims', 'The token\'s "azp" claim names a client this service does not serve.');
    }
  }
}

/** `application/at+jwt` and `AT+JWT` are `at+jwt` (RFC 8725 3.11). */
function normalizedType(type: string): string {
  return type.toLowerCase().replace(/^application\//, '');
}
