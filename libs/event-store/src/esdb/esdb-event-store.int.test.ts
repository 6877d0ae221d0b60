import { describeEventStoreContract } from '../contract/event-store.contract';
import { EsdbEventStore } from './esdb-event-store';

const connectionString = process.env.CAIRN_ESDB_URL;

if (connectionString) {
  describeEventStoreContract('EventStoreDB', () => EsdbEventStore.connect({ connectionString }));
} else {
  describe('EventStoreDB event store contract', () => {
    const reason = 'skipped: CAIRN_ESDB_URL is not set (no EventStoreDB server runs on this machine; docker-compose sets it)';
    console.log(`EventStoreDB event store contract ${reason}`);

    it(`is ${reason}`, () => {
      expect(connectionString).toBeUndefined();
    });
  });
}
