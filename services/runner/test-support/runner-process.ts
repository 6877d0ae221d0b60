import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, waitUntil } from '@cairn/testing';
import type { ProtocolTestbed } from './testbed';

const REPO = join(__dirname, '../../..');

export interface RunnerProcess {
  process: ServerProcess;
  url: string;
  /** Its exit code, once it has exited (its scratch folder is removed then). */
  exited: Promise<number | null>;
  /** What it has written so far, both streams (its log file keeps it after the test). */
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
  const home = mkdtempSync(join(tmpdir(), 'cairn-runner-process-'));
  const scratch = join(home, 'scratch');
  mkdirSync(scratch);
  const env = {
    PATH: process.env.PATH,
    ...testbed.nats.env({ kind: 'runner', id: options.runnerId }),
    CAIRN_API_URL: testbed.files.url,
    CAIRN_AUTH_MODE: 'dev',
    CAIRN_DEV_JWT_SECRET: options.secret,
    CAIRN_RUNNER_ID: options.runnerId,
    CAIRN_RUNNER_SCRATCH: scratch,
    PORT: '0',
    TS_NODE_PROJECT: join(REPO, 'tsconfig.json'),
    ...options.env,
  };
  const runner = new ServerProcess(
    `runner ${options.runnerId}`,
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), '-r', require.resolve('tsconfig-paths/register'), join(REPO, 'services/runner/src/main.ts'), ...options.args],
    join(home, 'runner.log'),
    env,
  );
  let output = '';
  runner.onLine((line) => (output += `${line}\n`));
  runner.start();
  const exited = runner.exited().then(({ code }) => {
    rmSync(scratch, { recursive: true, force: true });
    return code;
  });
  const url = await runner.listeningUrl();
  await waitUntil(`the runner process at ${url} (log: ${runner.logFile})`, async () => (await fetch(`${url}/health/ready`)).ok, 60_000);
  return { process: runner, url, exited, output: () => output };
}
