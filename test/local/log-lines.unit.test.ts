import { reportsError, summarize } from '@cairn/local-platform';

/** npm start reads the services' JSON log lines back for a person (the line that says why a start failed). */
describe('a service log line read back for a person', () => {
  const failed = JSON.stringify({
    level: 'error',
    time: '2026-12-01T20:00:00.000Z',
    service: 'access',
    component: 'service',
    error: 'ConfigurationError: CAIRN_DEV_JWT_SECRET must be at least 32 characters long (it has 9)\n    at configFromEnv (from-env.js:12:11)',
    msg: 'failed to start',
  });

  it('reports an error by its level, not by the word appearing in a field', () => {
    expect(reportsError(failed)).toBe(true);
    expect(reportsError(JSON.stringify({ level: 'info', msg: 'request', path: '/api/errors' }))).toBe(false);
    expect(reportsError('Error: a line some tool wrote itself')).toBe(true);
  });

  it('says level, service and component, message and the first line of the error', () => {
    expect(summarize(failed)).toBe(
      'ERROR [access/service] failed to start: ConfigurationError: CAIRN_DEV_JWT_SECRET must be at least 32 characters long (it has 9)',
    );
  });

  it('leaves a line that is no JSON log line as it is', () => {
    expect(summarize('panic: listen tcp: address already in use')).toBe('panic: listen tcp: address already in use');
  });
});
