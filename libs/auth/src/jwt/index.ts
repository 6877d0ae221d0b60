export * from './errors';
export { holdsClaim, parseClaimMatch, type ClaimMatch, type Principal, type RightsClaims, type TokenVerifier } from './token-verifier';
export * from './dev-tokens';
export * from './jwks-token-verifier';
export * from './from-env';
