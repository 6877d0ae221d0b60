import { readFileSync } from 'node:fs';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { RunningPlatform } from '@cairn/local-platform';
import { startLocalPlatform } from './local-platform';

/**
 * The platform as `npm start` runs it: every built service as its own process behind the edge, over
 * HTTP only. Uses the compiled services in dist/ (the test command builds them first).
 */
describe('the whole platform as separate processes', () => {
  let platform: RunningPlatform;
  const token = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org` }, LOCAL_DEV_JWT_SECRET);

  beforeAll(async () => {
    platform = await startLocalPlatform('e2e');
  }, 120_000);
  afterAll(() => platform?.stop());

  it('runs the README first session through the edge: create a lab, add a member, read with Cairn-Min-Position', async () => {
    const alice = await token('alice', true);
    const bob = await token('bob');
    const edge = () => request(platform.edgeUrl);

    const lab = await edge().post('/api/labs').set('authorization', `Bearer ${alice}`).send({ name: 'Crystallography' });
    expect(lab.status).toBe(201);
    expect(lab.body.slug).toBe('crystallography');

    await edge().get('/api/labs/crystallography/members').set('authorization', `Bearer ${bob}`).expect(403);
    const added = await edge()
      .post('/api/labs/crystallography/members')
      .set('authorization', `Bearer ${alice}`)
      .send({ user: 'bob' })
      .expect(201);

    const members = await edge()
      .get('/api/labs/crystallography/members')
      .set('authorization', `Bearer ${bob}`)
      .set('Cairn-Min-Position', added.headers['cairn-position']);
    expect(members.status).toBe(200);
    expect(members.body.items.map((member: { username: string }) => member.username)).toEqual(['alice', 'bob']);
  });

  it('answers problem+json for paths no service serves and for requests without a token', async () => {
    const unknown = await request(platform.edgeUrl).get('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    const anonymous = await request(platform.edgeUrl).post('/api/labs').send({ name: 'x' });
    expect(anonymous.status).toBe(401);
  });

  it('serves health and OpenAPI on every service', async () => {
    for (const service of platform.services) {
      await request(service.url).get('/health/live').expect(200);
      await request(service.url).get('/health/ready').expect(200);
      const openapi = await request(service.url).get('/docs/openapi.json').expect(200);
      expect(openapi.body.info.title).toBe(`Cairn ${service.name}`);
    }
  });

  it('answers /health/live and /health/ready at the edge, ready naming every service it runs', async () => {
    await request(platform.edgeUrl).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(platform.edgeUrl).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', services: Object.fromEntries(platform.services.map((service) => [service.name, 'ready'])) });
  });

  it('starts the reference runner as its own process after the services, serving every machine queue', async () => {
    expect(platform.runner).toBeDefined();
    expect(await (await fetch(`${platform.runner!.url}/health/ready`)).json()).toMatchObject({ status: 'ok' });
    expect(readFileSync(platform.runner!.logFile, 'utf8')).toContain(`serving cpu/standard, cpu/turbo, gpu/standard, gpu/turbo on ${platform.natsUrl}`);
  });
});
