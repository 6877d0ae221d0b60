import { readFileSync } from 'node:fs';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { RunningPlatform } from '@cairn/local-platform';
import { waitUntil } from '@cairn/testing';
import { startLocalPlatform } from './local-platform';

type LogLine = Record<string, unknown>;

/**
 * Logs and metrics of the platform as `npm start` runs it, each service its own process and its own
 * log file: one request's correlation id is found in the log of every service that handled its events.
 */
describe('the logs and metrics of the services as separate processes', () => {
  let platform: RunningPlatform;
  const token = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org` }, LOCAL_DEV_JWT_SECRET);
  const logOf = (service: string): LogLine[] =>
    readFileSync(platform.services.find((running) => running.name === service)!.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    platform = await startLocalPlatform('operations');
  }, 120_000);
  afterAll(() => platform?.stop());

  it("follows a request's X-Request-Id from the service that took it into the log of the service that reacted to its event", async () => {
    const alice = await token('alice', true);
    const edge = () => request(platform.edgeUrl);
    await edge().post('/api/labs').set('authorization', `Bearer ${alice}`).send({ name: 'Optics', slug: 'optics' }).expect(201);
    const created = await edge()
      .post('/api/projects')
      .set('authorization', `Bearer ${alice}`)
      .set('X-Request-Id', 'e2e-project-1')
      .send({ lab: 'optics', name: 'Lenses', scheme: 'facility' })
      .expect(201);
    expect(created.headers['x-request-id']).toBe('e2e-project-1');

    const ofRequest = (service: string) => logOf(service).filter((line) => line.correlationid === 'e2e-project-1');
    const handled = (service: string, consumer: string) => ofRequest(service).some((line) => line.msg === 'event handled' && line.consumer === consumer);
    await waitUntil('both services handling the events of the request', async () => handled('projects', 'project_directory') && handled('access', 'access_audit'));
    expect(ofRequest('projects')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'projects', msg: 'request', route: '/api/projects', status: 201 }),
        expect.objectContaining({ service: 'projects', msg: 'event handled', type: 'projects.project.created.v1', consumer: 'project_directory' }),
      ]),
    );
    expect(ofRequest('access')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'access', msg: 'event handled', type: 'projects.project.created.v1', consumer: 'access-project-initialization' }),
        expect.objectContaining({ service: 'access', msg: 'event handled', type: 'access.project.initialized.v1', consumer: 'access_audit' }),
      ]),
    );
  });

  it('serves /metrics on every service, with its requests, commands and consumers', async () => {
    for (const service of platform.services) {
      const metrics = (await request(service.url).get('/metrics').expect(200)).text;
      expect(metrics).toContain('# TYPE cairn_http_request_duration_seconds histogram');
      expect(metrics).toContain('# TYPE cairn_commands_total counter');
      expect(metrics).toMatch(/cairn_consumer_lag_events\{consumer="[a-z_-]+"\} \d+/);
      expect(metrics).toMatch(/cairn_dead_letters\{consumer="[a-z_-]+"\} 0/);
      expect(metrics).toContain('process_cpu_seconds_total');
    }
  });
});
