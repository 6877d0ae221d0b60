export * from './jwt';
export * from './authorization';
