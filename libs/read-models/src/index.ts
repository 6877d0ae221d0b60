export * from './projection';
export * from './guarded-writes';
export * from './projection-state';
export * from './read-model-collections';
export * from './projection-runner';
export * from './rebuild';
export * from './queries';
