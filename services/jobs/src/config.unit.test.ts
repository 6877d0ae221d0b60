import { jobsConfigFromEnv } from './config';

describe('jobs settings: "timeouts configurable by env so tests are quick"', () => {
  it('heartbeat every 5 s, a runner silent for 30 s is lost, by default', () => {
    expect(jobsConfigFromEnv({})).toEqual({ heartbeatIntervalMs: 5_000, heartbeatTimeoutMs: 30_000, watchdogIntervalMs: 5_000 });
  });

  it('takes both from the environment; the watchdog looks four times per timeout', () => {
    expect(jobsConfigFromEnv({ CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '200', CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: '1500' })).toEqual({
      heartbeatIntervalMs: 200,
      heartbeatTimeoutMs: 1_500,
      watchdogIntervalMs: 375,
    });
  });

  it('refuses a timeout no longer than the interval, and values that are no durations', () => {
    expect(() => jobsConfigFromEnv({ CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '5000', CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: '5000' })).toThrow(/must be longer/);
    expect(() => jobsConfigFromEnv({ CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: 'soon' })).toThrow(/CAIRN_JOB_HEARTBEAT_TIMEOUT_MS must be a positive whole number/);
  });
});
