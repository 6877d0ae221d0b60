import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { DEV_USER, demoToken } from './demo-people';
import { crateDownloadOf, downloadCrate } from './job-crate-download';
import { AUDIT_SIGNING_KEY_FILE, natsEnvOf, platformHome, REPO, startedPlatform } from './platform';
import { applyTemplates, type TemplateOutcome } from './templates';

/**
 * `npm run cairn`: `jobs crate` fetches a job's crate over the API, `templates apply DIR` (./templates.ts) registers
 * template files over the jobs API; everything else is the access service's command line. Where the environment names no NATS, it is aimed at
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

const TEMPLATES_USAGE = `usage: npm run cairn -- templates apply DIR [--api URL] [--token TOKEN]

Registers every template file (*.yaml, *.yml, *.json) of DIR through the jobs API (deploy/templates/README.md).
--api (or CAIRN_API_URL): the platform's URL; default: the one npm start runs.
--token (or CAIRN_TOKEN): a facility admin's token; default, against npm start's platform in dev mode: alice's
dev token, signed with CAIRN_DEV_JWT_SECRET or the local default secret.
Exit 0 when every file is registered or unchanged, 1 when one is refused, 2 for a usage error.`;

/** `npm run cairn -- templates ...`: the exit code. */
async function templatesCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { api: { type: 'string' }, token: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${TEMPLATES_USAGE}`);
    return 2;
  }
  const [verb, dir, ...rest] = parsed.positionals;
  if (verb !== 'apply' || !dir || rest.length > 0) {
    console.error(TEMPLATES_USAGE);
    return 2;
  }
  const apiUrl = parsed.values.api ?? env.CAIRN_API_URL ?? startedPlatform(platformHome(env)).edgeUrl;
  if (!apiUrl) {
    console.error(`no platform to register with: start one (npm start) or name it with --api or CAIRN_API_URL\n\n${TEMPLATES_USAGE}`);
    return 2;
  }
  const token = parsed.values.token ?? env.CAIRN_TOKEN ?? (await demoToken(DEV_USER.username, env.CAIRN_DEV_JWT_SECRET ?? LOCAL_DEV_JWT_SECRET));
  const outcomes = await applyTemplates({ dir: resolve(dir), apiUrl, token, log: (line) => console.log(line) });
  const count = (outcome: TemplateOutcome['outcome']) => outcomes.filter((each) => each.outcome === outcome).length;
  console.log(`${outcomes.length} template file(s) in ${dir}: ${count('registered')} registered, ${count('unchanged')} unchanged, ${count('refused')} refused`);
  return count('refused') > 0 ? 1 : 0;
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

if (process.argv[2] === 'templates') {
  void templatesCommand(process.argv.slice(3), process.env).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`templates: ${error.message}`);
      process.exit(1);
    },
  );
} else {
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
}
