import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { signDevToken } from './dev-tokens';
import { AuthenticationError, KeySetUnavailableError } from './errors';
import { JwksTokenVerifier } from './jwks-token-verifier';

const ISSUER = 'https://idp.test/realms/cairn';
const AUDIENCE = 'cairn';
const KEY_ID = 'signing-key-1';

/** A stand-in identity provider: serves the key set of one RS256 key on a free loopback port. */
async function serveKeySet(keys: JWK[]): Promise<{ server: Server; jwksUrl: string }> {
  const server = createServer((request, response) => {
    if (request.url !== '/certs') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs` };
}

function signAs(key: KeyLike, claims: Record<string, unknown>, options: { kid?: string; issuer?: string; expiresIn?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KEY_ID })
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
    verifier = new JwksTokenVerifier({ jwksUrl: published.jwksUrl, issuer: ISSUER, audience: AUDIENCE });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function refusalOf(token: string): Promise<string> {
    const error = await verifier.verify(token).catch((thrown: unknown) => thrown);
    return error instanceof AuthenticationError ? error.reason : `no AuthenticationError: ${String(error)}`;
  }

  it('accepts a token signed with a published key and reads the principal from it', async () => {
    const token = await signAs(signingKey, { preferred_username: 'carol', email: 'carol@example.org', name: 'Carol', cairn_admin: true });

    await expect(verifier.verify(token)).resolves.toEqual({
      userId: '5f1d3c2e-user',
      username: 'carol',
      email: 'carol@example.org',
      name: 'Carol',
      isFacilityAdmin: true,
    });
  });

  it('treats only a literal true cairn_admin claim as facility admin', async () => {
    const token = await signAs(signingKey, { preferred_username: 'dave', cairn_admin: 'true' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ username: 'dave', isFacilityAdmin: false });
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
    const unreachable = new JwksTokenVerifier({ jwksUrl: gone.jwksUrl, issuer: ISSUER, audience: AUDIENCE });

    await expect(unreachable.verify(await signAs(signingKey, { preferred_username: 'carol' }))).rejects.toBeInstanceOf(KeySetUnavailableError);
  });
});
