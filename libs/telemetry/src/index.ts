export * from './correlation';
export * from './listening';
export * from './logging';
export * from './metrics';
export * from './tracing';
