/**
 * Issues NATS credentials (docs: deploy/README.md, "NATS identities"):
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register deploy/nats/issue-credentials.ts <dir> [identity ...]
 *
 * Identities: service:<access|projects|jobs|logbook>, runner:<id>, subscriber:<name>, cli, operator; none
 * named: the platform's own (the four services, the CLI and the operator). Writes `<dir>/<name>.nk`, an
 * NKEY seed, for each one that has none yet, and rewrites `<dir>/auth.conf` (public keys and permissions,
 * what nats-server includes) for every seed in `<dir>`. Prints file names, never a seed.
 */
import { mkdirSync } from 'node:fs';
import { issueNatsCredentials, natsSeedFileOf, parseNatsIdentity, PLATFORM_NATS_IDENTITIES } from '@cairn/messaging';

function main(args: string[]): number {
  const [dir, ...names] = args;
  if (!dir || dir.startsWith('-')) {
    console.error('usage: issue-credentials <dir> [service:<name> | runner:<id> | subscriber:<name> | cli | operator ...]');
    return 2;
  }
  const identities = names.length > 0 ? names.map(parseNatsIdentity) : PLATFORM_NATS_IDENTITIES;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const authConfig = issueNatsCredentials(dir, identities);
  for (const identity of identities) console.log(`seed   ${natsSeedFileOf(dir, identity)}`);
  console.log(`server ${authConfig}  (reload the server to admit new identities: nats-server --signal reload)`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`issue-credentials: ${(error as Error).message}`);
  process.exitCode = 1;
}
