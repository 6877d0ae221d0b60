import { ConfigurationError } from '@cairn/runtime';

/** Settings only the jobs service reads (README's configuration table lists them). */
export interface JobsConfig {
  /** How often a runner heartbeats a job it holds (the claim's answer tells it). */
  heartbeatIntervalMs: number;
  /** A job whose runner has not heartbeated for this long fails as `system`. */
  heartbeatTimeoutMs: number;
  /** How often the watchdog looks for such jobs. */
  watchdogIntervalMs: number;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
  return value;
}

export function jobsConfigFromEnv(env: NodeJS.ProcessEnv): JobsConfig {
  const heartbeatIntervalMs = milliseconds(env, 'CAIRN_JOB_HEARTBEAT_INTERVAL_MS', 5_000);
  const heartbeatTimeoutMs = milliseconds(env, 'CAIRN_JOB_HEARTBEAT_TIMEOUT_MS', 30_000);
  if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
    throw new ConfigurationError(`CAIRN_JOB_HEARTBEAT_TIMEOUT_MS (${heartbeatTimeoutMs}) must be longer than CAIRN_JOB_HEARTBEAT_INTERVAL_MS (${heartbeatIntervalMs})`);
  }
  return { heartbeatIntervalMs, heartbeatTimeoutMs, watchdogIntervalMs: Math.max(100, Math.min(5_000, Math.floor(heartbeatTimeoutMs / 4))) };
}
