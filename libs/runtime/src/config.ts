import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'nats';
import { natsConnectionOptions, SERVICE_CONTEXTS, type NatsIdentity, type ServiceContext } from '@cairn/messaging';

/** What every service reads from its environment; README's configuration table lists the same. */
export interface ServiceConfig {
  service: string;
  port: number;
  host: string;
  /** NATS as the service's own identity (`natsConnectionOptions`: NATS_URL, NATS_NKEY_SEED_FILE, NATS_CA_FILE). */
  nats: ConnectionOptions;
  mongoUrl: string;
  mongoDb: string;
  /**
   * How long an operation waits for a MongoDB server to answer before it fails: the driver's 30 s would hold
   * every request and projection that long while MongoDB is away.
   */
  mongoServerSelectionTimeoutMs: number;
  eventStore: 'jetstream' | 'esdb';
  esdbUrl?: string;
  minPositionTimeoutMs: number;
  /** Copies of the events stream in a JetStream cluster (R3 in production). */
  streamReplicas?: number;
  /** How long a stop may take (below the orchestrator's grace period) before the process gives up on it. */
  drainTimeoutMs: number;
  /** Requests a minute (and in one burst) each principal and each client address may send this process. */
  rateLimits: { perPrincipal: number; perAddress: number };
  /** `CAIRN_TRUSTED_PROXIES`: the peers (the edge, the Ingress controller) whose `X-Forwarded-For` names the client. */
  trustedProxies?: string;
}

/**
 * Far above what a person at the console, `npm run demo` or the test suite sends (all of `npm start` comes
 * from one loopback address), far below a flood.
 */
export const DEFAULT_RATE_LIMITS = { perPrincipal: 3_000, perAddress: 12_000 };

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/**
 * A setting that holds a credential: the variable itself, or the content of the file its `_FILE` twin
 * names (a Docker or Kubernetes secret mounted as a file, as docker-compose.yml does for the stores).
 */
function secretSetting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (!file) return env[name] || undefined;
  if (env[name]) throw new ConfigurationError(`set ${name} or ${name}_FILE, not both`);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigurationError(`${name}_FILE names ${file}, which cannot be read: ${(error as Error).message}`);
  }
}

function serviceIdentityOf(service: string): NatsIdentity {
  if (!(SERVICE_CONTEXTS as readonly string[]).includes(service)) throw new ConfigurationError(`"${service}" is not one of the services (${SERVICE_CONTEXTS.join(', ')})`);
  return { kind: 'service', context: service as ServiceContext };
}

export function serviceConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const eventStore = env.CAIRN_EVENT_STORE ?? 'jetstream';
  if (eventStore !== 'jetstream' && eventStore !== 'esdb') {
    throw new ConfigurationError(`CAIRN_EVENT_STORE must be "jetstream" or "esdb", got "${eventStore}"`);
  }
  const esdbUrl = secretSetting(env, 'CAIRN_ESDB_URL');
  if (eventStore === 'esdb' && !esdbUrl) {
    throw new ConfigurationError('CAIRN_EVENT_STORE=esdb needs CAIRN_ESDB_URL (e.g. esdb://localhost:2113?tls=false)');
  }
  return {
    service,
    port: integer(env, 'PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    nats: natsConnectionOptions(serviceIdentityOf(service), env),
    mongoUrl: secretSetting(env, 'MONGO_URL') ?? 'mongodb://127.0.0.1:27017/',
    mongoDb: env.MONGO_DB ?? `cairn_${service}`,
    mongoServerSelectionTimeoutMs: integer(env, 'MONGO_SERVER_SELECTION_TIMEOUT_MS', 5_000),
    eventStore,
    ...(esdbUrl ? { esdbUrl } : {}),
    minPositionTimeoutMs: integer(env, 'CAIRN_MIN_POSITION_TIMEOUT_MS', 2_000),
    ...(env.CAIRN_STREAM_REPLICAS ? { streamReplicas: integer(env, 'CAIRN_STREAM_REPLICAS', 1) } : {}),
    drainTimeoutMs: integer(env, 'CAIRN_DRAIN_TIMEOUT_MS', 25_000),
    rateLimits: {
      perPrincipal: integer(env, 'CAIRN_RATE_LIMIT_PER_PRINCIPAL', DEFAULT_RATE_LIMITS.perPrincipal),
      perAddress: integer(env, 'CAIRN_RATE_LIMIT_PER_ADDRESS', DEFAULT_RATE_LIMITS.perAddress),
    },
    ...(env.CAIRN_TRUSTED_PROXIES ? { trustedProxies: env.CAIRN_TRUSTED_PROXIES } : {}),
  };
}
