import { join, resolve } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { DEMO_PEOPLE, DEV_USER, demoToken } from './demo-people';
import { startPlatform } from './platform';

/** Signs each demo person in once (any call records them in the directory), so they can be added to labs by name. */
async function introduceDemoPeople(edgeUrl: string, secret: string): Promise<void> {
  for (const person of DEMO_PEOPLE) {
    await fetch(`${edgeUrl}/api/labs`, { headers: { authorization: `Bearer ${await demoToken(person.username, secret)}` } });
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
