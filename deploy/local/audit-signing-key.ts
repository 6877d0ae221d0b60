import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The Ed25519 key the access service signs audit chain heads with (CAIRN_AUDIT_SIGNING_KEY_FILE), made
 * on the platform's first start, with its public half beside it as `<file>.pub` for auditors.
 */
export function ensureAuditSigningKey(file: string): string {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  writeFileSync(`${file}.pub`, publicKey.export({ format: 'pem', type: 'spki' }));
  return file;
}
