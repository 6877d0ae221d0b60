import { BACKWARDS, END, type EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore } from '@cairn/event-store';
import { readinessOf } from '@cairn/http';
import { eventStoreReadiness, ownCategories } from './service-runtime';
import { serviceConfigFromEnv } from './config';

describe('a service on EventStoreDB', () => {
  it('relays exactly the categories its own events are stored in', () => {
    // The chain's signed heads (access.chain.head-signed.v1) are access events too, relayed like the rest.
    expect(ownCategories('access').sort()).toEqual(['access_chain', 'access_lab', 'access_project']);
    expect(ownCategories('projects')).toEqual(expect.arrayContaining(['projects_project', 'projects_filespace', 'projects_experiment']));
    expect(ownCategories('projects').every((category) => category.startsWith('projects_'))).toBe(true);
  });

  it('needs CAIRN_ESDB_URL when CAIRN_EVENT_STORE=esdb, and says so', () => {
    expect(() => serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'esdb' })).toThrow(/CAIRN_ESDB_URL/);
    expect(() => serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'kafka' })).toThrow(/"jetstream" or "esdb"/);
    expect(serviceConfigFromEnv('access', { CAIRN_EVENT_STORE: 'esdb', CAIRN_ESDB_URL: 'esdb://h:2113?tls=false' })).toMatchObject({
      eventStore: 'esdb',
      esdbUrl: 'esdb://h:2113?tls=false',
      mongoDb: 'cairn_access',
    });
  });
});

/**
 * The EventStoreDB readiness probe, on a stand-in client: no EventStoreDB server runs on this machine
 * (docker-compose runs one), so its request is checked for its bound, not against a server.
 */
describe('the event store readiness of a service on EventStoreDB', () => {
  const storeOn = (read: () => AsyncIterable<unknown>, calls: unknown[] = []) =>
    EsdbEventStore.connect({
      client: {
        readAll: (options: unknown) => {
          calls.push(options);
          return read();
        },
      } as unknown as EventStoreDBClient,
    });

  it('asks for the last entry of $all only, with the readiness bound as its deadline', async () => {
    const calls: unknown[] = [];
    const store = await storeOn(async function* () {
      yield { event: undefined };
      throw new Error('read past the one entry asked for');
    }, calls);
    expect(await readinessOf([eventStoreReadiness(store, 1_000)])).toMatchObject({ ready: true });
    expect(calls).toEqual([{ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: 1_000 }]);
  });

  it('is ready on an empty store, and not ready, naming the event store and why, when the read fails', async () => {
    const empty = await storeOn(() => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }));
    expect((await readinessOf([eventStoreReadiness(empty)])).ready).toBe(true);
    const unreachable = await storeOn(() => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('Deadline exceeded')) }) }));
    expect(await readinessOf([eventStoreReadiness(unreachable)])).toMatchObject({
      ready: false,
      checks: [{ name: 'event store', ok: false, reason: 'Deadline exceeded' }],
      problem: { detail: 'Not ready: event store' },
    });
  });
});
