import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { requireBuild } from './local-platform';

const REPO = join(__dirname, '..', '..');

/** Runs the built access service with `env` until it exits (it must, by itself); its exit code and everything it wrote. */
function startAccess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/services/access/src/main.js')], {
    // Nothing to connect to: a service that got past its configuration would hang on NATS, not answer.
    env: { PATH: process.env.PATH, PORT: '0', NATS_URL: 'nats://127.0.0.1:1', MONGO_URL: 'mongodb://127.0.0.1:1/', CAIRN_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    }),
  );
}

/** A service does not start with a sign-in anyone can forge, nor with one it cannot check. */
describe('a service refuses to start with a sign-in it cannot trust', () => {
  beforeAll(requireBuild);

  it('dev mode with the published secret, listening on every address: exits 1 saying why', async () => {
    const { code, output } = await startAccess({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET, HOST: '0.0.0.0' });

    expect(code).toBe(1);
    expect(output).toContain('failed to start');
    expect(output).toContain('CAIRN_DEV_JWT_SECRET is the published local secret');
    expect(output).toContain('refused on HOST=0.0.0.0');
    expect(output).not.toContain('listening on');
  }, 30_000);

  it('key-set mode (the default) without an issuer: exits 1 naming CAIRN_JWT_ISSUER', async () => {
    const { code, output } = await startAccess({ HOST: '0.0.0.0', CAIRN_JWKS_URL: 'https://idp.example.org/certs', CAIRN_JWT_AUDIENCE: 'cairn' });

    expect(code).toBe(1);
    expect(output).toContain('JWT verification needs CAIRN_JWT_ISSUER');
    expect(output).not.toContain('listening on');
  }, 30_000);
});
