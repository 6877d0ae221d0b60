import { Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { StoreUnavailableError } from '@cairn/event-store';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { connect, type NatsConnection } from 'nats';
import request from 'supertest';
import { createServiceApp } from './bootstrap';

let nc: NatsConnection;

/** Commands that meet what a JetStream cluster without a leader does to a request, as the NATS client reports it. */
@Controller('commands')
class CommandsController {
  /** Nobody listens on the subject (no stream leader to answer). */
  @Post('no-responders')
  async noResponders() {
    await nc.request('cairn.nobody-listens', undefined, { timeout: 1_000 });
  }

  /** Somebody listens but never answers (a server cut off with the request). */
  @Post('timeout')
  async timeout() {
    await nc.request('cairn.never-answers', undefined, { timeout: 100 });
  }

  @Post('unknown-outcome')
  unknownOutcome() {
    throw new StoreUnavailableError('the append to cairn.events.x got no answer within 10000 ms');
  }

  @Post('bug')
  bug() {
    throw new Error('a bug');
  }
}

@Module({ controllers: [CommandsController] })
class CommandsModule {}

describe('a command the event store cannot answer', () => {
  let server: NatsServerHandle;
  let app: INestApplication;
  const post = (path: string) => request(app.getHttpServer()).post(`/api/commands/${path}`);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect(server.connectionOptions());
    nc.subscribe('cairn.never-answers');
    app = await createServiceApp(CommandsModule, { name: 'commands', logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await server?.stop();
  });

  it.each(['no-responders', 'timeout', 'unknown-outcome'])('answers 503 with Retry-After when %s: retrying with the same Idempotency-Key is the way on', async (path) => {
    const response = await post(path);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ status: 503, rule: 'store.unavailable' });
  });

  it('still answers 500 for a fault of its own', async () => {
    expect((await post('bug')).status).toBe(500);
  });
});
