export * from './envelope';
export * from './errors';
export * from './decider';
export * from './event-definition';
