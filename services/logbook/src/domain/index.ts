export * from './comment-thread';
export * from './fields';
export * from './job-references';
export * from './line-diff';
export * from './logbook';
export * from './template';
