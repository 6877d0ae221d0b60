import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { listeningUrlIn } from '@cairn/telemetry';

/** Whether a process with this pid exists (one of another user counts: signalling it is merely refused). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `probe` until it answers true; past `timeoutMs`, or once `signal` aborts, it rejects. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
// Last resort when a test process exits without its afterAll: never leave a server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server child process whose output goes to a log file (read it when a test fails). */
export class ServerProcess {
  private child?: ChildProcess;
  private exit?: Promise<ProcessExit>;
  private listeningSaid?: Promise<string>;
  private readonly lineListeners: ((line: string) => void)[] = [];

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    readonly logFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let listeningAt: (url: string) => void = () => undefined;
    this.listeningSaid = new Promise((resolve) => (listeningAt = resolve));
    for (const output of [child.stdout, child.stderr]) {
      if (!output) continue;
      createInterface({ input: output }).on('line', (line) => {
        const url = listeningUrlIn(line);
        if (url) listeningAt(url);
        this.lineListeners.forEach((listener) => listener(line));
      });
    }
    running.add(child);
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }));
    this.child = child;
  }

  /** Also hands each line the process writes to `listener` (call before `start`). */
  onLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /**
   * The URL the process says it listens on (its `listeningLine`): how a server started on port 0 tells
   * which port it got. Rejects if the process exits first.
   */
  listeningUrl(): Promise<string> {
    if (!this.listeningSaid) throw new Error(`${this.name} was never started`);
    const exited = this.exited().then((exit) => {
      throw new Error(`${this.name} exited (${exit.signal ?? `code ${exit.code}`}) before it said where it listens (log: ${this.logFile})`);
    });
    return Promise.race([this.listeningSaid, exited]);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Settles when the started process exits, whoever ends it. */
  exited(): Promise<ProcessExit> {
    if (!this.exit) throw new Error(`${this.name} was never started`);
    return this.exit;
  }

  /** Sends the signal and returns at once: SIGSTOP freezes the process (its connections stay open), SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Sends the signal and waits for the process to exit; SIGKILL after a grace period. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
