import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from 'nats';
import { natsAuthorizationConfig, natsIdentityName, natsIdentityOfName, type NatsIdentity } from './nats-identities';

const SEED_SUFFIX = '.nk';
export const NATS_AUTH_CONFIG_FILE = 'auth.conf';

/** Where the identity's seed is kept in a credentials folder: `<natsIdentityName>.nk`. */
export function natsSeedFileOf(dir: string, identity: NatsIdentity): string {
  return join(dir, `${natsIdentityName(identity)}${SEED_SUFFIX}`);
}

/**
 * Issues NATS credentials in `dir`: an NKEY seed (mode 0600) for each identity that has none yet, then
 * `auth.conf`, the server's `authorization` block, for every seed in the folder. The server reads only
 * `auth.conf` (public keys and permissions); each process gets only its own seed. Registering a runner or
 * a subscriber is this with its identity, then a reload of the server (SIGHUP). Answers `auth.conf`'s path.
 */
export function issueNatsCredentials(dir: string, identities: readonly NatsIdentity[]): string {
  for (const identity of identities) {
    const seedFile = natsSeedFileOf(dir, identity);
    if (existsSync(seedFile)) continue;
    writeFileSync(seedFile, `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`, { mode: 0o600 });
    chmodSync(seedFile, 0o600);
  }
  const users = readdirSync(dir)
    .filter((file) => file.endsWith(SEED_SUFFIX))
    .sort()
    .map((file) => ({
      identity: natsIdentityOfName(file.slice(0, -SEED_SUFFIX.length)),
      publicKey: nkeys.fromSeed(new TextEncoder().encode(readFileSync(join(dir, file), 'utf8').trim())).getPublicKey(),
    }));
  const authConfig = join(dir, NATS_AUTH_CONFIG_FILE);
  writeFileSync(authConfig, natsAuthorizationConfig(users));
  return authConfig;
}
