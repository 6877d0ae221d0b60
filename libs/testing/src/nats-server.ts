import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'nats';
import { natsConnectionOptions, type NatsIdentity } from '@cairn/messaging';
import { makeTestCertificates, natsTlsBlock, NatsRunCredentials, OPERATOR } from './nats-auth';
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
  /** How `identity` (by default the operator, who may do anything) connects: this run's credentials. */
  connectionOptions(identity?: NatsIdentity): ConnectionOptions;
  /** NATS_URL, NATS_NKEY_SEED_FILE (and NATS_CA_FILE) for a process that connects as `identity`. */
  env(identity: NatsIdentity): Record<string, string>;
  /** Gives a runner or a subscriber its credentials, and has the server reload its authorization. */
  register(identity: NatsIdentity): Promise<void>;
  /** The CA that signed the server's certificate (with `tls`). */
  caFile?: string;
  /** The folder of every identity's seed, `<natsIdentityName>.nk` (as `CAIRN_NATS_CREDENTIALS_DIR` names one). */
  credentialsDir: string;
}

export interface NatsServerOptions {
  storeDir?: string;
  port?: number;
  /** Clients connect over TLS, checking the server against a CA made for this server. */
  tls?: boolean;
}

/**
 * A private nats-server with JetStream on a leased loopback port and its own store folder.
 * `sync_interval: always` fsyncs every write, as in production: an acknowledged append survives a crash.
 * Only the platform's identities may connect, each with its permissions (`NatsRunCredentials`).
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const workDir = mkdtempSync(join(tmpdir(), 'cairn-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'jetstream');
  let leases: PortLease[] = [options.port === undefined ? await leasePort() : await leaseSamePort(options.port), await leasePort()];
  const [port, monitorPort] = leases.map((lease) => lease.port);
  const configFile = join(workDir, 'nats.conf');
  const credentials = new NatsRunCredentials(workDir);
  const certificates = options.tls ? makeTestCertificates(workDir) : undefined;
  writeFileSync(
    configFile,
    [
      `listen: "127.0.0.1:${port}"`,
      `http: "127.0.0.1:${monitorPort}"`,
      `jetstream {`,
      `  store_dir: ${JSON.stringify(storeDir)}`,
      `  sync_interval: always`,
      `}`,
      credentials.includeFrom(workDir),
      // For a reload after issuing credentials (`kill -HUP $(cat <credentialsDir>/nats.pid)`).
      `pid_file: ${JSON.stringify(join(workDir, 'nats.pid'))}`,
      ...(certificates ? natsTlsBlock(certificates) : []),
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

  const url = `nats://127.0.0.1:${port}`;
  const env = (identity: NatsIdentity): Record<string, string> => ({
    NATS_URL: url,
    NATS_NKEY_SEED_FILE: credentials.seedFileOf(identity),
    ...(certificates ? { NATS_CA_FILE: certificates.caFile } : {}),
  });
  const connectionOptions = (identity: NatsIdentity = OPERATOR) => natsConnectionOptions(identity, env(identity));

  return {
    url,
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
    connectionOptions,
    env,
    credentialsDir: workDir,
    register: async (identity) => {
      if (!credentials.register(identity)) return;
      const reloads = () => readFileSync(logFile, 'utf8').split('Reloaded server configuration').length;
      const before = reloads();
      server.signal('SIGHUP');
      await waitUntil(`nats-server on ${port} reloading its authorization (log: ${logFile})`, async () => reloads() > before);
      await (await connect(connectionOptions(identity))).close();
    },
    ...(certificates ? { caFile: certificates.caFile } : {}),
  };
}
