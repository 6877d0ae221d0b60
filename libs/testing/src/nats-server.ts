import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leasePort, leaseSamePort, type PortLease } from './ports';
import { ServerProcess, waitUntil } from './processes';
import { toolPath } from './tools';

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  logFile: string;
  /** Graceful stop; its ports are released unless `restart` follows. */
  stop(): Promise<void>;
  /** Sends a signal and returns at once (SIGSTOP: a server that holds its connections and answers nothing). */
  signal(signal: NodeJS.Signals): void;
  /** Kills the process (SIGKILL by default) without restarting it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store (after stop or kill). */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  storeDir?: string;
  port?: number;
}

/**
 * A private nats-server with JetStream on a leased loopback port and its own store folder.
 * `sync_interval: always` fsyncs every write, as in production: an acknowledged append survives a crash.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const workDir = mkdtempSync(join(tmpdir(), 'cairn-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'jetstream');
  let leases: PortLease[] = [options.port === undefined ? await leasePort() : await leaseSamePort(options.port), await leasePort()];
  const [port, monitorPort] = leases.map((lease) => lease.port);
  const configFile = join(workDir, 'nats.conf');
  writeFileSync(
    configFile,
    [
      `listen: "127.0.0.1:${port}"`,
      `http: "127.0.0.1:${monitorPort}"`,
      `jetstream {`,
      `  store_dir: ${JSON.stringify(storeDir)}`,
      `  sync_interval: always`,
      `}`,
      '',
    ].join('\n'),
  );
  const logFile = join(workDir, 'nats-server.log');
  let server = new ServerProcess('nats-server', toolPath('nats-server'), ['-c', configFile], logFile);

  const boot = async () => {
    leases = await Promise.all(leases.map((lease) => leaseSamePort(lease.port)));
    server = new ServerProcess('nats-server', toolPath('nats-server'), ['-c', configFile], logFile);
    server.start();
    // healthz answers ok only once JetStream has recovered its streams, not merely when the port is open.
    await waitUntil(`nats-server on ${port} (log: ${logFile})`, async () => {
      const response = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
      return response.ok;
    });
  };
  try {
    await boot();
  } catch (error) {
    await server.stop('SIGKILL');
    leases.forEach((lease) => lease.release());
    throw error;
  }
  const stop = async (signal: NodeJS.Signals) => {
    await server.stop(signal);
    leases.forEach((lease) => lease.release());
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    logFile,
    stop: () => stop('SIGTERM'),
    signal: (signal) => server.signal(signal),
    // A killed server keeps its ports leased: a test that kills one means to start it again there.
    kill: (signal = 'SIGKILL') => server.stop(signal),
    restart: async () => {
      await stop('SIGTERM');
      await boot();
    },
  };
}
