import { readFileSync } from 'node:fs';
import { nkeyAuthenticator, type ConnectionOptions } from 'nats';
import { inboxPrefixOf, natsIdentityName, type NatsIdentity } from './nats-identities';
import { NATS_PING_INTERVAL_MS, natsServersOf } from './nats-servers';

/**
 * How a process connects to NATS as `identity`, from its environment:
 * - `NATS_URL`: the server(s), comma-separated (`tls://nats-0:4222,tls://nats-1:4222`);
 * - `NATS_NKEY_SEED_FILE`: the file (a mounted secret) holding the identity's NKEY seed. Never a variable
 *   or an argument: those show in `ps`, in `/proc/<pid>/environ` dumps and in logs;
 * - `NATS_CA_FILE`: the CA the server's certificate is checked against (TLS when set).
 * The seed is read once here and is never logged; replies come under the identity's own inbox prefix.
 */
export function natsConnectionOptions(identity: NatsIdentity, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const seedFile = env.NATS_NKEY_SEED_FILE;
  const caFile = env.NATS_CA_FILE;
  return {
    servers: natsServersOf(env.NATS_URL ?? 'nats://127.0.0.1:4222'),
    name: `cairn-${natsIdentityName(identity)}`,
    pingInterval: NATS_PING_INTERVAL_MS,
    inboxPrefix: inboxPrefixOf(identity),
    ...(seedFile ? { authenticator: nkeyAuthenticator(readSeed(seedFile)) } : {}),
    ...(caFile ? { tls: { caFile } } : {}),
  };
}

function readSeed(file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`NATS_NKEY_SEED_FILE ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  // The seed is the file's one `SU...` line (nsc and `cairn nats-identity` write it alone, maybe with comments).
  const seed = text.split('\n').map((line) => line.trim()).find((line) => line.startsWith('SU'));
  if (!seed) throw new Error(`NATS_NKEY_SEED_FILE ${file} holds no user NKEY seed (a line starting with SU)`);
  return new TextEncoder().encode(seed);
}

/** Pauses before each further try of a first connection nats-server refused during a reload: about 6 s in all. */
export const RELOAD_RETRY_BACKOFF_MS: readonly number[] = [100, 200, 400, 800, 1_600, 3_200];

/**
 * Makes a first connection, trying again with backoff while the server refuses it as unauthorized or leaves
 * it unanswered. Registering a runner or a subscriber reloads nats-server's authorization, and a connection
 * made during that reload can be refused with 'Authorization Violation' though its credentials are good
 * (seen in 1 of 8 reloads), or its handshake left hanging until the client's connect timeout (1 of 8).
 * Credentials that are wrong stay refused: after the last pause the refusal is thrown.
 */
export async function connectThroughReloads<T>(
  connectOnce: () => Promise<T>,
  options: { backoffMs?: readonly number[]; onRefused?(error: Error, attempt: number): void } = {},
): Promise<T> {
  const backoffMs = options.backoffMs ?? RELOAD_RETRY_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce();
    } catch (error) {
      if (!isRefusedDuringReload(error) || attempt > backoffMs.length) throw error;
      options.onRefused?.(error as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, backoffMs[attempt - 1]));
    }
  }
}

/** How a connection made during a reload fails (nats.js codes AUTHORIZATION_VIOLATION and TIMEOUT). */
export function isRefusedDuringReload(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  return code === 'AUTHORIZATION_VIOLATION' || code === 'TIMEOUT';
}
