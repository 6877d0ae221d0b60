import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REPO = join(__dirname, '../..');

/**
 * The console's typed client is what the running services' OpenAPI documents say: a service whose
 * answers changed without `npm run console:client` fails here, naming the file to regenerate. The
 * check runs as its own process (openapi-typescript is an ES module, which Jest's CommonJS cannot load).
 */
describe("the console's generated client", () => {
  it('matches the OpenAPI document of every running service (else: npm run console:client)', async () => {
    const script = join(REPO, 'dist/deploy/local/console-client.js');
    if (!existsSync(script)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (npm test does) before the e2e tests');
    const run = promisify(execFile)(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), script, '--check'], { cwd: REPO });
    const { stdout } = await run.catch((failure: { stdout?: string; message: string }) => {
      throw new Error(failure.stdout || failure.message);
    });
    expect(stdout).toMatch(/up to date services\/console\/src\/api\/generated\/access\.ts/);
    expect(stdout).toMatch(/up to date services\/console\/src\/api\/generated\/projects\.ts/);
  }, 120_000);
});
