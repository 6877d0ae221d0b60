import { execFileSync } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leasePort, leaseSamePort, type PortLease } from './ports';

describe('port leases: a port handed to one server is never handed to another', () => {
  const leases: PortLease[] = [];
  afterEach(() => leases.splice(0).forEach((lease) => lease.release()));

  it('hands out distinct ports below the kernel\'s ephemeral range, where no listen(0) or outgoing connection lands', async () => {
    for (let i = 0; i < 50; i += 1) leases.push(await leasePort());
    expect(new Set(leases.map((lease) => lease.port)).size).toBe(50);
    const [firstEphemeral] = execFileSync('cat', ['/proc/sys/net/ipv4/ip_local_port_range'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    for (const { port } of leases) expect(port).toBeLessThan(firstEphemeral);
  });

  it('refuses a port another live process holds, until it is released', async () => {
    const lease = await leasePort();
    leases.push(lease);
    // Another process of the run (this one's parent stands in: it is alive) holds the port now.
    lease.release();
    const leaseFile = join(tmpdir(), 'cairn-port-leases', String(lease.port));
    writeFileSync(leaseFile, String(process.ppid));
    try {
      await expect(leaseSamePort(lease.port, 300)).rejects.toThrow(/did not become free/);
    } finally {
      unlinkSync(leaseFile);
    }
  });

  it('takes over the lease of a process that has died', async () => {
    const lease = await leasePort();
    lease.release();
    const dead = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    writeFileSync(join(tmpdir(), 'cairn-port-leases', String(lease.port)), String(dead));
    const again = await leaseSamePort(lease.port, 1_000);
    leases.push(again);
    expect(again.port).toBe(lease.port);
  });

  it('waits for a port still bound (a server being replaced) before leasing it again', async () => {
    const lease = await leasePort();
    lease.release();
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(lease.port, '127.0.0.1', resolve));
    const again = leaseSamePort(lease.port, 5_000);
    setTimeout(() => occupant.close(), 300);
    leases.push(await again);
  });
});
