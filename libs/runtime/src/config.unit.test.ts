import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RATE_LIMITS, serviceConfigFromEnv } from './config';

describe("a service's configuration", () => {
  it('reads the store addresses, credentials included, from the files MONGO_URL_FILE and CAIRN_ESDB_URL_FILE name (mounted secrets)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cairn-secrets-'));
    writeFileSync(join(folder, 'mongo-url'), 'mongodb://cairn:s3cret@mongo:27017/?authSource=admin\n');
    writeFileSync(join(folder, 'esdb-url'), 'esdb://admin:s3cret@eventstore:2113?tls=true\n');

    const config = serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'esdb', MONGO_URL_FILE: join(folder, 'mongo-url'), CAIRN_ESDB_URL_FILE: join(folder, 'esdb-url') });

    expect(config).toMatchObject({ mongoUrl: 'mongodb://cairn:s3cret@mongo:27017/?authSource=admin', esdbUrl: 'esdb://admin:s3cret@eventstore:2113?tls=true' });
  });

  it('refuses a secret file it cannot read, and a setting given twice', () => {
    expect(() => serviceConfigFromEnv('access', { MONGO_URL_FILE: '/nonexistent/mongo-url' })).toThrow('MONGO_URL_FILE names /nonexistent/mongo-url, which cannot be read');
    expect(() => serviceConfigFromEnv('access', { MONGO_URL: 'mongodb://a/', MONGO_URL_FILE: '/x' })).toThrow('set MONGO_URL or MONGO_URL_FILE, not both');
  });

  it('limits requests per principal and per client address, as configured or by default, and trusts no proxy unless told', () => {
    expect(serviceConfigFromEnv('access', {})).toMatchObject({ rateLimits: DEFAULT_RATE_LIMITS });
    expect(serviceConfigFromEnv('access', {}).trustedProxies).toBeUndefined();
    expect(serviceConfigFromEnv('access', { CAIRN_RATE_LIMIT_PER_PRINCIPAL: '60', CAIRN_RATE_LIMIT_PER_ADDRESS: '0', CAIRN_TRUSTED_PROXIES: 'loopback' })).toMatchObject({
      rateLimits: { perPrincipal: 60, perAddress: 0 },
      trustedProxies: 'loopback',
    });
    expect(() => serviceConfigFromEnv('access', { CAIRN_RATE_LIMIT_PER_PRINCIPAL: 'lots' })).toThrow('CAIRN_RATE_LIMIT_PER_PRINCIPAL must be a non-negative integer');
  });

  it("gives up on an absent MongoDB after 5 s, not the driver's 30 s, unless told otherwise", () => {
    expect(serviceConfigFromEnv('access', {}).mongoServerSelectionTimeoutMs).toBe(5_000);
    expect(serviceConfigFromEnv('access', { MONGO_SERVER_SELECTION_TIMEOUT_MS: '12000' }).mongoServerSelectionTimeoutMs).toBe(12_000);
    expect(() => serviceConfigFromEnv('access', { MONGO_SERVER_SELECTION_TIMEOUT_MS: '5s' })).toThrow('MONGO_SERVER_SELECTION_TIMEOUT_MS must be a non-negative integer');
  });
});
