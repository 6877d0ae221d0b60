import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { auditSigner, publicAuditKey, type AuditSigner, type PublicAuditKey } from '../domain/audit-bundle/audit-chain';

/**
 * The Ed25519 key that signs audit chain heads is a Secret: a PEM (PKCS #8) file named by
 * CAIRN_AUDIT_SIGNING_KEY_FILE. Its public half goes beside it as `<file>.pub` (SPKI PEM), for auditors.
 */
export const SIGNING_KEY_VARIABLE = 'CAIRN_AUDIT_SIGNING_KEY_FILE';

export class MissingSigningKeyError extends Error {
  constructor(detail: string) {
    super(`audit bundles are signed with the Ed25519 key in ${SIGNING_KEY_VARIABLE}: ${detail}`);
    this.name = 'MissingSigningKeyError';
  }
}

export function auditSignerFromEnv(env: NodeJS.ProcessEnv): AuditSigner {
  const file = env[SIGNING_KEY_VARIABLE];
  if (!file) throw new MissingSigningKeyError('it is not set');
  if (!existsSync(file)) throw new MissingSigningKeyError(`${file} does not exist`);
  return auditSigner(createPrivateKey(readFileSync(file)));
}

/** A public key an auditor trusts, from its PEM file (SPKI, or the private key's file, whose public half it takes). */
export function trustedKeyFromPem(pem: string | Buffer): PublicAuditKey {
  return publicAuditKey(createPublicKey(pem));
}
