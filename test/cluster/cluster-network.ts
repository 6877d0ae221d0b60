import { execFileSync } from 'node:child_process';
import { isProcessAlive } from '@cairn/testing';

/**
 * Where the three servers of a test cluster live and how the test reaches them.
 *
 * `namespaces`: each server in a network namespace of its own, joined by veth pairs to a bridge the test
 * makes; the services stay in the root namespace and reach the servers through the bridge, whose host
 * side has an address in the same private subnet. A server is cut off by taking its link down.
 *
 * `loopback`: without the rights to make namespaces, three distinct loopback addresses of this run with
 * fixed ports. Nothing can be cut off there; a paused process (SIGSTOP) stands in for an unreachable one.
 */
export interface ClusterNetwork {
  kind: 'namespaces' | 'loopback';
  /** The address each server listens on, clients and routes alike. */
  addresses: string[];
  /** The command line that runs `command` as server `node` (inside its namespace). */
  commandFor(node: number, command: string, args: string[]): { command: string; args: string[] };
  /** Whether links can be cut (namespaces only). */
  canCut: boolean;
  cut(node: number): void;
  heal(node: number): void;
  /** Removes everything it made; safe to call twice. */
  remove(): void;
}

const NAMESPACE_PREFIX = 'cairnjs';
const BRIDGE_PREFIX = 'cjb';
const VETH_PREFIX = 'cjv';
const PEER_PREFIX = 'cjp';
const SUBNET_PREFIX = '10.231';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Removes the namespaces and bridges of earlier runs whose test process is gone (killed before its
 * cleanup ran): the run's pid is part of every name it makes.
 */
export function removeStaleNetworks(): string[] {
  const removed: string[] = [];
  for (const line of ip('netns', 'list').split('\n')) {
    const match = new RegExp(`^(${NAMESPACE_PREFIX}(\\d+)n\\d)\\b`).exec(line.trim());
    if (!match || isProcessAlive(Number(match[2]))) continue;
    for (const pid of ip('netns', 'pids', match[1]).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    ip('netns', 'delete', match[1]);
    removed.push(match[1]);
  }
  for (const line of ip('-o', 'link', 'show', 'type', 'bridge').split('\n')) {
    const match = new RegExp(`^\\d+: (${BRIDGE_PREFIX}(\\d+)):`).exec(line);
    if (!match || isProcessAlive(Number(match[2]))) continue;
    ip('link', 'delete', match[1]);
    removed.push(match[1]);
  }
  return removed;
}

/** A /24 of 10.231.0.0/16 that no interface of this machine has an address in. */
function unusedSubnet(): string {
  const used = new Set(
    [...ip('-4', '-o', 'addr', 'show').matchAll(new RegExp(`inet ${SUBNET_PREFIX.replace('.', '\\.')}\\.(\\d+)\\.`, 'g'))].map((match) => Number(match[1])),
  );
  for (let step = 0; step < 256; step++) {
    const third = (process.pid + step) % 256;
    if (!used.has(third)) return `${SUBNET_PREFIX}.${third}`;
  }
  throw new Error(`every /24 of ${SUBNET_PREFIX}.0.0/16 is in use`);
}

/** Whether this process may make network namespaces (root, and `ip netns` works). */
export function canMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    ip('netns', 'list');
    return true;
  } catch {
    return false;
  }
}

export function namespaceNetwork(size: number): ClusterNetwork {
  removeStaleNetworks();
  const run = String(process.pid);
  const bridge = `${BRIDGE_PREFIX}${run}`;
  const subnet = unusedSubnet();
  const namespaces = Array.from({ length: size }, (_, node) => `${NAMESPACE_PREFIX}${run}n${node}`);
  const hostLinks = Array.from({ length: size }, (_, node) => `${VETH_PREFIX}${run}n${node}`);
  const addresses = Array.from({ length: size }, (_, node) => `${subnet}.${11 + node}`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const namespace of namespaces) {
      for (const pid of safely(() => ip('netns', 'pids', namespace)).split('\n').filter(Boolean)) {
        safely(() => process.kill(Number(pid), 'SIGKILL'));
      }
      safely(() => ip('netns', 'delete', namespace));
    }
    safely(() => ip('link', 'delete', bridge));
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    namespaces.forEach((namespace, node) => {
      const peer = `${PEER_PREFIX}${run}n${node}`;
      ip('netns', 'add', namespace);
      ip('link', 'add', hostLinks[node], 'type', 'veth', 'peer', 'name', peer);
      ip('link', 'set', hostLinks[node], 'master', bridge);
      ip('link', 'set', hostLinks[node], 'up');
      ip('link', 'set', peer, 'netns', namespace);
      ip('-n', namespace, 'link', 'set', peer, 'name', 'eth0');
      ip('-n', namespace, 'addr', 'add', `${addresses[node]}/24`, 'dev', 'eth0');
      ip('-n', namespace, 'link', 'set', 'eth0', 'up');
      ip('-n', namespace, 'link', 'set', 'lo', 'up');
    });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    kind: 'namespaces',
    addresses,
    commandFor: (node, command, args) => ({ command: 'ip', args: ['netns', 'exec', namespaces[node], command, ...args] }),
    canCut: true,
    cut: (node) => ip('link', 'set', hostLinks[node], 'down'),
    heal: (node) => ip('link', 'set', hostLinks[node], 'up'),
    remove,
  };
}

/** Three loopback addresses 127.x.y.1-3 of this run (x.y from its pid), with fixed ports. */
export function loopbackNetwork(size: number): ClusterNetwork {
  const base = `127.${100 + ((process.pid >> 8) % 150)}.${process.pid % 256}`;
  return {
    kind: 'loopback',
    addresses: Array.from({ length: size }, (_, node) => `${base}.${node + 1}`),
    commandFor: (_node, command, args) => ({ command, args }),
    canCut: false,
    cut: () => {
      throw new Error('a loopback cluster cannot cut a server off');
    },
    heal: () => undefined,
    remove: () => undefined,
  };
}

function safely<T>(action: () => T): T | '' {
  try {
    return action();
  } catch {
    return '';
  }
}
