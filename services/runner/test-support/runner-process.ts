import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@cairn/testing';
import { listeningUrlIn } from '@cairn/telemetry';
import type { ProtocolTestbed } from './testbed';

const REPO = join(__dirname, '../../..');

export interface RunnerProcess {
  child: ChildProcess;
  url: string;
  /** Its exit code, once it has exited (its scratch folder is removed then). */
  exited: Promise<number | null>;
  output(): string;
}

/**
 * `main.ts` as its own process, from source (as `node dist/services/runner/src/main.js` runs it built),
 * speaking to the testbed in dev mode, with a scratch folder of its own; ready once `/health/ready` is.
 */
export async function startRunnerProcess(
  testbed: ProtocolTestbed,
  options: { runnerId: string; secret: string; args: string[]; env?: NodeJS.ProcessEnv },
): Promise<RunnerProcess> {
  await testbed.nats.register({ kind: 'runner', id: options.runnerId });
  const scratch = mkdtempSync(join(tmpdir(), 'cairn-runner-process-'));
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'services/runner/src/main.ts', ...options.args], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      ...testbed.nats.env({ kind: 'runner', id: options.runnerId }),
      CAIRN_API_URL: testbed.files.url,
      CAIRN_AUTH_MODE: 'dev',
      CAIRN_DEV_JWT_SECRET: options.secret,
      CAIRN_RUNNER_ID: options.runnerId,
      CAIRN_RUNNER_SCRATCH: scratch,
      PORT: '0',
      TS_NODE_PROJECT: 'tsconfig.json',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(scratch, { recursive: true, force: true });
      resolve(code);
    }),
  );
  let url: string | undefined;
  await waitUntil(`the runner process (${output})`, async () => {
    url ??= listeningUrlIn(output);
    return url !== undefined && (await fetch(`${url}/health/ready`)).ok;
  }, 60_000);
  return { child, url: url!, exited, output: () => output };
}
