import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from 'nats';
import { natsConnectionOptions } from './nats-connection';
import { NATS_PING_INTERVAL_MS } from './nats-servers';
import { natsIdentityName, natsIdentityOfName, natsPermissionsOf, parseNatsIdentity, PLATFORM_NATS_IDENTITIES, SERVICE_CONTEXTS, SERVICE_DURABLES, type NatsIdentity } from './nats-identities';

const STREAM_ADMINISTRATION = /^\$JS\.API\.STREAM\.(UPDATE|DELETE|PURGE|MSG\.DELETE)\./;

describe('NATS identities', () => {
  it('are named for files and inboxes, and parsed back from either form', () => {
    const identities: NatsIdentity[] = [...PLATFORM_NATS_IDENTITIES, { kind: 'runner', id: 'gpu-node_7' }, { kind: 'subscriber', name: 'billing' }];
    expect(identities.map(natsIdentityName)).toEqual(['service-access', 'service-projects', 'service-jobs', 'service-logbook', 'cli', 'operator', 'runner-gpu-node_7', 'subscriber-billing']);
    for (const identity of identities) expect(natsIdentityOfName(natsIdentityName(identity))).toEqual(identity);
    expect(parseNatsIdentity('runner:r-1')).toEqual({ kind: 'runner', id: 'r-1' });
    // A subscriber named as a service's durable consumer would be granted that consumer.
    for (const text of ['service:billing', 'runner:a.b', 'subscriber:', 'subscriber:lab_members', 'operator:x', 'root']) expect(() => parseNatsIdentity(text)).toThrow(/is not a NATS identity/);
  });

  it('let each service publish the events of its own context only, and administer no stream', () => {
    for (const context of SERVICE_CONTEXTS) {
      const { publish } = natsPermissionsOf({ kind: 'service', context });
      expect(publish.filter((subject) => subject.startsWith('cairn.events.'))).toEqual([`cairn.events.${context}.>`]);
      expect(publish.filter((subject) => STREAM_ADMINISTRATION.test(subject) || subject === '>')).toEqual([]);
    }
  });

  it("refuse each service the other services' durable consumers and the subscribers', by name, and none of its own", () => {
    for (const context of SERVICE_CONTEXTS) {
      const { publishDenied } = natsPermissionsOf({ kind: 'service', context }, ['billing']);
      const named = new Set(publishDenied.map((subject) => /^\$JS\.(?:API\.CONSUMER\.(?:DURABLE\.)?[A-Z]+(?:\.NEXT)?|ACK)\.CAIRN_EVENTS\.([^.]+)/.exec(subject)?.[1]));
      const others = SERVICE_CONTEXTS.filter((other) => other !== context).flatMap((other) => SERVICE_DURABLES[other]);
      expect([...named].sort()).toEqual([...others, 'billing'].sort());
    }
  });

  it('let a subscriber publish no event, administer no stream, and use only its own consumer', () => {
    const { publish, subscribe } = natsPermissionsOf({ kind: 'subscriber', name: 'billing' });
    expect(publish.filter((subject) => subject.startsWith('cairn.') || STREAM_ADMINISTRATION.test(subject))).toEqual([]);
    expect(publish.filter((subject) => subject.startsWith('$JS.API.CONSUMER.')).every((subject) => /\.CAIRN_EVENTS\.billing(\.>)?$/.test(subject))).toBe(true);
    expect(subscribe).toEqual(['_INBOX_subscriber-billing.>']);
  });

  it('let a runner speak only on its own subjects', () => {
    const { publish, subscribe } = natsPermissionsOf({ kind: 'runner', id: 'r-1' });
    expect(publish.filter((subject) => subject.startsWith('cairn.'))).toEqual(['claim', 'log', 'output', 'progress', 'heartbeat', 'finished', 'announce'].map((request) => `cairn.runner.r-1.${request}`));
    expect(subscribe).toEqual(['_INBOX_runner-r-1.>', 'cairn.runner.r-1.cancel']);
  });
});

describe('natsConnectionOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-nats-options-'));

  it('connects as the identity: its seed from NATS_NKEY_SEED_FILE, TLS against NATS_CA_FILE, its own inbox prefix', () => {
    const seedFile = join(dir, 'access.nk');
    writeFileSync(seedFile, `# service:access\n${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`);
    const options = natsConnectionOptions({ kind: 'service', context: 'access' }, { NATS_URL: 'tls://a:4222, tls://b:4222', NATS_NKEY_SEED_FILE: seedFile, NATS_CA_FILE: '/ca.crt' });
    expect(options).toEqual({
      servers: ['tls://a:4222', 'tls://b:4222'],
      name: 'cairn-service-access',
      inboxPrefix: '_INBOX_service-access',
      pingInterval: NATS_PING_INTERVAL_MS,
      authenticator: expect.any(Function),
      tls: { caFile: '/ca.crt' },
    });
  });

  it('says which seed file it cannot use, never what it holds', () => {
    const notASeed = join(dir, 'not-a-seed.nk');
    writeFileSync(notASeed, 'SECRET-BUT-NO-SEED\n');
    expect(() => natsConnectionOptions({ kind: 'cli' }, { NATS_NKEY_SEED_FILE: join(dir, 'missing.nk') })).toThrow(`NATS_NKEY_SEED_FILE ${join(dir, 'missing.nk')} cannot be read: ENOENT`);
    expect(() => natsConnectionOptions({ kind: 'cli' }, { NATS_NKEY_SEED_FILE: notASeed })).toThrow(/holds no user NKEY seed/);
    expect(() => natsConnectionOptions({ kind: 'cli' }, { NATS_NKEY_SEED_FILE: notASeed })).not.toThrow(/SECRET/);
  });
});
