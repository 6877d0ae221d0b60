import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leasePort, leaseSamePort } from './ports';
import { ServerProcess, tcpAccepts, waitUntil } from './processes';
import { toolPath } from './tools';

export interface FerretDbHandle {
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  /** Graceful stop; its port is released unless `restart` follows. */
  stop(): Promise<void>;
  /** Kills the process (SIGKILL by default) without restarting it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same data folder (after stop or kill). */
  restart(): Promise<void>;
}

export interface FerretDbOptions {
  dataDir?: string;
  port?: number;
  /** `debug` logs every SQL statement FerretDB runs (with its arguments) to `logFile`. Default `warn`. */
  logLevel?: 'debug' | 'warn';
}

/** A private FerretDB (MongoDB wire protocol, SQLite handler) on a leased loopback port and its own folder. */
export async function startFerretDb(options: FerretDbOptions = {}): Promise<FerretDbHandle> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cairn-ferretdb-'));
  let lease = options.port === undefined ? await leasePort() : await leaseSamePort(options.port);
  const port = lease.port;
  const logFile = join(dataDir, 'ferretdb.log');
  const args = [
    '--handler=sqlite',
    // WAL without an fsync per commit: durable across a crash of FerretDB, not of the machine, as
    // MongoDB's default write concern is (acknowledged before its journal's next group commit). Per
    // commit, the kernel's ext4 work on the data folder took more CPU than FerretDB itself.
    `--sqlite-url=file:${dataDir}/?_pragma=synchronous(normal)`,
    `--listen-addr=127.0.0.1:${port}`,
    // FerretDB's debug listener has a fixed default port that would collide between instances.
    '--debug-addr=-',
    '--telemetry=disable',
    `--state-dir=${dataDir}`,
    `--log-level=${options.logLevel ?? 'warn'}`,
  ];
  let server = new ServerProcess('ferretdb', toolPath('ferretdb'), args, logFile);
  const stop = async (signal: NodeJS.Signals) => {
    await server.stop(signal);
    lease.release();
  };
  const boot = async () => {
    lease = await leaseSamePort(port);
    server = new ServerProcess('ferretdb', toolPath('ferretdb'), args, logFile);
    server.start();
    try {
      await waitUntil(`FerretDB on ${port} (log: ${logFile})`, () => tcpAccepts(port));
    } catch (error) {
      await stop('SIGKILL');
      throw error;
    }
  };
  await boot();
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    dataDir,
    logFile,
    stop: () => stop('SIGTERM'),
    // A killed server keeps its port leased: a test that kills one means to start it again there.
    kill: (signal = 'SIGKILL') => server.stop(signal),
    restart: async () => {
      await stop('SIGTERM');
      await boot();
    },
  };
}
