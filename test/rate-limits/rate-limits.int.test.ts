import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '@cairn/access-service';

const LABS = '/api/labs';

/** The access service with these settings, for the enclosing `describe`. */
function accessServiceWith(env: Record<string, string>): () => ServiceUnderTest {
  let service: ServiceUnderTest;
  beforeAll(async () => {
    service = await startServiceUnderTest(accessService, undefined, { env });
  });
  afterAll(() => service?.close());
  return () => service;
}

/** Fires `count` requests at once and answers them. */
async function burst(send: () => request.Test, count: number): Promise<request.Response[]> {
  return Promise.all(Array.from({ length: count }, () => send()));
}

/**
 * Rate limits on a real service (the access service on its own nats-server and database): a burst from
 * one person's token runs into their own limit and leaves everyone else's requests answered; a burst from
 * one client address runs into that address's limit, and the address is taken from X-Forwarded-For only
 * when a trusted proxy sent it.
 */
describe('rate limits per principal and per client address', () => {
  describe('per principal', () => {
    const service = accessServiceWith({ CAIRN_RATE_LIMIT_PER_PRINCIPAL: '20' });

    it("a burst from one token gets 429 problem+json with Retry-After, while another person's requests are answered", async () => {
      const [mallory, alice] = await Promise.all([service().token({ username: 'mallory' }), service().token({ username: 'alice' })]);

      const started = Date.now();
      const answers = await burst(() => request(service().server).get(LABS).set('authorization', `Bearer ${mallory}`), 30);
      // 20 a minute refill one request every 3 s: a slow machine may have let one more through meanwhile.
      const refilled = Math.floor((Date.now() - started) / 3_000);

      const answered = answers.filter((answer) => answer.status === 200).length;
      expect(answered).toBeGreaterThanOrEqual(20);
      expect(answered).toBeLessThanOrEqual(20 + refilled);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(30 - answered);
      const refused = answers.find((answer) => answer.status === 429)!;
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3);
      expect(refused.body).toMatchObject({ status: 429, rule: 'rate-limit.principal', retryAfterSeconds: retryAfter });

      const others = await burst(() => request(service().server).get(LABS).set('authorization', `Bearer ${alice}`), 10);
      expect(others.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    });
  });

  describe('per client address', () => {
    const service = accessServiceWith({ CAIRN_RATE_LIMIT_PER_ADDRESS: '10', CAIRN_TRUSTED_PROXIES: 'loopback' });

    it('behind a trusted proxy, each forwarded client address has its own limit, tokens or none', async () => {
      const token = await service().token({ username: 'alice' });
      const from = (address: string) => () => request(service().server).get(LABS).set('x-forwarded-for', address).set('authorization', `Bearer ${token}`);

      const flood = await burst(from('192.0.2.7'), 15);
      expect(flood.filter((answer) => answer.status === 429)).toHaveLength(5);
      expect(flood.find((answer) => answer.status === 429)?.body).toMatchObject({ status: 429, rule: 'rate-limit.address' });
      const unauthenticated = await request(service().server).get(LABS).set('x-forwarded-for', '192.0.2.7');
      expect(unauthenticated.status).toBe(429);

      const neighbour = await burst(from('192.0.2.8'), 5);
      expect(neighbour.map((answer) => answer.status)).toEqual(Array(5).fill(200));
    });

    it('health probes and metrics scrapes count against no limit', async () => {
      const probes = await burst(() => request(service().server).get('/health/live'), 20);
      const scrapes = await burst(() => request(service().server).get('/metrics'), 20);
      expect([...probes, ...scrapes].map((answer) => answer.status)).toEqual(Array(40).fill(200));
    });
  });

  describe('per client address, with no trusted proxy (the default)', () => {
    const service = accessServiceWith({ CAIRN_RATE_LIMIT_PER_ADDRESS: '10' });

    it('a client cannot escape its limit by naming other addresses in X-Forwarded-For', async () => {
      let forged = 0;
      const answers = await burst(() => request(service().server).get(LABS).set('x-forwarded-for', `198.51.100.${forged++}`), 15);

      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(5);
    });
  });
});
