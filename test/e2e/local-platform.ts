import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';

/** The e2e tests run the compiled services in dist/ (the test command builds them first). */
export function requireBuild(): void {
  if (!existsSync(join(__dirname, '../../dist/services/access/src/main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (npm test does) before the e2e tests');
  }
}

/** The platform as `npm start` runs it (local dev tokens, and any `env` a spec adds), in a fresh home folder named after the spec. */
export async function startLocalPlatform(label: string, env: NodeJS.ProcessEnv = {}): Promise<RunningPlatform> {
  requireBuild();
  return startPlatform({
    homeDir: mkdtempSync(join(tmpdir(), `cairn-${label}-`)),
    edgePort: 0,
    env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET, ...env },
  });
}
