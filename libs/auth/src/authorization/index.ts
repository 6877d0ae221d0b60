export * from './access-model';
export * from './authorization-projection';
export * from './authorizer';
export * from './requires';
export * from './authorization.module';
