import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { signDevToken } from './dev-tokens';
import { AuthenticationError, KeySetUnavailableError } from './errors';
import { JwksTokenVerifier } from './jwks-token-verifier';

const ISSUER = 'https://idp.test/realms/cairn';
const AUDIENCE = 'cairn';
const KEY_ID = 'signing-key-1';
const CONSOLE_CLIENT = 'cairn-console';
const OPTIONS = {
  issuer: ISSUER,
  audience: AUDIENCE,
  authorizedParties: [CONSOLE_CLIENT, 'cairn-runners'],
  rights: { admin: { name: 'realm_access.roles', value: 'cairn-admin' }, runner: { name: 'client_role', value: 'runner' } },
};

/** A stand-in identity provider: serves the key set of one RS256 key on a free loopback port. */
async function serveKeySet(keys: JWK[]): Promise<{ server: Server; jwksUrl: string }> {
  const server = createServer((request, response) => {
    if (request.url !== '/certs') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs` };
}

function signAs(key: KeyLike, claims: Record<string, unknown>, options: { kid?: string; issuer?: string; expiresIn?: string; typ?: string | null } = {}) {
  const typ = options.typ === undefined ? 'at+jwt' : options.typ;
  return new SignJWT({ azp: CONSOLE_CLIENT, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KEY_ID, ...(typ === null ? {} : { typ }) })
    .setSubject('5f1d3c2e-user')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(key);
}

describe('JwksTokenVerifier', () => {
  let server: Server;
  let verifier: JwksTokenVerifier;
  let signingKey: KeyLike;
  let strangerKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const published = await serveKeySet([{ ...(await exportJWK(pair.publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' }]);
    server = published.server;
    verifier = new JwksTokenVerifier({ jwksUrl: published.jwksUrl, ...OPTIONS });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function refusalOf(token: string): Promise<string> {
    const error = await verifier.verify(token).catch((thrown: unknown) => thrown);
    return error instanceof AuthenticationError ? error.reason : `no AuthenticationError: ${String(error)}`;
  }

  it('accepts a token signed with a published key and reads the principal from it', async () => {
    const token = await signAs(signingKey, {
      preferred_username: 'carol',
      email: 'carol@example.org',
      email_verified: true,
      name: 'Carol',
      realm_access: { roles: ['offline_access', 'cairn-admin'] },
    });

    await expect(verifier.verify(token)).resolves.toEqual({
      userId: '5f1d3c2e-user',
      username: 'carol',
      email: 'carol@example.org',
      name: 'Carol',
      isFacilityAdmin: true,
    });
  });

  it('takes admin and runner rights only from the configured claim and value, never from a claim named cairn_admin or cairn_runner', async () => {
    const claimsAdmin = await signAs(signingKey, { preferred_username: 'dave', cairn_admin: true, realm_access: { roles: ['cairn-user'] } });
    await expect(verifier.verify(claimsAdmin)).resolves.toMatchObject({ username: 'dave', isFacilityAdmin: false });
    const claimsRunner = await signAs(signingKey, { preferred_username: 'dave', cairn_runner: true });
    await expect(verifier.verify(claimsRunner)).resolves.not.toHaveProperty('isRunner');
    const runner = await signAs(signingKey, { client_role: 'runner', azp: 'cairn-runners' });
    await expect(verifier.verify(runner)).resolves.toMatchObject({ userId: '5f1d3c2e-user', isRunner: true });
  });

  it('takes an e-mail address only when the issuer verified it (email_verified: true)', async () => {
    for (const emailVerified of [undefined, false, 'true']) {
      const token = await signAs(signingKey, { preferred_username: 'mallory', email: 'carol@example.org', ...(emailVerified === undefined ? {} : { email_verified: emailVerified }) });
      await expect(verifier.verify(token)).resolves.not.toHaveProperty('email');
    }
  });

  it('refuses what is not an access token for one of its clients: no typ, an ID token, a token issued to another client', async () => {
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol' }, { typ: null }))).toBe('invalid-claims');
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol' }, { typ: 'id+jwt' }))).toBe('invalid-claims');
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol', typ: 'ID' }, { typ: 'JWT' }))).toBe('invalid-claims');
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol', azp: 'someone-elses-app' }))).toBe('invalid-claims');
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol', azp: undefined }))).toBe('invalid-claims');
    await expect(verifier.verify(await signAs(signingKey, { preferred_username: 'carol', typ: 'Bearer' }, { typ: 'JWT' }))).resolves.toMatchObject({ username: 'carol' });
  });

  it('refuses a token signed with another key under a published key id', async () => {
    expect(await refusalOf(await signAs(strangerKey, { preferred_username: 'mallory' }))).toBe('bad-signature');
  });

  it('refuses a token signed with a key the provider does not publish', async () => {
    expect(await refusalOf(await signAs(strangerKey, { preferred_username: 'mallory' }, { kid: 'unknown-key' }))).toBe('bad-signature');
  });

  it('refuses a shared-secret token', async () => {
    const devToken = await signDevToken({ username: 'mallory', admin: true, issuer: ISSUER, audience: AUDIENCE }, 'x'.repeat(40));
    expect(await refusalOf(devToken)).toBe('bad-signature');
  });

  it('refuses an expired token', async () => {
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol' }, { expiresIn: '-10m' }))).toBe('expired');
  });

  it('refuses a token from another issuer', async () => {
    expect(await refusalOf(await signAs(signingKey, { preferred_username: 'carol' }, { issuer: 'https://evil.test' }))).toBe('wrong-issuer');
  });

  it('says the key set is unavailable, not that the token is bad, when the provider cannot be reached', async () => {
    const gone = await serveKeySet([]);
    await new Promise((resolve) => gone.server.close(resolve));
    const unreachable = new JwksTokenVerifier({ jwksUrl: gone.jwksUrl, ...OPTIONS });

    await expect(unreachable.verify(await signAs(signingKey, { preferred_username: 'carol' }))).rejects.toBeInstanceOf(KeySetUnavailableError);
  });
});
