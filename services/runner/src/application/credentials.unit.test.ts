import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { DevTokenVerifier, signDevRunnerToken, signDevToken } from '@cairn/auth';
import { defaultRunnerId, runnerCredentialsFrom } from './credentials';

const secret = 'a-runner-credentials-secret-of-32-characters-or-more';

describe('the runner\'s identity ("the token: from CAIRN_RUNNER_TOKEN, or in dev mode signed itself")', () => {
  it('uses CAIRN_RUNNER_TOKEN as it is, its sub being the runner id', async () => {
    const token = await signDevRunnerToken('runner-gpu-7', secret);
    const credentials = runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN: token });
    expect(credentials.runnerId).toBe('runner-gpu-7');
    await expect(credentials.bearer()).resolves.toBe(token);
  });

  it('reads the token from CAIRN_RUNNER_TOKEN_FILE (a mounted secret: a Kubernetes runner pod\'s own)', async () => {
    const token = await signDevRunnerToken('runner-3', secret);
    const file = join(mkdtempSync(join(tmpdir(), 'cairn-runner-token-')), 'runner.token');
    writeFileSync(file, `${token}\n`);
    const credentials = runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN_FILE: file, CAIRN_RUNNER_ID: 'runner-3' });
    expect(credentials.runnerId).toBe('runner-3');
    await expect(credentials.bearer()).resolves.toBe(token);
    expect(() => runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN_FILE: `${file}.missing` })).toThrow(`CAIRN_RUNNER_TOKEN_FILE ${file}.missing cannot be read: ENOENT`);
  });

  it('refuses a CAIRN_RUNNER_TOKEN that is no runner\'s, or names another runner than CAIRN_RUNNER_ID', async () => {
    expect(() => runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN: 'nonsense' })).toThrow('CAIRN_RUNNER_TOKEN is not a JWT');
    const person = await signDevToken({ username: 'alice' }, secret);
    expect(() => runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN: person })).toThrow('is not a runner token');
    const other = await signDevRunnerToken('runner-b', secret);
    expect(() => runnerCredentialsFrom({ CAIRN_RUNNER_TOKEN: other, CAIRN_RUNNER_ID: 'runner-a' })).toThrow('CAIRN_RUNNER_ID is "runner-a" but CAIRN_RUNNER_TOKEN is runner "runner-b"\'s');
  });

  it('in dev mode signs its own runner token with CAIRN_DEV_JWT_SECRET for CAIRN_RUNNER_ID', async () => {
    const credentials = runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: secret, CAIRN_RUNNER_ID: 'runner-lab' });
    const token = await credentials.bearer();
    await expect(new DevTokenVerifier({ secret }).verify(token)).resolves.toMatchObject({ userId: 'runner-lab', isFacilityAdmin: false });
    expect(decodeJwt(token)).toMatchObject({ sub: 'runner-lab', cairn_runner: true });
    await expect(credentials.bearer()).resolves.toBe(token);
  });

  it('is named runner-<host>-<pid> by default, the host cut to what a subject token may hold', () => {
    expect(defaultRunnerId('node-7.cluster.example.org', 4242)).toBe('runner-node-7-cluster-example-org-4242');
    expect(runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: secret }).runnerId).toMatch(/^runner-[A-Za-z0-9_-]+-\d+$/);
  });

  it('refuses to start without a way to authenticate, or with a runner id that is no subject token', () => {
    expect(() => runnerCredentialsFrom({})).toThrow('set CAIRN_RUNNER_TOKEN to a runner token, or CAIRN_AUTH_MODE=dev with CAIRN_DEV_JWT_SECRET');
    expect(() => runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: 'short' })).toThrow('at least 32 characters');
    expect(() => runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: secret, CAIRN_RUNNER_ID: 'runner.a' })).toThrow("may hold only letters, digits, '_' and '-'");
  });
});
