import { LOCAL_DEV_JWT_SECRET, signDevRunnerToken, signDevToken } from '@cairn/auth';

const USAGE = `usage: npm run token -- <username> [--admin] [--email <address>] [--name <display name>] [--expires-in <span, e.g. 12h>]
       npm run token -- <runner id> --runner [--expires-in <span>]

Prints a dev token (CAIRN_AUTH_MODE=dev) signed with CAIRN_DEV_JWT_SECRET, or, when that is unset, with the
local default secret that \`npm start\` uses. That default is public: local use only. A runner token
(\`cairn_runner: true\`, the runner id as its subject) speaks the runner protocol and reaches only the files
of the jobs its runner holds.`;

interface TokenArguments {
  username: string;
  admin: boolean;
  runner: boolean;
  email?: string;
  name?: string;
  expiresIn?: string;
}

function parseArguments(args: string[]): TokenArguments {
  const [username, ...options] = args;
  if (!username || username.startsWith('-')) throw new Error('a username is needed');
  const parsed: TokenArguments = { username, admin: false, runner: false };
  for (let index = 0; index < options.length; index += 1) {
    const option = options[index];
    if (option === '--admin' || option === '--runner') {
      parsed[option === '--admin' ? 'admin' : 'runner'] = true;
      continue;
    }
    const value = options[index + 1];
    if (value === undefined) throw new Error(`${option} needs a value`);
    index += 1;
    if (option === '--email') parsed.email = value;
    else if (option === '--name') parsed.name = value;
    else if (option === '--expires-in') parsed.expiresIn = value;
    else throw new Error(`unknown option ${option}`);
  }
  if (parsed.runner && (parsed.admin || parsed.email !== undefined || parsed.name !== undefined)) {
    throw new Error('a runner token names the runner only: --runner goes without --admin, --email and --name');
  }
  return parsed;
}

async function main(): Promise<void> {
  let request: TokenArguments;
  try {
    request = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  // Only the token goes to stdout, so `TOKEN=$(npm run -s token -- alice)` works.
  const secret = process.env.CAIRN_DEV_JWT_SECRET ?? LOCAL_DEV_JWT_SECRET;
  console.log(request.runner ? await signDevRunnerToken(request.username, secret, request.expiresIn) : await signDevToken(request, secret));
}

main().catch((error: Error) => {
  console.error(`could not sign a token: ${error.message}`);
  process.exit(1);
});
