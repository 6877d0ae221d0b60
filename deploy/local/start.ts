import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prettyFactory } from 'pino-pretty';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { PRETTY_OPTIONS } from '@cairn/telemetry';
import { demoTemplatesDir, dialsUnavailableReason, openBabelUnavailableReason } from '@cairn/testing';
import { DEMO_PEOPLE, DEV_USER, demoToken } from './demo-people';
import { applyTemplates } from './templates';
import { PLATFORM_FILE, startPlatform, type PlatformAddress } from './platform';
import type { ServiceName } from './routes';

/** Signs each demo person in once (any call records them in the directory), so they can be added to labs by name. */
async function introduceDemoPeople(edgeUrl: string, secret: string): Promise<void> {
  for (const person of DEMO_PEOPLE) {
    await fetch(`${edgeUrl}/api/labs`, { headers: { authorization: `Bearer ${await demoToken(person.username, secret)}` } });
  }
}

/**
 * At a terminal, the services' log lines (JSON in their log files) are shown as they come, coloured
 * and one line each; piped or in CI, only the launcher's own lines.
 */
function terminalOutput(): ((service: ServiceName, line: string) => void) | undefined {
  if (!process.stdout.isTTY) return undefined;
  const pretty = prettyFactory(PRETTY_OPTIONS);
  return (_service, line) => {
    if (!line.startsWith('{')) return void process.stdout.write(`${line}\n`);
    try {
      process.stdout.write(pretty(JSON.parse(line)));
    } catch {
      process.stdout.write(`${line}\n`);
    }
  };
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
    serviceOutput: terminalOutput(),
  });
  const address: PlatformAddress = { edgeUrl: platform.edgeUrl, natsUrl: platform.natsUrl, mongoUrl: platform.mongoUrl, natsCredentialsDir: platform.natsCredentialsDir };
  writeFileSync(join(home, PLATFORM_FILE), `${JSON.stringify(address, null, 2)}\n`);
  const token = await demoToken(DEV_USER.username, secret);
  await applyTemplates({ dir: demoTemplatesDir(), apiUrl: platform.edgeUrl, token, log: (line) => console.log(`  template ${line}`) }).catch((error: Error) =>
    console.log(`  the demo templates were not registered: ${error.message}`),
  );
  // The demo templates' programs the runner cannot find make their jobs fail: say so now, not at the first job.
  for (const [template, unavailable] of [['Render Molecule', openBabelUnavailableReason()], ['DIALS', dialsUnavailableReason()]] as const) {
    console.log(unavailable ? `  template ${template}: its jobs will fail here: ${unavailable}` : `  template ${template}: its program is installed`);
  }
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
  Both guides, step by step, by several people: npm run demo
  Try: curl -s -X POST ${platform.edgeUrl}/api/labs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Crystallography"}'
Press Ctrl-C to stop everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping services and servers ...`);
    rmSync(join(home, PLATFORM_FILE), { force: true });
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
