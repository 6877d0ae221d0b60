import { join, resolve } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { DEMO_TEMPLATES } from '@cairn/runner';
import { DEMO_PEOPLE, DEV_USER, demoToken } from './demo-people';
import { startPlatform } from './platform';

/** Signs each demo person in once (any call records them in the directory), so they can be added to labs by name. */
async function introduceDemoPeople(edgeUrl: string, secret: string): Promise<void> {
  for (const person of DEMO_PEOPLE) {
    await fetch(`${edgeUrl}/api/labs`, { headers: { authorization: `Bearer ${await demoToken(person.username, secret)}` } });
  }
}

/**
 * Registers the runner's demo templates through the API as a facility admin. Idempotent: a version that
 * is registered already (409) is what a second start finds.
 */
async function registerDemoTemplates(edgeUrl: string, adminToken: string, log: (line: string) => void): Promise<void> {
  for (const template of DEMO_TEMPLATES) {
    const name = `${template.name}@${template.version}`;
    const response = await fetch(`${edgeUrl}/api/job-templates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(template),
    }).catch((error: Error) => error);
    if (response instanceof Error) log(`template ${name} not registered: ${response.message}`);
    else if (response.ok) log(`template ${name} registered`);
    else if (response.status === 409) log(`template ${name} registered before`);
    else {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
      log(`template ${name} not registered: ${response.status} ${problem.detail ?? problem.title ?? ''}`.trim());
    }
  }
}

/** `npm start`: the whole platform on this machine, until Ctrl-C. */
async function main(): Promise<void> {
  const home = resolve(process.env.CAIRN_HOME ?? join(__dirname, '../../../.cairn'));
  const secret = process.env.CAIRN_DEV_JWT_SECRET ?? LOCAL_DEV_JWT_SECRET;
  const env = {
    CAIRN_AUTH_MODE: process.env.CAIRN_AUTH_MODE ?? 'dev',
    CAIRN_DEV_JWT_SECRET: secret,
  };
  console.log(`Starting Cairn (data in ${home}) ...`);
  const platform = await startPlatform({
    homeDir: home,
    edgePort: Number(process.env.CAIRN_PORT ?? 8080),
    env,
    log: (line) => console.log(`  ${line}`),
  });
  const token = await demoToken(DEV_USER.username, secret);
  await registerDemoTemplates(platform.edgeUrl, token, (line) => console.log(`  ${line}`));
  const devMode = env.CAIRN_AUTH_MODE === 'dev';
  if (devMode) await introduceDemoPeople(platform.edgeUrl, secret);
  const consoleLink = devMode
    ? `${platform.edgeUrl}/sign-in?as=${DEV_USER.username}   (signs you in as ${DEV_USER.username}; switch to ${DEMO_PEOPLE.slice(1).map((person) => person.username).join(', ')} there)`
    : `${platform.edgeUrl}/   (signs in through CAIRN_OIDC_ISSUER)`;
  console.log(`
Cairn is up: ${platform.edgeUrl}/api
  The console: ${consoleLink}
  A dev token for 'alice' (facility admin), valid 12 h:
    export TOKEN=${token}
  More tokens: npm run token -- <username> [--admin]
  Try: curl -s -X POST ${platform.edgeUrl}/api/labs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Crystallography"}'
Press Ctrl-C to stop everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping services and servers ...`);
    await platform.stop();
    console.log('Stopped. Nothing is left running.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`Cairn could not start: ${error.message}`);
  process.exit(1);
});
