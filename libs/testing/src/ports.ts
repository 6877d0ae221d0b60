import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { isProcessAlive } from './processes';

/**
 * A TCP port held for one server until `release`. Servers that must be told their port in advance (a config
 * file, a restart on the same port, cluster routes, Slurm's daemons) take one of these; everything that can
 * bind port 0 itself does that instead.
 *
 * Why not "bind port 0, read it, close it, hand it out": between the close and the server's own bind, any
 * other process may take the port (the kernel hands out ephemeral ports to every `listen(0)` and outgoing
 * connection). A lease avoids both kinds of collision: its ports lie below the kernel's ephemeral range, so
 * no `listen(0)` or outgoing connection ever gets one, and each is claimed by an exclusive file that every
 * process of the run sees, so no two leases share a port while their holders live.
 */
export interface PortLease {
  readonly port: number;
  release(): void;
}

const LEASE_DIR = join(tmpdir(), 'cairn-port-leases');
const LOWEST_LEASED_PORT = 10_000;
const held = new Set<number>();

process.once('exit', () => {
  for (const port of held) unlinkQuietly(leaseFile(port));
});

/** A port no other lease holds and nothing listens on, outside the kernel's ephemeral range. */
export async function leasePort(): Promise<PortLease> {
  mkdirSync(LEASE_DIR, { recursive: true });
  const highest = firstEphemeralPort() - 1;
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = randomInt(LOWEST_LEASED_PORT, highest + 1);
    if (!claim(port)) continue;
    if (await bindable(port)) return leaseOf(port);
    release(port);
  }
  throw new Error(`no free port to lease between ${LOWEST_LEASED_PORT} and ${highest}`);
}

/**
 * Takes the lease on a given port again (a server restarted where its clients expect it), waiting while
 * the port is still bound, e.g. by the process being replaced.
 */
export async function leaseSamePort(port: number, timeoutMs = 10_000): Promise<PortLease> {
  if (held.has(port)) return leaseOf(port);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (claim(port)) {
      if (await bindable(port)) return leaseOf(port);
      release(port);
    }
    if (Date.now() > deadline) throw new Error(`port ${port} did not become free to lease again within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function leaseOf(port: number): PortLease {
  return { port, release: () => release(port) };
}

function leaseFile(port: number): string {
  return join(LEASE_DIR, String(port));
}

/** Creates the lease file exclusively; a lease whose holder has died is taken over. */
function claim(port: number): boolean {
  for (let tries = 0; tries < 2; tries += 1) {
    try {
      writeFileSync(leaseFile(port), String(process.pid), { flag: 'wx' });
      held.add(port);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderAlive(port)) return false;
      unlinkQuietly(leaseFile(port));
    }
  }
  return false;
}

function holderAlive(port: number): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(leaseFile(port), 'utf8'));
  } catch {
    return false;
  }
  // A file another process is still writing has no pid yet: count it as held.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return isProcessAlive(pid);
}

function release(port: number): void {
  if (!held.delete(port)) return;
  unlinkQuietly(leaseFile(port));
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Whether a listener could bind the port on every address (a wildcard bind fails if any address has it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > LOWEST_LEASED_PORT + 1_000) return low;
  } catch {
    // not Linux: the IANA dynamic range
  }
  return 49_152;
}
