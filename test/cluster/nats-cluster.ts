import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'nats';
import { natsConnectionOptions, type NatsIdentity } from '@cairn/messaging';
import { makeTestCertificates, NatsRunCredentials, OPERATOR, ServerProcess, toolPath, waitUntil, type TestCertificates } from '@cairn/testing';
import type { ClusterNetwork } from './cluster-network';

const DEPLOY_NATS = join(__dirname, '../../deploy/nats');
const CLIENT_PORT = 4222;
const CLUSTER_PORT = 6222;
const MONITOR_PORT = 8222;
/** The StatefulSet's pod names, which the shipped config's routes and `$POD_NAME` speak of. */
const podName = (node: number) => `nats-${node}`;

/** Replaces `shipped` in `text` exactly once: a config the test no longer recognises must fail the test, not go untested. */
function replaceOnce(text: string, shipped: string, tested: string, file: string): string {
  const at = text.indexOf(shipped);
  if (at < 0 || text.indexOf(shipped, at + 1) >= 0) throw new Error(`${file} no longer has "${shipped}" exactly once: update test/cluster/nats-cluster.ts`);
  return text.replace(shipped, tested);
}

/** Replaces every `shipped` in `text` (at least one). */
function replaceEvery(text: string, shipped: string, tested: string, file: string): string {
  if (!text.includes(shipped)) throw new Error(`${file} no longer has "${shipped}": update test/cluster/nats-cluster.ts`);
  return text.split(shipped).join(tested);
}

/** What a pod mounts from Secrets, as this run issued it: the identities' auth.conf and the certificates. */
export interface ClusterSecrets {
  credentials: NatsRunCredentials;
  certificates: TestCertificates;
}

/**
 * The shipped deploy/nats/nats-cluster.conf (and the jetstream.conf it includes) for server `node` of a
 * test cluster: the same file but for what only a pod has (its data and pid folders, the StatefulSet's
 * host names, the Secrets nats-auth and nats-tls, here issued for the run) and, on loopback, the
 * addresses it binds.
 */
export function testedClusterConfig(addresses: string[], node: number, dir: string, bindAll: boolean, secrets: ClusterSecrets): { config: string; jetstream: string } {
  const file = 'nats-cluster.conf';
  let config = readFileSync(join(DEPLOY_NATS, file), 'utf8');
  config = replaceOnce(config, 'include ../auth/auth.conf', secrets.credentials.includeFrom(dir), file);
  config = replaceEvery(config, '/etc/nats/tls/tls.crt', secrets.certificates.certFile, file);
  config = replaceEvery(config, '/etc/nats/tls/tls.key', secrets.certificates.keyFile, file);
  config = replaceEvery(config, '/etc/nats/tls/ca.crt', secrets.certificates.caFile, file);
  config = replaceOnce(config, 'pid_file: /var/run/nats/nats.pid', `pid_file: ${JSON.stringify(join(dir, 'nats.pid'))}`, file);
  if (!bindAll) {
    config = replaceOnce(config, `listen: 0.0.0.0:${CLIENT_PORT}`, `listen: ${addresses[node]}:${CLIENT_PORT}`, file);
    config = replaceOnce(config, `http: 0.0.0.0:${MONITOR_PORT}`, `http: ${addresses[node]}:${MONITOR_PORT}`, file);
    config = replaceOnce(config, `listen: 0.0.0.0:${CLUSTER_PORT}`, `listen: ${addresses[node]}:${CLUSTER_PORT}`, file);
  }
  addresses.forEach((address, peer) => {
    config = replaceOnce(config, `nats://${podName(peer)}.nats-headless:${CLUSTER_PORT}`, `nats://${address}:${CLUSTER_PORT}`, file);
  });
  const jetstream = replaceOnce(readFileSync(join(DEPLOY_NATS, 'jetstream.conf'), 'utf8'), 'store_dir: /data', `store_dir: ${JSON.stringify(join(dir, 'data'))}`, 'jetstream.conf');
  return { config, jetstream };
}

interface StreamDetail {
  name: string;
  cluster?: { leader?: string };
  state?: { messages: number; last_seq: number };
}
interface Jsz {
  server_name: string;
  meta_cluster?: { leader?: string };
  account_details?: { stream_detail?: StreamDetail[] }[];
}

export interface ClusterNode {
  index: number;
  name: string;
  address: string;
  url: string;
  monitorUrl: string;
  logFile: string;
}

/**
 * Three nats-servers as one JetStream cluster on a `ClusterNetwork`, each with its own store that
 * survives kills and restarts, and the faults a test injects into them.
 */
export class NatsCluster {
  readonly nodes: ClusterNode[];
  private readonly processes: ServerProcess[];
  private readonly paused = new Set<number>();

  private readonly secrets: ClusterSecrets;

  private constructor(
    readonly network: ClusterNetwork,
    private readonly dir: string,
  ) {
    const credentialsDir = join(dir, 'credentials');
    mkdirSync(credentialsDir, { recursive: true });
    const credentials = new NatsRunCredentials(credentialsDir);
    // The platform's runner (startPlatform's default id), registered before the servers start.
    credentials.register({ kind: 'runner', id: 'runner-local' });
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir, { recursive: true });
    this.secrets = { credentials, certificates: makeTestCertificates(tlsDir, network.addresses) };
    this.nodes = network.addresses.map((address, index) => ({
      index,
      name: podName(index),
      address,
      url: `nats://${address}:${CLIENT_PORT}`,
      monitorUrl: `http://${address}:${MONITOR_PORT}`,
      logFile: join(dir, podName(index), 'nats-server.log'),
    }));
    this.processes = this.nodes.map((node) => {
      const nodeDir = join(dir, node.name);
      mkdirSync(nodeDir, { recursive: true });
      const { config, jetstream } = testedClusterConfig(network.addresses, node.index, nodeDir, network.kind === 'namespaces', this.secrets);
      writeFileSync(join(nodeDir, 'nats-cluster.conf'), config);
      writeFileSync(join(nodeDir, 'jetstream.conf'), jetstream);
      const { command, args } = network.commandFor(node.index, toolPath('nats-server'), ['-c', join(nodeDir, 'nats-cluster.conf')]);
      return new ServerProcess(node.name, command, args, node.logFile, { ...process.env, POD_NAME: node.name });
    });
  }

  static async start(network: ClusterNetwork, dir: string): Promise<NatsCluster> {
    const cluster = new NatsCluster(network, dir);
    try {
      cluster.processes.forEach((server) => server.start());
      await Promise.all(cluster.nodes.map((node) => cluster.untilHealthy(node.index)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** What the services get as NATS_URL: every server, comma-separated. */
  get natsUrl(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  /** What startPlatform needs to reach the cluster: its servers, its CA, and every identity's seed. */
  get platformEnv(): Record<string, string> {
    return { NATS_URL: this.natsUrl, NATS_CA_FILE: this.secrets.certificates.caFile, CAIRN_NATS_CREDENTIALS_DIR: this.secrets.credentials.dir };
  }

  /** How `identity` (by default the operator) connects to the cluster, with this run's credentials over TLS. */
  connectionOptions(identity: NatsIdentity = OPERATOR): ConnectionOptions {
    return natsConnectionOptions(identity, { ...this.platformEnv, NATS_NKEY_SEED_FILE: this.secrets.credentials.seedFileOf(identity) });
  }

  /** healthz answers ok once the server has joined the cluster's JetStream and recovered its streams. */
  async untilHealthy(node: number, timeoutMs = 60_000): Promise<void> {
    const { monitorUrl, logFile } = this.nodes[node];
    await waitUntil(`${podName(node)} healthy (log: ${logFile})`, async () => (await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok, timeoutMs);
  }

  /** Each server's own view of the stream: the leader it names, or undefined when it names none or cannot be asked. */
  async leaderSeenBy(node: number, stream: string): Promise<string | undefined> {
    if (this.paused.has(node)) return undefined;
    try {
      const response = await fetch(`${this.nodes[node].monitorUrl}/jsz?streams=true`, { signal: AbortSignal.timeout(1_000) });
      const jsz = (await response.json()) as Jsz;
      const detail = jsz.account_details?.flatMap((account) => account.stream_detail ?? []).find((candidate) => candidate.name === stream);
      return detail?.cluster?.leader || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The stream's leader as the leader itself says so (a server that can be asked and names itself):
   * the stream then has a quorum that elected it. Undefined while there is none.
   */
  async streamLeader(stream: string): Promise<ClusterNode | undefined> {
    const views = await Promise.all(this.nodes.map((node) => this.leaderSeenBy(node.index, stream)));
    return this.nodes.find((node) => views[node.index] === node.name);
  }

  async untilStreamLeader(stream: string, timeoutMs = 60_000): Promise<ClusterNode> {
    let leader: ClusterNode | undefined;
    await waitUntil(`a leader of ${stream}`, async () => (leader = await this.streamLeader(stream)) !== undefined, timeoutMs);
    return leader!;
  }

  kill(node: number): Promise<void> {
    return this.processes[node].stop('SIGKILL');
  }

  /** Starts a stopped or killed server again on its store, and waits until it is healthy. */
  async restart(node: number): Promise<void> {
    await this.processes[node].stop('SIGTERM', 10_000);
    this.processes[node].start();
    await this.untilHealthy(node);
  }

  pause(node: number): void {
    this.signal(node, 'SIGSTOP');
    this.paused.add(node);
  }

  resume(node: number): void {
    this.signal(node, 'SIGCONT');
    this.paused.delete(node);
  }

  private signal(node: number, signal: NodeJS.Signals): void {
    const pid = this.processes[node].pid;
    if (pid === undefined) throw new Error(`${podName(node)} is not running`);
    process.kill(pid, signal);
  }

  async stop(): Promise<void> {
    for (const node of [...this.paused]) this.resume(node);
    await Promise.all(this.processes.map((server) => server.stop('SIGKILL')));
  }
}

/** Samples the stream's leader every `intervalMs` and adds up the time it had none. */
export class QuorumWatch {
  noQuorumMs = 0;
  private stopped = false;
  private readonly sampling: Promise<void>;

  constructor(cluster: NatsCluster, stream: string, intervalMs = 250) {
    this.sampling = (async () => {
      let last = Date.now();
      while (!this.stopped) {
        const started = Date.now();
        const hasLeader = (await cluster.streamLeader(stream)) !== undefined;
        // The time since the last sample counts as without quorum when this sample finds no leader.
        if (!hasLeader) this.noQuorumMs += Date.now() - last;
        last = Date.now();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
      }
    })();
  }

  async stop(): Promise<number> {
    this.stopped = true;
    await this.sampling;
    return this.noQuorumMs;
  }
}
