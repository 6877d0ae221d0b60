import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { freePort, ServerProcess, startFerretDb, startNatsServer, waitUntil } from '@cairn/testing';
import { consoleAuthFromEnv, consoleSite } from './console-site';
import { startEdge } from './edge';
import type { ServiceName } from './routes';

export { ROUTES, serviceFor } from './routes';

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

export interface PlatformOptions {
  /** Folder for the servers' data, blobs and logs; kept between runs. */
  homeDir: string;
  edgePort: number;
  /** Environment every service gets (auth mode, secrets...). */
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningPlatform {
  edgeUrl: string;
  natsUrl: string;
  mongoUrl: string;
  services: { name: ServiceName; url: string; logFile: string }[];
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
    let natsUrl = options.env.NATS_URL;
    if (!natsUrl) {
      const nats = await startNatsServer({ storeDir: join(options.homeDir, 'nats') });
      stops.push(() => nats.stop());
      natsUrl = nats.url;
      log(`nats-server   ${nats.url}  (log ${nats.logFile})`);
    }
    let mongoUrl = options.env.MONGO_URL;
    if (!mongoUrl) {
      const dataDir = join(options.homeDir, 'ferretdb');
      mkdirSync(dataDir, { recursive: true });
      const ferret = await startFerretDb({ dataDir });
      stops.push(() => ferret.stop());
      mongoUrl = ferret.url;
      log(`FerretDB      ${ferret.url}  (log ${ferret.logFile})`);
    }

    const services: RunningPlatform['services'] = [];
    const upstreams: Partial<Record<ServiceName, number>> = {};
    for (const name of SERVICES) {
      const main = join(DIST, 'services', name, 'src', 'main.js');
      if (!existsSync(main)) continue;
      const port = await freePort();
      const logFile = join(options.homeDir, 'logs', `${name}.log`);
      const child = new ServerProcess(name, process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), main], logFile, {
        ...process.env,
        ...options.env,
        NATS_URL: natsUrl,
        MONGO_URL: mongoUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        CAIRN_DATA_DIR: options.env.CAIRN_DATA_DIR ?? join(options.homeDir, 'data'),
      });
      child.start();
      stops.push(() => child.stop('SIGTERM', 10_000));
      services.push({ name, url: `http://127.0.0.1:${port}`, logFile });
      upstreams[name] = port;
    }
    for (const service of services) {
      await waitUntil(`${service.name} service (log: ${service.logFile})`, async () =>
        (await fetch(`${service.url}/health/ready`)).ok, 60_000);
      log(`${service.name.padEnd(13)} ${service.url}  (OpenAPI ${service.url}/docs, log ${service.logFile})`);
    }

    const site = consoleSite({ root: join(DIST, 'console'), auth: consoleAuthFromEnv(options.env) });
    const edge: Server = await startEdge(options.edgePort, upstreams, '127.0.0.1', site);
    stops.push(() => new Promise<void>((done) => edge.close(() => done())));
    const address = edge.address();
    const edgePort = typeof address === 'object' && address ? address.port : options.edgePort;
    return { edgeUrl: `http://127.0.0.1:${edgePort}`, natsUrl, mongoUrl, services, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
