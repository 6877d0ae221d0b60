import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { issueNatsCredentials, natsIdentityName, natsSeedFileOf, PLATFORM_NATS_IDENTITIES, type NatsIdentity } from '@cairn/messaging';

export const OPERATOR: NatsIdentity = { kind: 'operator' };

/**
 * NKEYs made for one run (one server or one cluster) and the `authorization` block that admits them with
 * the product's permissions (`natsPermissionsOf`), issued as in production (`issueNatsCredentials`): the
 * harness, `npm start` and the cluster harness all run nats-server with this, so every test that talks to
 * NATS is held to least privilege. A config says `include ./auth.conf` (in `dir`); processes get their
 * seed file as `NATS_NKEY_SEED_FILE`.
 */
export class NatsRunCredentials {
  /** `auth.conf` in `dir`, rewritten by `register` (then the server must reload). */
  readonly authConfigFile: string;
  private readonly registered = new Set<string>();

  constructor(readonly dir: string) {
    this.authConfigFile = issueNatsCredentials(dir, PLATFORM_NATS_IDENTITIES);
    PLATFORM_NATS_IDENTITIES.forEach((identity) => this.registered.add(natsIdentityName(identity)));
  }

  /** Adds a runner or subscriber; false if it was there already. The server must reload to admit it. */
  register(identity: NatsIdentity): boolean {
    if (this.registered.has(natsIdentityName(identity))) return false;
    issueNatsCredentials(this.dir, [identity]);
    this.registered.add(natsIdentityName(identity));
    return true;
  }

  /**
   * The config line that admits these identities, for a server whose config file lies in `configDir`
   * (nats-server includes relative paths only). The cluster harness gives every server the same one.
   */
  includeFrom(configDir: string): string {
    return `include ${JSON.stringify(relative(configDir, this.authConfigFile))}`;
  }

  seedFileOf(identity: NatsIdentity): string {
    if (!this.registered.has(natsIdentityName(identity))) throw new Error(`NATS identity ${natsIdentityName(identity)} is not registered on this server: register it first`);
    return natsSeedFileOf(this.dir, identity);
  }
}

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A private CA and a server certificate it signed, for 127.0.0.1, localhost and `addresses` (a cluster's
 * servers: the same certificate serves clients and, as client certificate too, the routes), made with
 * `openssl` in `dir`.
 */
export function makeTestCertificates(dir: string, addresses: readonly string[] = []): TestCertificates {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=cairn test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  const names = [...new Set(['127.0.0.1', ...addresses])].map((address) => `IP:${address}`);
  writeFileSync(file('server.ext'), `subjectAltName=${[...names, 'DNS:localhost'].join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}

/**
 * A `tls { }` block: at the top of a config, the clients' listener; inside `cluster { }` with `verify`,
 * the routes', each checking the other's certificate (the cluster harness: `natsTlsBlock(certificates,
 * { verify: true })` there, the same certificate serves both ways).
 */
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
