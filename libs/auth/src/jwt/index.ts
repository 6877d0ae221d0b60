export * from './errors';
export type { Principal, TokenVerifier } from './token-verifier';
export * from './dev-tokens';
export * from './jwks-token-verifier';
export * from './from-env';
