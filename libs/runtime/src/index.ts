export * from './config';
export * from './service-runtime';
export * from './run-service';
export * from './service-under-test';
export * from './reactor';
export * from './authorized-http';
