import { parseRunnerArguments, runnerEnvironmentFrom } from './config';

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

  it.each([
    [['--backend', 'slurm'], '--backend: "slurm" is not one of local'],
    [['--slots', '0'], '--slots must be an integer from 1 to 64, got "0"'],
    [['--queue', 'cpu/standard'], "Unknown option '--queue'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRunnerArguments(argv)).toThrow(message);
  });
});

describe('the runner\'s environment', () => {
  it('defaults to the local servers, a scratch folder of its own and no health port', () => {
    expect(runnerEnvironmentFrom({}, 'runner-a')).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      apiUrl: 'http://127.0.0.1:8080',
      scratchDir: expect.stringMatching(/cairn-runner-a$/),
      healthHost: '127.0.0.1',
    });
  });

  it('reads NATS_URL, CAIRN_API_URL (without a trailing slash), CAIRN_RUNNER_SCRATCH, PORT and HOST', () => {
    expect(
      runnerEnvironmentFrom({ NATS_URL: 'nats://nats:4222', CAIRN_API_URL: 'http://projects:3000/', CAIRN_RUNNER_SCRATCH: '/scratch', PORT: '3000', HOST: '0.0.0.0' }, 'r'),
    ).toEqual({ natsUrl: 'nats://nats:4222', apiUrl: 'http://projects:3000', scratchDir: '/scratch', healthPort: 3000, healthHost: '0.0.0.0' });
  });

  it('refuses an API URL that is none and a port that is none', () => {
    expect(() => runnerEnvironmentFrom({ CAIRN_API_URL: 'projects' }, 'r')).toThrow('CAIRN_API_URL "projects" is not a URL');
    expect(() => runnerEnvironmentFrom({ PORT: 'http' }, 'r')).toThrow('PORT must be a port number, got "http"');
  });
});
