import { HttpException } from '@nestjs/common';
import { HealthController, readinessOf, type ReadinessProbe } from './health';

const answering: ReadinessProbe = { name: 'mongodb', check: async () => true };
const silent: ReadinessProbe = { name: 'nats', check: () => new Promise<boolean>(() => undefined) };
const failing: ReadinessProbe = { name: 'event store', check: async () => Promise.reject(new Error('connection refused')) };
const saysNo: ReadinessProbe = { name: 'authorization projection', check: async () => false };

describe('readiness', () => {
  it('is ready when every probe answers true', async () => {
    expect(await readinessOf([answering])).toEqual({ ready: true, checks: [{ name: 'mongodb', ok: true }] });
  });

  it('counts a probe that does not answer within the bound as not ready, and says so, without waiting for it', async () => {
    const started = Date.now();
    const readiness = await readinessOf([answering, silent], 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(readiness).toMatchObject({
      ready: false,
      checks: [{ name: 'mongodb', ok: true }, { name: 'nats', ok: false, reason: 'no answer within 100 ms' }],
      problem: { status: 503, detail: 'Not ready: nats', rule: 'health.not-ready' },
    });
  });

  it('names every failing dependency in the answer, with the reason each gave', async () => {
    const readiness = await readinessOf([silent, failing, saysNo, answering], 100);
    expect(readiness.problem?.detail).toBe('Not ready: nats, event store, authorization projection');
    expect(readiness.checks.filter((check) => !check.ok).map((check) => [check.name, check.reason])).toEqual([
      ['nats', 'no answer within 100 ms'],
      ['event store', 'connection refused'],
      ['authorization projection', 'not ready'],
    ]);
  });

  it('answers /health/ready with 503 problem+json naming what failed, and /health/live regardless', async () => {
    const controller = new HealthController([answering, failing]);
    expect(controller.live()).toEqual({ status: 'ok' });
    const refusal = await controller.ready().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HttpException);
    expect((refusal as HttpException).getStatus()).toBe(503);
    expect((refusal as HttpException).getResponse()).toMatchObject({ detail: 'Not ready: event store', checks: [{ name: 'mongodb', ok: true }, { name: 'event store', ok: false, reason: 'connection refused' }] });
    expect(await new HealthController([answering]).ready()).toEqual({ status: 'ok', checks: [{ name: 'mongodb', ok: true }] });
  });
});
