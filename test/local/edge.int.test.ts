import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startEdge } from '@cairn/local-platform';
import { leasePort } from '@cairn/testing';

/** A stand-in for a service: answers its readiness with this status (a 503 names NATS, as a service's does). */
function standIn(readyStatus: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health/ready' ? readyStatus : 404, { 'content-type': readyStatus === 200 ? 'application/json' : 'application/problem+json' });
    res.end(JSON.stringify(readyStatus === 200 ? { status: 'ok' } : { status: readyStatus, detail: 'Not ready: nats' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server?: Server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/** The local edge (`npm start`'s port 8080) answers the platform's health, as a load balancer asks it. */
describe('health at the edge', () => {
  let ready: Server, alsoReady: Server, starting: Server, edge: Server | undefined;

  beforeAll(async () => {
    [ready, alsoReady, starting] = await Promise.all([standIn(200), standIn(200), standIn(503)]);
  });
  afterEach(() => close(edge));
  afterAll(() => Promise.all([ready, alsoReady, starting].map(close)));

  it('/health/live answers 200 while the edge runs, whatever the services say', async () => {
    edge = await startEdge(0, { access: portOf(starting) });
    const live = await request(edge).get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
  });

  it('/health/ready answers 200 naming every service when every one is ready', async () => {
    edge = await startEdge(0, { access: portOf(ready), projects: portOf(alsoReady) });
    const answer = await request(edge).get('/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', services: { access: 'ready', projects: 'ready' } });
  });

  it('/health/ready answers 503 naming the services that are not ready and why: one waiting for NATS, one not answering at all', async () => {
    // A leased port: nothing listens there, and no other test is handed it meanwhile.
    const stopped = await leasePort();
    edge = await startEdge(0, { access: portOf(ready), projects: portOf(starting), jobs: stopped.port });
    const answer = await request(edge).get('/health/ready');
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body).toMatchObject({
      status: 503,
      rule: 'health.not-ready',
      detail: 'Not ready: projects (nats), jobs (not answering: ECONNREFUSED)',
      notReady: ['projects', 'jobs'],
      reasons: { projects: 'nats', jobs: 'not answering: ECONNREFUSED' },
      services: { access: 'ready', projects: 'not ready', jobs: 'not ready' },
    });
  });
});
