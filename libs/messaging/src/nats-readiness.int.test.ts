import { readinessOf } from '@cairn/http';
import { connect, type NatsConnection } from 'nats';
import { startNatsServer, waitUntil, type NatsServerHandle } from '@cairn/testing';
import { natsReadiness } from './nats-readiness';

const BOUND_MS = 500;

/** The NATS readiness probe on a real nats-server that stops answering, dies and comes back on its port. */
describe('NATS readiness', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ ...nats.connectionOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  const check = async (probe: ReturnType<typeof natsReadiness>) => (await readinessOf([probe], BOUND_MS)).checks[0];

  it('is ready while the server answers; not ready while it holds the connection but answers nothing (SIGSTOP), or is gone (SIGKILL); ready again once it is back', async () => {
    const probe = natsReadiness(nc);
    expect(await check(probe)).toEqual({ name: 'nats', ok: true });

    nats.signal('SIGSTOP');
    // The signal takes effect a moment after it is sent: a round trip may still slip through before.
    await waitUntil('not ready', async () => !(await check(probe)).ok, 5_000);
    expect(await check(probe)).toEqual({ name: 'nats', ok: false, reason: `no answer within ${BOUND_MS} ms` });

    await nats.kill('SIGKILL');
    await waitUntil('the client notices', async () => (await check(probe)).reason === 'disconnected from the server, reconnecting', 10_000);
    expect(nc.isClosed()).toBe(false);

    await nats.restart();
    await waitUntil('ready again', async () => (await check(probe)).ok, 10_000);
  });

  it('is not ready once the connection is closed', async () => {
    const own = await connect(nats.connectionOptions());
    const probe = natsReadiness(own);
    await own.close();
    expect(await check(probe)).toEqual({ name: 'nats', ok: false, reason: 'the connection is closed' });
  });
});
