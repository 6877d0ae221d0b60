import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { jcs } from './canonical-json';

/**
 * The audit chain: one SHA-256 chain per stream that decides access (a project's access, its lab's
 * membership; pending invitations join as one more stream), computed over the events as the store holds
 * them, so it covers streams whose events carry no hash of their own and leaves every published event as
 * it was. `link(n) = sha256(JCS({ prev: link(n-1), event: record(n) }))`, `link(-1)` = 64 zeros. Its
 * heads are signed with Ed25519; docs/audit-bundle.md states all of it for auditors without Node.
 */

export const AUDIT_GENESIS = '0'.repeat(64);
export const HEAD_FORMAT = 'cairn.audit-head.v1';

/** One stored event, as much of it as the chain covers. */
export interface AuditRecord {
  id: string;
  type: string;
  /** When the store recorded it. */
  time: string;
  streamversion: number;
  data: unknown;
}

/** The part of a stored event the chain covers. */
export function auditRecordOf({ id, type, time, streamversion, data }: AuditRecord): AuditRecord {
  return { id, type, time, streamversion, data };
}

export function linkAfter(prev: string, record: AuditRecord): string {
  return createHash('sha256').update(jcs({ prev, event: record }), 'utf8').digest('hex');
}

/** Each record's link, in order. */
export function chainLinks(records: readonly AuditRecord[]): string[] {
  const links: string[] = [];
  for (const record of records) links.push(linkAfter(links.at(-1) ?? AUDIT_GENESIS, record));
  return links;
}

/** What a signature covers: the stream's head after `length` events, as of `signedAt`, by key `keyId`. */
export interface HeadStatement {
  stream: string;
  length: number;
  head: string;
  signedAt: string;
  keyId: string;
}

export interface SignedHead extends HeadStatement {
  /** Ed25519 over the UTF-8 bytes of JCS({ format: HEAD_FORMAT, ...statement }), base64. */
  signature: string;
}

export interface PublicAuditKey {
  keyId: string;
  algorithm: 'Ed25519';
  /** The raw 32-byte public key, base64url (as in a JWK's `x`). */
  publicKey: string;
}

export function signedBytes(statement: HeadStatement): Buffer {
  const { stream, length, head, signedAt, keyId } = statement;
  return Buffer.from(jcs({ format: HEAD_FORMAT, stream, length, head, signedAt, keyId }), 'utf8');
}

/** `ed25519:` and the first 16 hex digits of the SHA-256 of the raw public key. */
export function keyIdOf(rawPublicKey: Buffer): string {
  return `ed25519:${createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16)}`;
}

export function publicAuditKey(key: KeyObject): PublicAuditKey {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('the audit signing key must be an Ed25519 key');
  return { keyId: keyIdOf(Buffer.from(jwk.x, 'base64url')), algorithm: 'Ed25519', publicKey: jwk.x };
}

/** A private Ed25519 key and the id its signatures carry. */
export interface AuditSigner {
  key: PublicAuditKey;
  sign(statement: Omit<HeadStatement, 'keyId'>): SignedHead;
}

export function auditSigner(privateKey: KeyObject): AuditSigner {
  const key = publicAuditKey(privateKey);
  return {
    key,
    sign(statement) {
      const head = { ...statement, keyId: key.keyId };
      return { ...head, signature: sign(null, signedBytes(head), privateKey).toString('base64') };
    },
  };
}

export function signatureHolds(head: SignedHead, key: PublicAuditKey): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
    return verify(null, signedBytes(head), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
