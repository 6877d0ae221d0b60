import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AUDIT_SIGNING_KEY_FILE, natsEnvOf, platformHome, REPO, startedPlatform } from './platform';

/**
 * `npm run cairn`: the access service's command line. Where the environment names no NATS, it is aimed at
 * the platform `npm start` runs (its `platform.json`): that NATS as the `cli` identity, its FerretDB and
 * its audit signing key, so the README's `audit export` works as written. Anything set in the
 * environment wins.
 */
function localPlatformEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.NATS_URL) return {};
  const home = platformHome(env);
  const started = startedPlatform(home);
  if (!started.natsUrl) return {};
  return {
    ...natsEnvOf({ kind: 'cli' }, started.natsUrl, env.CAIRN_NATS_CREDENTIALS_DIR ?? started.natsCredentialsDir),
    ...(env.MONGO_URL || !started.mongoUrl ? {} : { MONGO_URL: started.mongoUrl }),
    ...(env.CAIRN_AUDIT_SIGNING_KEY_FILE ? {} : { CAIRN_AUDIT_SIGNING_KEY_FILE: join(home, AUDIT_SIGNING_KEY_FILE) }),
  };
}

const cli = spawn(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/services/access/src/cli.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ...localPlatformEnv(process.env) },
});
cli.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
