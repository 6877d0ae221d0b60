import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { tcpAccepts } from '@cairn/testing';
import { ServiceExitedError, startPlatform } from '@cairn/local-platform';
import { requireBuild } from './local-platform';

/** Processes whose command line or environment names the folder (the services get `CAIRN_DATA_DIR=<home>/data`). */
function processesNaming(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return ['cmdline', 'environ'].some((file) => readFileSync(`/proc/${pid}/${file}`).toString().includes(folder));
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** Starts the platform as `npm start` does, expecting it to fail; returns the error, what it logged, and its home. */
async function failedStart(env: NodeJS.ProcessEnv) {
  const homeDir = mkdtempSync(join(tmpdir(), 'cairn-start-'));
  const lines: string[] = [];
  const error = await startPlatform({ homeDir, edgePort: 0, env, log: (line) => lines.push(line) }).then(
    (platform) => platform.stop().then(() => new Error('the platform started')),
    (refusal: Error) => refusal,
  );
  const portsOf = (server: string) => lines.filter((line) => line.startsWith(server)).map((line) => Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]));
  return { error, homeDir, serverPorts: [...portsOf('nats-server'), ...portsOf('FerretDB')] };
}

/**
 * `npm start` (deploy/local/platform.ts) with a service that cannot start: the failure is reported as
 * soon as the process exits (not after the readiness wait of a minute), with the first error line of
 * its log and the log's path, and everything started so far is stopped.
 */
describe('npm start fails fast', () => {
  beforeAll(requireBuild);

  it('a dev secret shorter than 32 characters: the service that exits is named with the line of its log that says why', async () => {
    const { error, homeDir, serverPorts } = await failedStart({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: 'too-short' });

    expect(error).toBeInstanceOf(ServiceExitedError);
    const exited = error as ServiceExitedError;
    expect(exited.exit).toEqual({ code: 1, signal: null });
    expect(exited.firstErrorLine).toMatch(/ERROR .*CAIRN_DEV_JWT_SECRET .*must be at least 32 characters long \(it has 9\)/);
    expect(exited.logFile).toBe(join(homeDir, 'logs', `${exited.service}.log`));
    expect(exited.message).toContain(exited.firstErrorLine);
    expect(exited.message).toContain(`its log: ${exited.logFile}`);

    expect(processesNaming(homeDir)).toEqual([]);
    for (const port of serverPorts) expect(await tcpAccepts(port)).toBe(false);
  }, 45_000);

  it('one service that cannot start stops the others, which could', async () => {
    const { error, homeDir, serverPorts } = await failedStart({
      CAIRN_AUTH_MODE: 'dev',
      CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
      CAIRN_MAX_UPLOAD_BYTES: 'lots',
    });

    expect(error).toBeInstanceOf(ServiceExitedError);
    expect((error as ServiceExitedError).service).toBe('projects');
    expect((error as ServiceExitedError).firstErrorLine).toMatch(/CAIRN_MAX_UPLOAD_BYTES must be a positive whole number of bytes, got "lots"/);
    expect(processesNaming(homeDir)).toEqual([]);
    for (const port of serverPorts) expect(await tcpAccepts(port)).toBe(false);
  }, 45_000);
});
