import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from 'nats';
import { natsAuthorizationConfig, natsIdentityName, SERVICE_CONTEXTS, type NatsIdentity } from '@cairn/messaging';

/** Every identity the platform has from the start; runners and subscribers are registered as they come. */
export const FIXED_NATS_IDENTITIES: readonly NatsIdentity[] = [
  ...SERVICE_CONTEXTS.map((context) => ({ kind: 'service', context }) as const),
  { kind: 'cli' },
  { kind: 'operator' },
];

export const OPERATOR: NatsIdentity = { kind: 'operator' };

/**
 * NKEYs made for one run (one server or one cluster) and the `authorization` block that admits them with
 * the product's permissions (`natsPermissionsOf`): the harness, `npm start` and the cluster harness all
 * run nats-server with this, so every test that talks to NATS is held to least privilege.
 * Seeds are files (mode 0600) in `dir`, as in production: processes get `NATS_NKEY_SEED_FILE`.
 */
export class NatsRunCredentials {
  private readonly users = new Map<string, { identity: NatsIdentity; publicKey: string; seedFile: string }>();

  /** `auth.conf` in `dir`: nats.conf says `include ./auth.conf` (rewritten by `register`, then reload). */
  readonly authConfigFile: string;

  constructor(private readonly dir: string) {
    this.authConfigFile = join(dir, 'auth.conf');
    for (const identity of FIXED_NATS_IDENTITIES) this.add(identity);
    this.writeAuthConfig();
  }

  has(identity: NatsIdentity): boolean {
    return this.users.has(natsIdentityName(identity));
  }

  /** Adds a runner or subscriber; false if it was there already. The server must reload to admit it. */
  register(identity: NatsIdentity): boolean {
    if (this.has(identity)) return false;
    this.add(identity);
    this.writeAuthConfig();
    return true;
  }

  seedFileOf(identity: NatsIdentity): string {
    const user = this.users.get(natsIdentityName(identity));
    if (!user) throw new Error(`NATS identity ${natsIdentityName(identity)} is not registered on this server: register it first`);
    return user.seedFile;
  }

  private add(identity: NatsIdentity): void {
    const pair = nkeys.createUser();
    const seedFile = join(this.dir, `${natsIdentityName(identity)}.nk`);
    writeFileSync(seedFile, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600 });
    this.users.set(natsIdentityName(identity), { identity, publicKey: pair.getPublicKey(), seedFile });
  }

  private writeAuthConfig(): void {
    writeFileSync(this.authConfigFile, natsAuthorizationConfig([...this.users.values()]));
  }
}

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A private CA and a server certificate it signed, for 127.0.0.1 and localhost (also usable for a
 * cluster's routes on loopback), made with `openssl` in `dir`.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=cairn test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}

/** A `tls { }` block (clients' listener, or a cluster's routes when `verify`: each route checks the other's certificate). */
export function natsTlsBlock(certificates: TestCertificates, options: { verify?: boolean } = {}): string[] {
  return [
    `tls {`,
    `  cert_file: ${JSON.stringify(certificates.certFile)}`,
    `  key_file: ${JSON.stringify(certificates.keyFile)}`,
    `  ca_file: ${JSON.stringify(certificates.caFile)}`,
    ...(options.verify ? ['  verify: true'] : []),
    `}`,
  ];
}
