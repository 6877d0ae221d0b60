import { createHash } from 'node:crypto';
import { pkceChallenge } from './oidc';
import { personOf, storedSession, storeSession } from './session';

const token = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;

class MemoryStorage {
  private items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

describe('the session: who the token names', () => {
  it('reads the person from the claims the platform fills the directory with', () => {
    expect(personOf(token({ sub: 'u-bob', preferred_username: 'bob', name: 'Bob Brown', email: 'bob@example.org', exp: 2000000000 }))).toEqual({
      userId: 'u-bob',
      username: 'bob',
      displayName: 'Bob Brown',
      email: 'bob@example.org',
      facilityAdmin: false,
      expiresAt: 2000000000,
    });
    expect(personOf(token({ sub: 'u-alice', cairn_admin: true, exp: 1 }))?.facilityAdmin).toBe(true);
    expect(personOf('not a token')).toBeUndefined();
  });

  it('reads names in any script as UTF-8: José stays José', () => {
    expect(personOf(token({ sub: 'u-jose', preferred_username: 'jose', name: 'José Núñez 李', exp: 2000000000 }))?.displayName).toBe('José Núñez 李');
  });

  it('an expired token is no session', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storeSession(token({ sub: 'u-bob', exp: 1000 }), storage);
    expect(storedSession(storage, 999_000)?.person.userId).toBe('u-bob');
    expect(storedSession(storage, 1_000_000)).toBeUndefined();
  });
});

describe('OIDC authorization code with PKCE', () => {
  it('S256: the challenge is BASE64URL(SHA256(verifier)), without padding (RFC 7636 §4.2)', async () => {
    const verifier = 'dBjftJeZ4CVP-mJ92K9Zi3A3k5W8pEXKOu-QEkmQBRo';
    expect(await pkceChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(await pkceChallenge(verifier)).not.toMatch(/[=+/]/);
  });
});
