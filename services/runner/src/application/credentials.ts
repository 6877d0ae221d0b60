import { decodeJwt } from 'jose';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { assertDevSecret, signDevRunnerToken } from '@cairn/auth';
import { RUNNER_ID_PATTERN } from '@cairn/contracts';
import { RunnerConfigurationError } from '../domain/queues';

/** Who the runner is, and the bearer token it sends on every request. */
export interface RunnerCredentials {
  runnerId: string;
  bearer(): Promise<string>;
}

/** A dev token lives this long, and is signed afresh once less than the margin is left. */
const DEV_TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;
const DEV_TOKEN_RENEWAL_MARGIN_MS = 60 * 60 * 1000;

/** `runner-<host>-<pid>`, with the host name cut to what a subject token may hold. */
export function defaultRunnerId(host = hostname(), pid = process.pid): string {
  const safeHost = host.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) || 'host';
  return `runner-${safeHost}-${pid}`;
}

/**
 * The runner's identity from its environment: `CAIRN_RUNNER_TOKEN` or the file `CAIRN_RUNNER_TOKEN_FILE`
 * names (a token with `cairn_runner: true`; its `sub` is the runner id), or in dev mode
 * (`CAIRN_AUTH_MODE=dev`) a token it signs itself with `CAIRN_DEV_JWT_SECRET` for `CAIRN_RUNNER_ID`
 * (default `runner-<host>-<pid>`).
 */
export function runnerCredentialsFrom(env: NodeJS.ProcessEnv): RunnerCredentials {
  const token = env.CAIRN_RUNNER_TOKEN || tokenFromFile(env.CAIRN_RUNNER_TOKEN_FILE);
  if (token) {
    let claims: ReturnType<typeof decodeJwt>;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new RunnerConfigurationError('CAIRN_RUNNER_TOKEN is not a JWT');
    }
    if (claims.cairn_runner !== true) throw new RunnerConfigurationError('CAIRN_RUNNER_TOKEN is not a runner token (its cairn_runner claim is not true)');
    const runnerId = claims.sub ?? '';
    if (!RUNNER_ID_PATTERN.test(runnerId)) throw new RunnerConfigurationError(`CAIRN_RUNNER_TOKEN names runner "${runnerId}", which is not a valid runner id`);
    if (env.CAIRN_RUNNER_ID && env.CAIRN_RUNNER_ID !== runnerId) {
      throw new RunnerConfigurationError(`CAIRN_RUNNER_ID is "${env.CAIRN_RUNNER_ID}" but CAIRN_RUNNER_TOKEN is runner "${runnerId}"'s`);
    }
    return { runnerId, bearer: () => Promise.resolve(token) };
  }
  if (env.CAIRN_AUTH_MODE !== 'dev') {
    throw new RunnerConfigurationError('set CAIRN_RUNNER_TOKEN to a runner token, or CAIRN_AUTH_MODE=dev with CAIRN_DEV_JWT_SECRET for a local runner');
  }
  const secret = env.CAIRN_DEV_JWT_SECRET;
  assertDevSecret(secret, 'CAIRN_DEV_JWT_SECRET (needed by CAIRN_AUTH_MODE=dev)');
  const runnerId = env.CAIRN_RUNNER_ID || defaultRunnerId();
  if (!RUNNER_ID_PATTERN.test(runnerId)) throw new RunnerConfigurationError(`CAIRN_RUNNER_ID "${runnerId}" may hold only letters, digits, '_' and '-' (at most 64)`);
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return {
    runnerId,
    bearer() {
      if (!current || Date.now() >= current.renewAt) {
        current = { token: signDevRunnerToken(runnerId, secret, `${DEV_TOKEN_LIFETIME_MS / 1000}s`), renewAt: Date.now() + DEV_TOKEN_LIFETIME_MS - DEV_TOKEN_RENEWAL_MARGIN_MS };
      }
      return current.token;
    },
  };
}

/** A mounted secret holding the token (a Kubernetes runner pod's own, copied by its init container). */
function tokenFromFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new RunnerConfigurationError(`CAIRN_RUNNER_TOKEN_FILE ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
