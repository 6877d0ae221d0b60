export * from './capabilities';
export * from './role-scheme';
export * from './facility.scheme';
export * from './lab.scheme';
export * from './registry';
