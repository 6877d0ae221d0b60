import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { crateDownloadOf, downloadCrate } from './job-crate-download';
import { AUDIT_SIGNING_KEY_FILE, natsEnvOf, platformHome, REPO, startedPlatform } from './platform';

/**
 * `npm run cairn`: `jobs crate` fetches a job's crate over the API; everything else is the access service's command line. Where the environment names no NATS, it is aimed at
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

async function jobsCrate(): Promise<boolean> {
  const download = crateDownloadOf(process.argv.slice(2));
  if (!download) return false;
  const apiUrl = download.apiUrl ?? process.env.CAIRN_API_URL ?? startedPlatform(platformHome(process.env)).edgeUrl;
  const token = process.env.TOKEN;
  if (!apiUrl) throw new Error('no API to ask: start the platform (npm start), or name one with --api <url> or CAIRN_API_URL');
  if (!token) throw new Error('no token: export TOKEN=... (npm start prints one; npm run -s token -- <user> signs another)');
  const bytes = await downloadCrate(apiUrl, token, download);
  console.log(`wrote ${download.out}: the crate of job ${download.jobId} with its outputs (${bytes} bytes)`);
  return true;
}

jobsCrate().then(
  (done) => {
    if (done) return;
    const cli = spawn(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/services/access/src/cli.js'), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, ...localPlatformEnv(process.env) },
    });
    cli.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  },
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
