import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { ServerProcess, startFerretDb, startNatsServer, waitUntil, type FerretDbHandle, type NatsServerHandle, type ProcessExit } from '@cairn/testing';
import { natsIdentityName, type NatsIdentity } from '@cairn/messaging';
import { boundPort } from '@cairn/telemetry';
import { consoleAuthFromEnv, consoleSite } from './console-site';
import { startEdge } from './edge';
import { reportsError, summarize } from './log-lines';

export { reportsError, summarize };

export { startEdge };
export { consoleAuthFromEnv, consoleContentSecurityPolicy, consoleSite } from './console-site';
import type { ServiceName } from './routes';
import { ensureAuditSigningKey } from './audit-signing-key';

export { ROUTES, serviceFor } from './routes';

export { applyTemplates, changedFields, type TemplateOutcome } from './templates';

/** The repository root, whether this runs compiled (dist/deploy/local) or from source (tests). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'tsconfig.base.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
export const REPO = repoRoot();
const DIST = join(REPO, 'dist');
export const SERVICES: ServiceName[] = ['access', 'projects', 'jobs', 'logbook'];
const READY_TIMEOUT_MS = 60_000;

/** Where `npm start` says, in `<CAIRN_HOME>/platform.json`, the platform it runs can be reached (`npm run demo` reads it). */
export interface PlatformAddress {
  edgeUrl: string;
  natsUrl: string;
  mongoUrl: string;
  /** Every NATS identity's seed file, `<natsIdentityName>.nk` (the CLI's is `cli.nk`). */
  natsCredentialsDir?: string;
}

/**
 * How a process connects to NATS as `identity`: its own seed file from the credentials folder
 * (npm start's own server's, or `CAIRN_NATS_CREDENTIALS_DIR` with a NATS_URL elsewhere).
 */
export function natsEnvOf(identity: NatsIdentity, natsUrl: string, credentialsDir: string | undefined): Record<string, string> {
  return { NATS_URL: natsUrl, ...(credentialsDir ? { NATS_NKEY_SEED_FILE: join(credentialsDir, `${natsIdentityName(identity)}.nk`) } : {}) };
}

/** The reference runner's id: the one its environment names, else `runner-local`. */
const DEFAULT_RUNNER_ID = 'runner-local';

export const PLATFORM_FILE = 'platform.json';
/** The access service's audit signing key in the platform's home, made on its first start. */
export const AUDIT_SIGNING_KEY_FILE = 'audit-signing-key.pem';

/** `CAIRN_HOME`, where `npm start` keeps its data and says how to reach the platform it runs. */
export function platformHome(env: NodeJS.ProcessEnv): string {
  return resolve(env.CAIRN_HOME ?? join(REPO, '.cairn'));
}

/** What the platform `npm start` runs in `home` wrote into its `platform.json`; nothing when none was started there. */
export function startedPlatform(home: string): Partial<PlatformAddress> {
  const file = join(home, PLATFORM_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PlatformAddress) : {};
}

export interface PlatformOptions {
  /** Folder for the servers' data, blobs and logs; kept between runs. */
  homeDir: string;
  edgePort: number;
  /** Environment every service gets (auth mode, secrets...). */
  env: NodeJS.ProcessEnv;
  /** The reference runner's own command line and environment (`--backend slurm` and the cluster's settings); default: the local backend on every queue. */
  runner?: { args?: string[]; env?: NodeJS.ProcessEnv };
  log?: (line: string) => void;
  /** Each line a service writes to its log, as it writes it (`npm start` shows them at a terminal). */
  serviceOutput?: (service: ServiceName, line: string) => void;
}

/** A service process that ended before it was ready: which, how, the line of its log that says why, and where that log is. */
export class ServiceExitedError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly exit: ProcessExit,
    readonly firstErrorLine: string | undefined,
    readonly logFile: string,
  ) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    super(`the ${service} service ${how} while starting: ${firstErrorLine ?? '(its log says nothing)'}\n  its log: ${logFile}`);
    this.name = 'ServiceExitedError';
  }
}

// Nest colours its log lines even into a file.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;

/** The first line of a log, from `offset` (where this run began), that reports an error; else its last line. */
async function firstErrorLine(logFile: string, offset: number): Promise<string | undefined> {
  const file = await open(logFile, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await file.read(buffer, 0, buffer.length, offset);
    const lines = buffer.toString().replace(ANSI_ESCAPE, '').split('\n').map((line) => line.trim()).filter(Boolean);
    const line = lines.find(reportsError) ?? lines[lines.length - 1];
    return line === undefined ? undefined : summarize(line);
  } finally {
    await file.close();
  }
}

interface StartingService {
  name: ServiceName;
  logFile: string;
  /** Where this run's lines begin in the log, which keeps earlier runs' lines. */
  logOffset: number;
  process: ServerProcess;
}

/**
 * Resolves with the service's URL (the port it got) when it answers ready. A process that exits first
 * rejects at once with its log's first error line; `abandon` ends the wait (another service failed).
 */
async function untilReady(service: StartingService, abandon: AbortSignal): Promise<string> {
  const exited = new AbortController();
  void service.process.exited().then(() => exited.abort());
  try {
    const url = await service.process.listeningUrl();
    const ready = async () => (await fetch(`${url}/health/ready`)).ok;
    await waitUntil(`${service.name} service (log: ${service.logFile})`, ready, READY_TIMEOUT_MS, AbortSignal.any([abandon, exited.signal]));
    return url;
  } catch (error) {
    if (!exited.signal.aborted) throw error;
    throw new ServiceExitedError(service.name, await service.process.exited(), await firstErrorLine(service.logFile, service.logOffset), service.logFile);
  }
}

export interface RunningPlatform extends PlatformAddress {
  services: { name: ServiceName; url: string; logFile: string }[];
  /** The servers it started itself (none where NATS_URL / MONGO_URL point elsewhere): to stop, kill or restart them on the same port. */
  servers: { nats?: NatsServerHandle; ferretDb?: FerretDbHandle };
  /** The reference runner (when built): its process (stop it with any signal, start it again) and health URL. */
  runner?: { process: ServerProcess; url: string; logFile: string };
  stop(): Promise<void>;
}

/**
 * The whole platform as separate processes: nats-server and FerretDB (unless NATS_URL / MONGO_URL point
 * elsewhere), every built service, and the edge that routes /api like the Ingress does.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    mkdirSync(join(options.homeDir, 'logs'), { recursive: true });
    const servers: RunningPlatform['servers'] = {};
    let natsUrl = options.env.NATS_URL;
    let natsCredentialsDir = options.env.CAIRN_NATS_CREDENTIALS_DIR;
    if (!natsUrl) {
      const nats = await startNatsServer({ storeDir: join(options.homeDir, 'nats') });
      stops.push(() => nats.stop());
      servers.nats = nats;
      natsUrl = nats.url;
      natsCredentialsDir = nats.credentialsDir;
      log(`nats-server   ${nats.url}  (log ${nats.logFile})`);
    }
    let mongoUrl = options.env.MONGO_URL;
    if (!mongoUrl) {
      const dataDir = join(options.homeDir, 'ferretdb');
      mkdirSync(dataDir, { recursive: true });
      const ferret = await startFerretDb({ dataDir });
      stops.push(() => ferret.stop());
      servers.ferretDb = ferret;
      mongoUrl = ferret.url;
      log(`FerretDB      ${ferret.url}  (log ${ferret.logFile})`);
    }

    const services: StartingService[] = [];
    for (const name of SERVICES) {
      const main = join(DIST, 'services', name, 'src', 'main.js');
      if (!existsSync(main)) continue;
      const logFile = join(options.homeDir, 'logs', `${name}.log`);
      const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
      const child = new ServerProcess(name, process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), main], logFile, {
        ...process.env,
        ...options.env,
        ...natsEnvOf({ kind: 'service', context: name }, natsUrl, natsCredentialsDir),
        MONGO_URL: mongoUrl,
        // The kernel picks the port; the service says which (a port chosen here could be taken first).
        PORT: '0',
        HOST: '127.0.0.1',
        CAIRN_TRUSTED_PROXIES: 'loopback',
        CAIRN_DATA_DIR: options.env.CAIRN_DATA_DIR ?? join(options.homeDir, 'data'),
        CAIRN_AUDIT_SIGNING_KEY_FILE: ensureAuditSigningKey(options.env.CAIRN_AUDIT_SIGNING_KEY_FILE ?? join(options.homeDir, AUDIT_SIGNING_KEY_FILE)),
      });
      const output = options.serviceOutput;
      if (output) child.onLine((line) => output(name, line));
      child.start();
      stops.push(() => child.stop('SIGTERM', 10_000));
      services.push({ name, logFile, logOffset, process: child });
    }
    // All at once: the first service to fail ends the start, whichever it is.
    const abandon = new AbortController();
    const ready = await Promise.all(
      services.map(async (service) => {
        const url = await untilReady(service, abandon.signal).catch((error: Error) => {
          abandon.abort();
          throw error;
        });
        log(`${service.name.padEnd(13)} ${url}  (OpenAPI ${url}/docs, log ${service.logFile})`);
        return { name: service.name, url, logFile: service.logFile };
      }),
    );
    const upstreams = Object.fromEntries(ready.map(({ name, url }) => [name, Number(new URL(url).port)])) as Partial<Record<ServiceName, number>>;

    const site = consoleSite({ root: join(DIST, 'console'), auth: consoleAuthFromEnv(options.env) });
    const edge: Server = await startEdge(options.edgePort, upstreams, '127.0.0.1', site);
    stops.push(() => new Promise<void>((done) => edge.close(() => done())));
    const edgePort = boundPort(edge) ?? options.edgePort;
    const edgeUrl = `http://127.0.0.1:${edgePort}`;

    const runner = await startRunner(options, natsUrl, natsCredentialsDir, servers.nats, edgeUrl);
    if (runner) {
      // Stopped first (stops run in reverse): a job it is finishing still reaches the services.
      stops.push(() => runner.process.stop('SIGTERM', 15_000));
      log(`runner        ${runner.url}  (${options.runner?.args?.join(' ') || 'serves every machine queue'}, files through ${edgeUrl}, log ${runner.logFile})`);
    }
    return {
      edgeUrl,
      natsUrl,
      mongoUrl,
      ...(natsCredentialsDir ? { natsCredentialsDir } : {}),
      services: ready,
      servers,
      ...(runner ? { runner } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The reference runner as its own process, after the services: it reaches the file API through the edge
 * as any runner elsewhere would, gets the services' environment (so in dev mode it signs its own
 * runner token), and keeps its jobs' scratch folders under the platform's home.
 */
async function startRunner(
  options: PlatformOptions,
  natsUrl: string,
  natsCredentialsDir: string | undefined,
  ownNats: NatsServerHandle | undefined,
  edgeUrl: string,
): Promise<RunningPlatform['runner']> {
  const main = join(DIST, 'services', 'runner', 'src', 'main.js');
  if (!existsSync(main)) return undefined;
  // Registering a runner gives it NATS credentials of its own (on npm start's server; elsewhere they are
  // in CAIRN_NATS_CREDENTIALS_DIR already).
  const runner: NatsIdentity = { kind: 'runner', id: options.runner?.env?.CAIRN_RUNNER_ID ?? options.env.CAIRN_RUNNER_ID ?? DEFAULT_RUNNER_ID };
  await ownNats?.register(runner);
  const logFile = join(options.homeDir, 'logs', 'runner.log');
  const child = new ServerProcess('runner', process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), main, ...(options.runner?.args ?? [])], logFile, {
    ...process.env,
    ...options.env,
    ...options.runner?.env,
    CAIRN_RUNNER_ID: runner.id,
    ...natsEnvOf(runner, natsUrl, natsCredentialsDir),
    CAIRN_API_URL: edgeUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    CAIRN_RUNNER_SCRATCH: options.env.CAIRN_RUNNER_SCRATCH ?? join(options.homeDir, 'runner'),
  });
  child.start();
  try {
    const url = await child.listeningUrl();
    await waitUntil(`runner (log: ${logFile})`, async () => (await fetch(`${url}/health/ready`)).ok, 60_000);
    return { process: child, url, logFile };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}
