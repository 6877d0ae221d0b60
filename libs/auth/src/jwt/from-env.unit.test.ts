import { DevTokenVerifier, LOCAL_DEV_JWT_SECRET, signDevToken } from './dev-tokens';
import { createTokenVerifierFromEnv, isLoopback } from './from-env';
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

  it('takes the published local secret only on a loopback address', () => {
    const published = { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET };
    expect(createTokenVerifierFromEnv(published)).toBeInstanceOf(DevTokenVerifier);
    expect(createTokenVerifierFromEnv({ ...published, HOST: '127.0.0.1' })).toBeInstanceOf(DevTokenVerifier);
    for (const host of ['0.0.0.0', '::', '10.0.0.7', 'cairn.example.org']) {
      expect(() => createTokenVerifierFromEnv({ ...published, HOST: host })).toThrow(`CAIRN_DEV_JWT_SECRET is the published local secret`);
    }
    expect(createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: secret, HOST: '0.0.0.0' })).toBeInstanceOf(DevTokenVerifier);
  });

  it('counts 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost'].filter((host) => !isLoopback(host))).toEqual([]);
    expect(['0.0.0.0', '::', '128.0.0.1', '192.168.1.2', 'example.org', '127.example.org'].filter(isLoopback)).toEqual([]);
  });

  const keySetEnv = {
    CAIRN_JWKS_URL: 'https://idp.example.org/certs',
    CAIRN_JWT_ISSUER: 'https://idp.example.org',
    CAIRN_JWT_AUDIENCE: 'cairn',
    CAIRN_JWT_AUTHORIZED_PARTIES: 'cairn-console, cairn-runners',
    CAIRN_ADMIN_CLAIM: 'groups=cairn-admins',
    CAIRN_RUNNER_CLAIM: 'groups=cairn-runners',
  };

  it('verifies against a key set by default', () => {
    expect(createTokenVerifierFromEnv(keySetEnv)).toBeInstanceOf(JwksTokenVerifier);
  });

  it('names what the key-set mode is missing: the clients served and the claims of rights included, never a fixed claim name', () => {
    expect(() => createTokenVerifierFromEnv({ CAIRN_JWT_ISSUER: 'https://idp.example.org' })).toThrow(
      'JWT verification needs CAIRN_JWKS_URL, CAIRN_JWT_AUDIENCE, CAIRN_JWT_AUTHORIZED_PARTIES, CAIRN_ADMIN_CLAIM, CAIRN_RUNNER_CLAIM',
    );
    expect(() => createTokenVerifierFromEnv({ ...keySetEnv, CAIRN_AUTH_MODE: 'jwks', CAIRN_JWKS_URL: 'certs' })).toThrow('CAIRN_JWKS_URL "certs" is not a URL');
    expect(() => createTokenVerifierFromEnv({ ...keySetEnv, CAIRN_ADMIN_CLAIM: 'cairn_admin' })).toThrow('CAIRN_ADMIN_CLAIM must be claim=value');
  });

  it('refuses a mode it does not know rather than guess', () => {
    expect(() => createTokenVerifierFromEnv({ CAIRN_AUTH_MODE: 'development' })).toThrow('CAIRN_AUTH_MODE must be "dev" or "jwks"');
  });
});
