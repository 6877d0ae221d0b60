export * from './port';
export * from './envelope';
export * from './jetstream/codec';
export * from './jetstream/jetstream-event-store';
export { directReader, sequenceOf, type DirectReader } from './jetstream/direct-get';
export * from './jetstream/positions';
export * from './freshness';
export * from './command-handler';
export * from './esdb/esdb-event-store';
