import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess, waitUntil } from './processes';
import { toolPath } from './tools';

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  logFile: string;
  /** Graceful stop. */
  stop(): Promise<void>;
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
 * A private nats-server with JetStream on a free loopback port and its own store folder.
 * `sync_interval: always` fsyncs every write, as in production: an acknowledged append survives a crash.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const workDir = mkdtempSync(join(tmpdir(), 'cairn-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'jetstream');
  const port = options.port ?? (await freePort());
  const monitorPort = await freePort();
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
    server = new ServerProcess('nats-server', toolPath('nats-server'), ['-c', configFile], logFile);
    server.start();
    // healthz answers ok only once JetStream has recovered its streams, not merely when the port is open.
    await waitUntil(`nats-server on ${port} (log: ${logFile})`, async () => {
      const response = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
      return response.ok;
    });
  };
  await boot();

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    logFile,
    stop: () => server.stop('SIGTERM'),
    kill: (signal = 'SIGKILL') => server.stop(signal),
    restart: async () => {
      await server.stop('SIGTERM');
      await boot();
    },
  };
}
