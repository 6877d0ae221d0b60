export * from './hash-chain';
export * from './lab';
export * from './project-access';
export * from './access-queries';
