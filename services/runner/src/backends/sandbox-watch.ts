import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { brokenLimit, type SandboxLimits, type SandboxUsage } from '../domain/sandbox-limits';
import type { JobLimitName } from '@cairn/contracts';

/** Linux reports CPU time in `/proc/<pid>/stat` in ticks of 1/100 s on every architecture (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The processes of one PID namespace as the runner sees them: their ids outside it. */
export async function processesIn(pidNamespace: number): Promise<number[]> {
  const wanted = `pid:[${pidNamespace}]`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const namespace = await readlink(`/proc/${entry}/ns/pid`).catch(() => undefined);
    if (namespace === wanted) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Tasks (threads included, as the kernel's process limit counts them), resident memory and CPU seconds
 * of these processes together. A process's CPU time includes that of the children it has reaped, and
 * the namespace's first process reaps every orphan, so nothing that ended is lost.
 */
async function processUsage(pids: readonly number[]): Promise<Pick<SandboxUsage, 'processes' | 'memoryBytes' | 'cpuSeconds'>> {
  let processes = 0;
  let memoryBytes = 0;
  let ticks = 0;
  for (const pid of pids) {
    const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''), readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')]);
    processes += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    memoryBytes += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    // Fields after the command name (which may hold spaces and parentheses): utime, stime, cutime, cstime are the 14th to 17th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += [11, 12, 13, 14].reduce((sum, index) => sum + (Number(fields[index]) || 0), 0);
  }
  return { processes, memoryBytes, cpuSeconds: ticks / TICKS_PER_SECOND };
}

/** Files below `folder` and their bytes, counted until either passes its limit (a job may leave millions). */
export async function outputUsage(folder: string, limits: Pick<SandboxLimits, 'outputFiles' | 'outputBytes'>): Promise<Pick<SandboxUsage, 'outputFiles' | 'outputBytes'>> {
  const usage = { outputFiles: 0, outputBytes: 0 };
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      if (usage.outputFiles > limits.outputFiles || usage.outputBytes > limits.outputBytes) return;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        usage.outputFiles += 1;
        usage.outputBytes += (await lstat(path).catch(() => ({ size: 0 }))).size;
      }
    }
  };
  await walk(folder);
  return usage;
}

/**
 * Follows one sandboxed command's processes and output folder, a few times a second, and calls
 * `broken` once with the first limit it breaks. The kernel's own bounds (`prlimit`) sit just past
 * these, so that the runner sees a limit broken and can name it before the kernel acts on it.
 */
export class SandboxWatch {
  private timer?: NodeJS.Timeout;
  private checking = false;
  private sandbox?: { pidNamespace: number; initPid: number };

  constructor(
    private readonly limits: SandboxLimits,
    private readonly outputDir: string,
    private readonly broken: (limit: JobLimitName) => void,
    private readonly intervalMs = 200,
  ) {}

  /** Starts following the PID namespace bubblewrap reported, and its first process (bubblewrap's own, which reaps the others). */
  follow(pidNamespace: number, initPid: number): void {
    this.sandbox = { pidNamespace, initPid };
    this.timer = setInterval(() => void this.check(), this.intervalMs);
  }

  /** The sandbox's processes now, its first one included. */
  processes(): Promise<number[]> {
    return this.sandbox ? processesIn(this.sandbox.pidNamespace) : Promise.resolve([]);
  }

  /** The command's processes now: the sandbox's but its first one, whose end ends them all at once. */
  async commandProcesses(): Promise<number[]> {
    return (await this.processes()).filter((pid) => pid !== this.sandbox?.initPid);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.checking || !this.sandbox) return;
    this.checking = true;
    try {
      const usage = { ...(await processUsage(await this.processes())), ...(await outputUsage(this.outputDir, this.limits)) };
      const limit = brokenLimit(usage, this.limits);
      if (limit) {
        this.stop();
        this.broken(limit);
      }
    } finally {
      this.checking = false;
    }
  }
}
