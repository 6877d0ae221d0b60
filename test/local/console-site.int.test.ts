import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { consoleAuthFromEnv, consoleSite, startEdge } from '@cairn/local-platform';

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server?: Server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/** A built console: its index.html is all the site needs to answer a page. */
function consoleBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'cairn-console-build-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Cairn</title><script type="module" src="/assets/app.js"></script>');
  return root;
}

/** A stand-in for the access service: answers what the edge forwarded it. */
function echoService(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ forwardedFor: req.headers['x-forwarded-for'] }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** `npm start`'s edge: the console's pages with their security headers, sign-in by configuration, and the client's address for the services. */
describe("the local edge's console site", () => {
  let edge: Server | undefined;
  let service: Server;
  beforeAll(async () => {
    service = await echoService();
  });
  afterEach(() => close(edge));
  afterAll(() => close(service));

  it('with OIDC: pages carry the policy, which lets the console call the provider and nothing else; no dev sign-in', async () => {
    const auth = consoleAuthFromEnv({ CAIRN_OIDC_ISSUER: 'https://idp.example.org/realms/cairn', CAIRN_OIDC_CLIENT_ID: 'cairn-console' });
    edge = await startEdge(0, {}, '127.0.0.1', consoleSite({ root: consoleBuild(), auth }));

    const page = await request(edge).get('/labs/imaging/projects');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self' https://idp.example.org; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await request(edge).post('/auth/dev/token').send({ username: 'alice' })).status).toBe(404);
  });

  it('with dev tokens: the dev sign-in answers, under the same policy, calling only its own origin', async () => {
    const auth = consoleAuthFromEnv({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: 'a-test-secret-of-more-than-thirty-two-characters' });
    edge = await startEdge(0, {}, '127.0.0.1', consoleSite({ root: consoleBuild(), auth }));

    const people = await request(edge).get('/auth/dev/people');
    expect(people.status).toBe(200);
    expect(people.headers['content-security-policy']).toContain("connect-src 'self';");
  });

  it("names the peer it was reached from in X-Forwarded-For, whatever the client claimed (the services trust the edge's word)", async () => {
    edge = await startEdge(0, { access: portOf(service) }, '127.0.0.1');

    const answer = await request(edge).get('/api/labs').set('x-forwarded-for', '203.0.113.9');

    expect(answer.body.forwardedFor).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
