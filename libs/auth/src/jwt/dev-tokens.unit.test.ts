import { decodeJwt, SignJWT } from 'jose';
import { DEV_TOKEN_AUDIENCE, DEV_TOKEN_ISSUER, DevTokenVerifier, LOCAL_DEV_JWT_SECRET, signDevRunnerToken, signDevToken } from './dev-tokens';
import { AuthenticationError, AuthenticationFailureReason } from './errors';

const secret = 'a-test-secret-of-more-than-thirty-two-characters';
const verifier = new DevTokenVerifier({ secret });

async function refusal(token: string): Promise<AuthenticationFailureReason> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AuthenticationError)) throw new Error(`expected an AuthenticationError, got ${String(error)}`);
  return error.reason;
}

describe('dev tokens', () => {
  it('identify the user they were signed for', async () => {
    const token = await signDevToken({ username: 'alice', email: 'alice@example.org', name: 'Alice Liddell' }, secret);

    await expect(verifier.verify(token)).resolves.toEqual({
      userId: 'u-alice',
      username: 'alice',
      email: 'alice@example.org',
      name: 'Alice Liddell',
      isFacilityAdmin: false,
    });
  });

  it('say the e-mail is verified, which is what makes it identify a person; one marked unverified is not taken', async () => {
    const token = await signDevToken({ username: 'alice', email: 'alice@example.org' }, secret);
    expect(decodeJwt(token)).toMatchObject({ email: 'alice@example.org', email_verified: true });
    const unverified = await verifier.verify(await signDevToken({ username: 'mallory', email: 'alice@example.org', emailVerified: false }, secret));
    expect(unverified).not.toHaveProperty('email');
  });

  it('make a facility admin only when asked to', async () => {
    const token = await signDevToken({ username: 'root', admin: true }, secret);
    await expect(verifier.verify(token)).resolves.toEqual({ userId: 'u-root', username: 'root', isFacilityAdmin: true });
  });

  it('make a runner only when asked to: its id is the sub, and it is never an admin', async () => {
    const token = await signDevToken({ username: 'runner-7', runner: true, admin: true }, secret);
    await expect(verifier.verify(token)).resolves.toEqual({ userId: 'runner-7', username: 'runner-7', isFacilityAdmin: false, isRunner: true });
  });

  it('refuse a runner whose id could not be a NATS subject token', async () => {
    expect(await refusal(await signDevToken({ username: 'runner.>', runner: true }, secret))).toBe('invalid-claims');
  });

  it('mark a runner with cairn_runner, named by its runner id, and nobody else', async () => {
    const runner = await signDevRunnerToken('runner-lab-7', secret);
    await expect(verifier.verify(runner)).resolves.toMatchObject({ userId: 'runner-lab-7', username: 'runner-lab-7', isFacilityAdmin: false });
    expect(decodeJwt(runner).cairn_runner).toBe(true);
    expect(decodeJwt(await signDevToken({ username: 'alice', admin: true }, secret)).cairn_runner).toBeUndefined();
  });

  it('keep a given user id', async () => {
    const token = await signDevToken({ username: 'bob', sub: '0b7c1a9e' }, secret);
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: '0b7c1a9e', username: 'bob' });
  });

  it('are refused once expired', async () => {
    expect(await refusal(await signDevToken({ username: 'alice', expiresIn: '-1h' }, secret))).toBe('expired');
  });

  it('are refused when signed with another secret', async () => {
    const forged = await signDevToken({ username: 'mallory', admin: true }, 'another-secret-that-is-also-long-enough!');
    expect(await refusal(forged)).toBe('bad-signature');
  });

  it('are refused when their payload was altered after signing', async () => {
    const [header, , signature] = (await signDevToken({ username: 'mallory' }, secret)).split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'u-mallory', preferred_username: 'mallory', cairn_admin: true, iss: DEV_TOKEN_ISSUER, aud: DEV_TOKEN_AUDIENCE, exp: 4102444800 }),
    ).toString('base64url');
    expect(await refusal(`${header}.${payload}.${signature}`)).toBe('bad-signature');
  });

  it('are refused when meant for another audience', async () => {
    expect(await refusal(await signDevToken({ username: 'alice', audience: 'billing' }, secret))).toBe('wrong-audience');
  });

  it('are refused when issued by someone else', async () => {
    expect(await refusal(await signDevToken({ username: 'alice', issuer: 'elsewhere' }, secret))).toBe('wrong-issuer');
  });

  it('are refused without a username', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-anon')
      .setIssuer(DEV_TOKEN_ISSUER)
      .setAudience(DEV_TOKEN_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect(await refusal(token)).toBe('invalid-claims');
  });

  it('are refused without an expiry', async () => {
    const token = await new SignJWT({ preferred_username: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-alice')
      .setIssuer(DEV_TOKEN_ISSUER)
      .setAudience(DEV_TOKEN_AUDIENCE)
      .sign(new TextEncoder().encode(secret));
    expect(await refusal(token)).toBe('invalid-claims');
  });

  it.each([
    ['an empty token', '', 'missing'],
    ['something that is no JWT', 'not-a-token', 'malformed'],
    ['an unsigned JWT', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u-x"}').toString('base64url')}.`, 'bad-signature'],
  ] as const)('refuse %s', async (_case, token, reason) => {
    expect(await refusal(token)).toBe(reason);
  });

  it('need a secret of at least 32 characters', async () => {
    expect(() => new DevTokenVerifier({ secret: 'short' })).toThrow('at least 32 characters');
    await expect(signDevToken({ username: 'alice' }, 'short')).rejects.toThrow('at least 32 characters');
    expect(LOCAL_DEV_JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });
});
