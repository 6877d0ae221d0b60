import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { JetStreamEventStore } from './jetstream-event-store';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

describeEventStoreContract('JetStream', () => JetStreamEventStore.connect({ servers: server.url }));
