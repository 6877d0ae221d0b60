import { NATS_PING_INTERVAL_MS } from '@cairn/messaging';
import { parseRunnerArguments, runnerEnvironmentFrom } from './config';
import { DEFAULT_CEILINGS } from './domain/sandbox-limits';

describe('the runner\'s command line', () => {
  it('serves every queue with the local backend and one slot by default', () => {
    expect(parseRunnerArguments([])).toEqual({ queues: expect.arrayContaining([{ type: 'gpu', performance: 'turbo' }]), backend: 'local', slots: 1 });
    expect(parseRunnerArguments([]).queues).toHaveLength(4);
  });

  it('takes --queues, --backend and --slots', () => {
    expect(parseRunnerArguments(['--queues', 'cpu/standard,gpu/turbo', '--backend', 'local', '--slots', '2'])).toEqual({
      queues: [
        { type: 'cpu', performance: 'standard' },
        { type: 'gpu', performance: 'turbo' },
      ],
      backend: 'local',
      slots: 2,
    });
  });

  it('takes --backend slurm, which holds as many jobs as CAIRN_SLURM_MAX_SUBMITTED says rather than --slots', () => {
    expect(parseRunnerArguments(['--backend', 'slurm'])).toMatchObject({ backend: 'slurm' });
    expect(() => parseRunnerArguments(['--backend', 'slurm', '--slots', '4'])).toThrow("--slots is the local backend's");
  });

  it.each([
    [['--backend', 'k8s'], '--backend: "k8s" is not one of local, slurm'],
    [['--slots', '0'], '--slots must be an integer from 1 to 64, got "0"'],
    [['--queue', 'cpu/standard'], "Unknown option '--queue'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRunnerArguments(argv)).toThrow(message);
  });
});

describe('the runner\'s environment', () => {
  it('defaults to the local servers, a scratch folder of its own, no health port, and bubblewrap with the default ceilings', () => {
    expect(runnerEnvironmentFrom({}, 'runner-a')).toEqual({
      nats: { servers: ['nats://127.0.0.1:4222'], name: 'cairn-runner-runner-a', inboxPrefix: '_INBOX_runner-runner-a', pingInterval: NATS_PING_INTERVAL_MS },
      apiUrl: 'http://127.0.0.1:8080',
      scratchDir: expect.stringMatching(/cairn-runner-a$/),
      healthHost: '127.0.0.1',
      drainTimeoutMs: 280_000,
      sandbox: 'bubblewrap',
      ceilings: DEFAULT_CEILINGS,
      withoutProc: false,
    });
  });

  it('takes CAIRN_RUNNER_SANDBOX=none, and nothing but bubblewrap or none', () => {
    expect(runnerEnvironmentFrom({ CAIRN_RUNNER_SANDBOX: 'none' }, 'r').sandbox).toBe('none');
    expect(() => runnerEnvironmentFrom({ CAIRN_RUNNER_SANDBOX: 'off' }, 'r')).toThrow('CAIRN_RUNNER_SANDBOX must be bubblewrap or none, got "off"');
    expect(runnerEnvironmentFrom({ CAIRN_RUNNER_SANDBOX_PROC: 'none' }, 'r').withoutProc).toBe(true);
    expect(() => runnerEnvironmentFrom({ CAIRN_RUNNER_SANDBOX_PROC: 'masked' }, 'r')).toThrow('CAIRN_RUNNER_SANDBOX_PROC must be fresh or none, got "masked"');
  });

  it('reads NATS_URL, CAIRN_API_URL (without a trailing slash), CAIRN_RUNNER_SCRATCH, PORT, HOST and CAIRN_DRAIN_TIMEOUT_MS', () => {
    expect(
      runnerEnvironmentFrom(
        { NATS_URL: 'nats://nats:4222', CAIRN_API_URL: 'http://projects:3000/', CAIRN_RUNNER_SCRATCH: '/scratch', PORT: '3000', HOST: '0.0.0.0', CAIRN_DRAIN_TIMEOUT_MS: '60000' },
        'r',
      ),
    ).toMatchObject({ nats: expect.objectContaining({ servers: ['nats://nats:4222'] }), apiUrl: 'http://projects:3000', scratchDir: '/scratch', healthPort: 3000, healthHost: '0.0.0.0', drainTimeoutMs: 60_000 });
  });

  it('refuses an API URL that is none, a port that is none and a drain timeout that is none', () => {
    expect(() => runnerEnvironmentFrom({ CAIRN_API_URL: 'projects' }, 'r')).toThrow('CAIRN_API_URL "projects" is not a URL');
    expect(() => runnerEnvironmentFrom({ PORT: 'http' }, 'r')).toThrow('PORT must be a port number, got "http"');
    expect(() => runnerEnvironmentFrom({ CAIRN_DRAIN_TIMEOUT_MS: 'soon' }, 'r')).toThrow('CAIRN_DRAIN_TIMEOUT_MS must be a non-negative integer, got "soon"');
  });
});
