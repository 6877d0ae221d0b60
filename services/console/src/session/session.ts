import { decodeJwt } from 'jose';

/** Who is signed in: the bearer token and what its claims say about them. */
export interface Person {
  userId: string;
  username: string;
  displayName: string;
  email?: string;
  facilityAdmin: boolean;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface Session {
  token: string;
  person: Person;
}

const KEY = 'cairn.session.token';

/** The claims of a JWT, unverified: the services verify it; the console only shows who it names. */
export function personOf(token: string): Person | undefined {
  try {
    // decodeJwt reads the payload as UTF-8 (atob alone turns "José" into "JosÃ©").
    const claims: Record<string, unknown> = decodeJwt(token);
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
    const username = typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub;
    return {
      userId: claims.sub,
      username,
      displayName: typeof claims.name === 'string' ? claims.name : username,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      facilityAdmin: claims.cairn_admin === true,
      expiresAt: claims.exp,
    };
  } catch {
    return undefined;
  }
}

/** The session kept for this browser tab (sessionStorage: a new tab signs in again, nothing outlives the browser). */
export function storedSession(storage: Storage = sessionStorage, now = Date.now()): Session | undefined {
  const token = storage.getItem(KEY);
  const person = token ? personOf(token) : undefined;
  if (!token || !person || person.expiresAt * 1000 <= now) return undefined;
  return { token, person };
}

export function storeSession(token: string, storage: Storage = sessionStorage): Session {
  const person = personOf(token);
  if (!person) throw new Error('the token does not name a person');
  storage.setItem(KEY, token);
  return { token, person };
}

export function forgetSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
