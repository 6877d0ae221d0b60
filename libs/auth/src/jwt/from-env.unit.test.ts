import { DevTokenVerifier, signDevToken } from './dev-tokens';
import { createTokenVerifierFromEnv } from './from-env';
import { JwksTokenVerifier } from './jwks-token-verifier';

const secret = 'a-test-secret-of-more-than-thirty-two-characters';

describe('createTokenVerifierFromEnv', () => {
  it('verifies dev tokens in dev mode', async () => {
    const verifier = createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: secret });

    expect(verifier).toBeInstanceOf(DevTokenVerifier);
    await expect(verifier.verify(await signDevToken({ username: 'alice' }, secret))).resolves.toMatchObject({ username: 'alice' });
  });

  it('refuses dev mode without a secret, or with a short one', () => {
    expect(() => createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'dev' })).toThrow('CAIRN_DEV_JWT_SECRET (needed by CAIRN_AUTH_MODE=dev) is not set');
    expect(() => createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: 'x'.repeat(31) })).toThrow(
      'must be at least 32 characters long (it has 31)',
    );
  });

  it('verifies against a key set by default', () => {
    const verifier = createTokenVerifierFromEnv({
      CAIRN_JWKS_URL: 'https://idp.example.org/certs',
      CAIRN_JWT_ISSUER: 'https://idp.example.org',
      CAIRN_JWT_AUDIENCE: 'cairn',
    });
    expect(verifier).toBeInstanceOf(JwksTokenVerifier);
  });

  it('names what the key-set mode is missing', () => {
    expect(() => createTokenVerifierFromEnv({ CAIRN_JWT_ISSUER: 'https://idp.example.org' })).toThrow(
      'JWT verification needs CAIRN_JWKS_URL, CAIRN_JWT_AUDIENCE',
    );
    expect(() =>
      createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'jwks', CAIRN_JWKS_URL: 'certs', CAIRN_JWT_ISSUER: 'i', CAIRN_JWT_AUDIENCE: 'a' }),
    ).toThrow('CAIRN_JWKS_URL "certs" is not a URL');
  });

  it('refuses a mode it does not know rather than guess', () => {
    expect(() => createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'development' })).toThrow('CAIRN_AUTH_MODE must be "dev" or "jwks"');
  });
});
