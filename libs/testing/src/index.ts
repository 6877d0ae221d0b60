export * from './tools';
export * from './processes';
export * from './nats-server';
export * from './ferretdb';
export * from './shared-servers';
export * from './decider-spec';
export * from './slurm-cluster';
