export * from './dead-letter';
export * from './durable-event-consumer';
export * from './consistency-waiter';
export * from './event-relay';
export * from './consumer-telemetry';
export * from './work-queues';
export * from './pull-batch';
export * from './nats-readiness';
