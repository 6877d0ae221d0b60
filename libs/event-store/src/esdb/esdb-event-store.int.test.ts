import { describeEventStoreContract } from '../contract/event-store.contract';
import { EsdbEventStore } from './esdb-event-store';

const connectionString = process.env.CAIRN_ESDB_URL;

describeEventStoreContract(
  'EventStoreDB',
  () => EsdbEventStore.connect({ connectionString: connectionString! }),
  connectionString ? undefined : 'CAIRN_ESDB_URL is not set; no EventStoreDB server runs on this machine, docker-compose sets it',
);
