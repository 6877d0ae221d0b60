import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSignatures, describeWriteHeads, verifyAuditBundle, type AuditBundle } from './audit-bundle';
import { trustedKeyFromPem } from './audit-signing-key';

/**
 * docs/audit-bundle-vectors: a small bundle exported from the platform, its tampered copies, and in
 * expected.json the verdict docs/audit-bundle.md promises for each, which the verifier must give
 * (audit-bundle.int.test.ts writes them again, see there).
 */
const VECTORS = join(__dirname, '../../../../docs/audit-bundle-vectors');
const read = (name: string) => readFileSync(join(VECTORS, name), 'utf8');
const expected = JSON.parse(read('expected.json')) as Record<string, { intact: boolean; signatures: string; signedAtWrite: string; findings: string[] }>;

describe('the documented audit bundle test vectors', () => {
  const trusted = [trustedKeyFromPem(read('trusted-key.pub.pem'))];

  it.each(Object.keys(expected))('%s verifies as documented', (name) => {
    const bundle = JSON.parse(read(name)) as AuditBundle;
    const verification = verifyAuditBundle(bundle, trusted);
    expect({
      intact: verification.intact,
      signatures: describeSignatures(verification),
      signedAtWrite: describeWriteHeads(bundle, verification),
      findings: verification.findings,
    }).toEqual(expected[name]);
  });
});
