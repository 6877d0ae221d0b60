import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment, JobSandbox } from '@cairn/contracts';
import { waitUntil } from '@cairn/testing';
import { JOB_LOG_NAME } from './application/job-log-file';
import { CRATE_METADATA_NAME } from './domain/ro-crate';
import { startRunnerProcess, type RunnerProcess } from '../test-support/runner-process';
import { assignmentOf, nodeCommand, startProtocolTestbed, type ProtocolTestbed } from '../test-support/testbed';

jest.setTimeout(90_000);

/**
 * The sandbox of the local backend, seen by jobs that try to get out of it, run by the runner process
 * as `npm start` runs it: its environment holds the secret that signs every token.
 */
const SECRET = 'a-sandbox-test-secret-of-at-least-32-characters';
const RUNNER_ID = 'runner-sandboxed';

const bubblewrapMissing = (process.env.PATH ?? '').split(':').some((folder) => folder !== '' && existsSync(join(folder, 'bwrap')))
  ? ''
  : " (skipped: bubblewrap is not installed; deploy/local/install-tools.sh installs Debian's bubblewrap as root)";
const describeWithBubblewrap = bubblewrapMissing ? describe.skip : describe;

let testbed: ProtocolTestbed;
let runner: RunnerProcess | undefined;

beforeAll(async () => {
  testbed = await startProtocolTestbed(SECRET);
  if (bubblewrapMissing) return;
  runner = await startRunnerProcess(testbed, {
    runnerId: RUNNER_ID,
    secret: SECRET,
    args: ['--queues', 'cpu/standard'],
    env: { CAIRN_RUNNER_MAX_PROCESSES: '64' },
  });
});

afterAll(async () => {
  runner?.process.signal('SIGTERM');
  await runner?.exited;
  await testbed?.stop();
});

let jobCounter = 0;

async function run(command: string[], sandbox?: JobSandbox, overrides: Partial<Assignment> = {}) {
  jobCounter += 1;
  const job = await testbed.queue(assignmentOf(`sandbox-${jobCounter}-${Date.now()}`, { command, timeLimitSeconds: 60, ...(sandbox && { sandbox }), ...overrides }));
  const end = await testbed.jobs.untilFinished(job.jobId, 60_000);
  return { job, end, log: testbed.jobs.logText(job.jobId) };
}

const sh = (script: string, ...args: string[]) => ['sh', '-c', script, 'sh', ...args];

/** A node script that connects to each port on loopback and prints how it went. */
const connectScript = `
const net = require('net');
const ports = process.argv.slice(1).map(Number);
Promise.all(ports.map((port) => new Promise((done) => {
  const socket = net.connect({ host: '127.0.0.1', port }, () => { console.log('connected to ' + port); socket.destroy(); done(true); });
  socket.on('error', (error) => { console.log('no connection to ' + port + ': ' + error.code); done(false); });
}))).then((connected) => process.exit(connected.every(Boolean) ? 0 : 1));`;

const portOf = (url: string) => new URL(url).port;

/** The processes on this machine with `word` among their arguments (their ids outside the sandbox). */
const processesWith = (word: string) =>
  readdirSync('/proc').filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(word);
    } catch {
      return false;
    }
  });

describeWithBubblewrap(`a job in the sandbox of the local backend${bubblewrapMissing}`, () => {
  it("reads no process's environment but its own: the runner's secret and token stay out of reach", async () => {
    const { end, log } = await run(sh('for file in /proc/*/environ; do echo "== $file"; tr "\\0" "\\n" < "$file"; done; cat /proc/$PPID/environ; true'));

    expect(end.outcome).toBe('succeeded');
    expect(log).toContain('== /proc/1/environ');
    expect(log).not.toContain(SECRET);
    expect(log).not.toMatch(/CAIRN_|NATS_URL/);
  });

  it("sees neither the runner's home nor its scratch folder's other jobs: listing them fails", async () => {
    const home = homedir();
    const { end, log } = await run(sh('ls -a "$1"', home));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', exitCode: 2 } });
    expect(log).toContain(`cannot access '${home}': No such file or directory`);
  });

  it('writes nowhere but its job folder: system folders are read-only', async () => {
    const { end, log } = await run(sh('touch /usr/cairn-was-here || touch /etc/cairn-was-here'));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor' } });
    expect(log).toContain('Read-only file system');
  });

  it('has no network: NATS and the HTTP API on loopback cannot be reached', async () => {
    const { end, log } = await run(nodeCommand(connectScript, portOf(testbed.nats.url), portOf(testbed.files.url)));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', exitCode: 1 } });
    expect(log).toMatch(new RegExp(`no connection to ${portOf(testbed.nats.url)}: E[A-Z]+`));
    expect(log).toMatch(new RegExp(`no connection to ${portOf(testbed.files.url)}: E[A-Z]+`));
  });

  it('has the network when its template asks for it', async () => {
    const { end, log } = await run(nodeCommand(connectScript, portOf(testbed.files.url)), { network: true });

    expect(end.outcome).toBe('succeeded');
    expect(log).toContain(`connected to ${portOf(testbed.files.url)}`);
  });

  it("is stopped when it forks without end, failing as executor with the runner's ceiling of processes", async () => {
    const marker = `fork-${Date.now()}`;
    // bash retries a refused fork for a while, so its processes hold the limit; a shell that gives up at once ends by its own error.
    const { end } = await run(['bash', '-c', 'while true; do sleep 1000 & done', 'bash', marker], { limits: { processes: 10_000 } });

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command reached its limit of 64 processes (threads included) and was stopped' } });
    await waitUntil('every process of the job is gone', async () => processesWith(marker).length === 0, 10_000);
  });

  it('is stopped when it writes past its output limit, and none of its outputs are uploaded', async () => {
    const { job, end } = await run(sh('head -c 3000000 /dev/zero > "$1/big.bin"', '{{outputDir}}'), { limits: { outputBytes: 1024 * 1024 } });

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command reached its output limit of 1 MiB and was stopped' } });
    // The runner leaves the job's log and crate in the folder whatever the outcome; nothing the command wrote goes there.
    const uploaded = testbed.files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder)).map((upload) => upload.path);
    expect(uploaded).toEqual([`${job.outputFolder}${JOB_LOG_NAME}`, `${job.outputFolder}${CRATE_METADATA_NAME}`]);
  });

  it('fails when it leaves more output files than its limit allows', async () => {
    const { end } = await run(sh('for i in 1 2 3 4 5; do echo $i > "$1/part-$i.txt"; done', '{{outputDir}}'), { limits: { outputFiles: 3 } });

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command reached its limit of 3 output files and was stopped' } });
  });

  it('is stopped when its processes use more memory together than its limit', async () => {
    const hog = "const kept = []; setInterval(() => kept.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20)";
    const { end } = await run(nodeCommand(hog), { limits: { memoryBytes: 256 * 1024 * 1024 } });

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command reached its memory limit of 256 MiB and was stopped' } });
  });

  it('is stopped when its processes use more CPU time together than its limit', async () => {
    const spin = "for (let i = 0; i < 2; i += 1) require('child_process').spawn(process.execPath, ['-e', 'for (;;) {}']); for (;;) {}";
    const { end } = await run(nodeCommand(spin), { limits: { cpuSeconds: 2 } });

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command reached its CPU time limit of 2 s and was stopped' } });
  });
});

describeWithBubblewrap(`a job of a runner whose sandbox has no /proc (CAIRN_RUNNER_SANDBOX_PROC=none, for containers)${bubblewrapMissing}`, () => {
  it("sees no process at all, and still runs the demo programs' node", async () => {
    const procless = await startRunnerProcess(testbed, { runnerId: 'runner-procless', secret: SECRET, args: ['--queues', 'gpu/standard'], env: { CAIRN_RUNNER_SANDBOX_PROC: 'none' } });
    try {
      const { end, log } = await run(sh('ls /proc; node -e "console.log(\'node runs\')"'), undefined, { machine: { type: 'gpu', performance: 'standard' } });
      expect(end).toMatchObject({ outcome: 'succeeded', runnerId: 'runner-procless' });
      expect(log).toContain("cannot access '/proc': No such file or directory");
      expect(log).toContain('node runs');
      expect(log).not.toContain(SECRET);
    } finally {
      procless.process.signal('SIGTERM');
      await procless.exited;
    }
  });
});

describeWithBubblewrap(`the health answers of a sandboxed runner${bubblewrapMissing}`, () => {
  it('name bubblewrap', async () => {
    expect(await (await fetch(`${runner!.url}/health/ready`)).json()).toEqual({ status: 'ok', runnerId: RUNNER_ID, sandbox: 'bubblewrap' });
  });
});

/** The runner process with `env`, without a health port: its exit code and everything it printed. */
function runnerExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'services/runner/src/main.ts'], {
    cwd: join(__dirname, '../../..'),
    env: { PATH: process.env.PATH, NATS_URL: testbed.nats.url, CAIRN_API_URL: testbed.files.url, CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: SECRET, TS_NODE_PROJECT: 'tsconfig.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('where bubblewrap cannot run (here: CAIRN_RUNNER_BWRAP names no program)', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cairn-unsandboxed-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const missing = () => ({ CAIRN_RUNNER_BWRAP: '/nonexistent/bwrap', CAIRN_RUNNER_SCRATCH: scratch });

  it('the runner refuses to start, saying why and how to run unsandboxed', async () => {
    const { code, output } = await runnerExit({ CAIRN_RUNNER_ID: 'runner-refused', ...missing() });

    expect(code).toBe(1);
    expect(output).toMatch(/the runner could not start: bubblewrap cannot run here: .*\/nonexistent\/bwrap.*; .* set CAIRN_RUNNER_SANDBOX=none to run them unsandboxed/);
  });

  it('with CAIRN_RUNNER_SANDBOX=none it starts, warns at start, and its health answer says sandbox: none', async () => {
    const unsandboxed = await startRunnerProcess(testbed, { runnerId: 'runner-unsandboxed', secret: SECRET, args: ['--queues', 'gpu/turbo'], env: { CAIRN_RUNNER_SANDBOX: 'none', ...missing() } });
    try {
      expect(await (await fetch(`${unsandboxed.url}/health/live`)).json()).toEqual({ status: 'ok', sandbox: 'none' });
      expect(unsandboxed.output()).toContain('CAIRN_RUNNER_SANDBOX=none: jobs run without a sandbox');
    } finally {
      unsandboxed.process.signal('SIGTERM');
      await unsandboxed.exited;
    }
  });
});
