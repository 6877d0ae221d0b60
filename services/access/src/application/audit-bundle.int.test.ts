import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { testMongoUrl } from '@cairn/testing';
import { EXIT_CHECK_FAILED, EXIT_OK, runCairnCli, type CliIo } from '../cli';
import { accessService } from '../access.definition';
import { as, createInitializedProject, signIn, type TestPerson } from '../api/testing/access-test-kit';
import { afterClockPasses, recordStep } from '../api/testing/audit-test-kit';
import { auditRecordOf, auditSigner, chainLinks, signatureHolds, type SignedHead } from '../domain/audit-bundle/audit-chain';
import { chainStream, unsignedEventAlarms } from './chain-heads';
import { labStream } from './labs.service';
import { projectAccessStream } from './project-access.service';
import { trustedKeyFromPem } from './audit-signing-key';
import { describeSignatures, describeWriteHeads, verifyAuditBundle, type AuditBundle } from './audit-bundle';

/**
 * The round trip an auditor makes: `audit export` a project's bundle from the event store, `audit
 * verify-bundle` it offline, and see each way of tampering with it named.
 *
 * The bundles it makes are docs/audit-bundle-vectors: `CAIRN_AUDIT_VECTORS=docs/audit-bundle-vectors npx
 * jest services/access/src/application/audit-bundle.int.test.ts` writes them there again, with the
 * platform's public key and each one's verdict (expected.json), for the diff to be read before committing.
 */
const VECTORS = ['bundle', 'byte', 'dropped', 'cut', 'swapped', 'posing', 'own-key', 'inserted', 'rewritten', 'unsigned'].map((name) => `${name}.json`);

function writeVectors(from: string, to: string, publicKeyFile: string) {
  mkdirSync(to, { recursive: true });
  const trusted = [trustedKeyFromPem(readFileSync(publicKeyFile))];
  copyFileSync(publicKeyFile, join(to, 'trusted-key.pub.pem'));
  const expected: Record<string, { intact: boolean; signatures: string; signedAtWrite: string; findings: string[] }> = {};
  for (const name of VECTORS) {
    copyFileSync(join(from, name), join(to, name));
    const bundle = JSON.parse(readFileSync(join(from, name), 'utf8')) as AuditBundle;
    const verification = verifyAuditBundle(bundle, trusted);
    expected[name] = {
      intact: verification.intact,
      signatures: describeSignatures(verification),
      signedAtWrite: describeWriteHeads(bundle, verification),
      findings: verification.findings,
    };
  }
  writeFileSync(join(to, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
}
describe('audit export and audit verify-bundle', () => {
  let service: ServiceUnderTest;
  let admin: TestPerson, alice: TestPerson, bob: TestPerson, carol: TestPerson;
  const folder = mkdtempSync(join(tmpdir(), 'cairn-bundle-'));
  const keyFile = join(folder, 'signing-key.pem');
  const publicKeyFile = join(folder, 'signing-key.pub.pem');
  const strangerKeyFile = join(folder, 'stranger-key.pem');
  const bundleFile = join(folder, 'bundle.json');
  const instants: string[] = [];

  async function cli(...args: string[]) {
    const out: string[] = [];
    const env = { ...service.nats.env({ kind: 'cli' }), MONGO_URL: testMongoUrl(), MONGO_DB: service.runtime.config.mongoDb, CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile };
    const io: CliIo = { env, out: (line) => out.push(line), err: (line) => out.push(line), progress: () => undefined };
    const status = await runCairnCli(args, io);
    return { status, out: out.join('\n') };
  }

  const tampered = (name: string, change: (bundle: AuditBundle) => void) => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AuditBundle;
    change(bundle);
    const file = join(folder, `${name}.json`);
    writeFileSync(file, JSON.stringify(bundle, null, 2));
    return file;
  };
  const projectEvents = (bundle: AuditBundle) => bundle.streams[0].events;

  beforeAll(async () => {
    for (const [file, pub] of [[keyFile, publicKeyFile], [strangerKeyFile, undefined]] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
      if (pub) writeFileSync(pub, publicKey.export({ format: 'pem', type: 'spki' }));
    }
    service = await startServiceUnderTest(accessService, undefined, { env: { CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile } });
    admin = await signIn(service, 'audrey');
    admin.token = await service.token({ username: 'audrey', admin: true, email: admin.email, name: 'audrey' });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => signIn(service, name)));
    await as(service, admin).post('/api/labs', { name: 'Bundle lab', slug: 'bundle-lab' }).expect(201);
    for (const member of [alice, bob, carol]) await as(service, admin).post('/api/labs/bundle-lab/members', { user: member.username }).expect(201);
    await createInitializedProject(service, { projectId: 'p-bundle', lab: 'bundle-lab', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    const granted = await recordStep(service, as(service, alice).put('/api/projects/p-bundle/access/users/bob', { role: 'experimenter', reason: 'runs the scans' }));
    instants.push(granted.instant);
    await afterClockPasses(granted.instant);
    await recordStep(service, as(service, alice).put('/api/projects/p-bundle/access/users/carol', { role: 'viewer', reason: 'external reviewer' }));
    const removed = await recordStep(service, as(service, admin).delete('/api/labs/bundle-lab/members/carol', { reason: 'left' }));
    await afterClockPasses(removed.instant);
    instants.push(new Date().toISOString());
  });
  afterAll(async () => {
    await service?.close();
    if (process.env.CAIRN_AUDIT_VECTORS) writeVectors(folder, resolve(process.env.CAIRN_AUDIT_VECTORS), publicKeyFile);
  });

  it('exports a bundle from the event store that verifies offline, anchored to the platform key, with its answers', async () => {
    const exported = await cli('audit', 'export', '--project', 'p-bundle', '--out', bundleFile, '--at', instants[0], '--at', instants[1]);
    expect(exported.out).toMatch(/^wrote .*bundle\.json: 3 of access_project-p-bundle, 6 of access_lab-bundle-lab; heads signed with ed25519:[0-9a-f]{16}; 2 head\(s\) signed at write time; 2 answer\(s\)$/);
    expect(exported.status).toBe(EXIT_OK);

    const verified = await cli('audit', 'verify-bundle', bundleFile, '--trusted-key', publicKeyFile);
    expect(verified.out).toContain('All 2 signed heads verify with ed25519:');
    expect(verified.out).toContain('a key you trust');
    expect(verified.out).toMatch(/Signed at write time: access_project-p-bundle: 3 events, signed at .* by ed25519:[0-9a-f]{16} \(valid\); access_lab-bundle-lab: 6 events/);
    expect(verified.out).toMatch(/Answer at .*: .*bob experimenter by explicit permission from .* \("runs the scans"\)/);
    expect(verified.out).toMatch(/VERIFIED: every event, link, signed head and answer recomputes\.$/);
    expect(verified.status).toBe(EXIT_OK);
  });

  it("serves the same bundle to the project's auditors over HTTP, and the signature state in words with audit verify", async () => {
    const exported = await as(service, alice).get(`/api/audit/access/bundle?project=p-bundle&at=${instants[1]}`);
    expect(exported.status).toBe(200);
    const bundle = exported.body as AuditBundle;
    expect(bundle.answers.map(({ at }) => at)).toEqual([instants[1]]);
    expect(verifyAuditBundle(bundle, [trustedKeyFromPem(readFileSync(publicKeyFile))])).toMatchObject({ intact: true, anchored: true, findings: [] });

    const verified = await as(service, alice).get('/api/audit/access/verify?project=p-bundle');
    expect(verified.body.signatures).toMatch(/^All 2 signed heads verify with ed25519:[0-9a-f]{16}, the platform's current signing key; signed at /);
    expect((await as(service, bob).get('/api/audit/access/bundle?project=p-bundle')).status).toBe(403);
  });

  it('names one byte edited in an event', async () => {
    const text = readFileSync(bundleFile, 'utf8');
    const file = join(folder, 'byte.json');
    writeFileSync(file, text.replace('"runs the scans"', '"runs the scanz"'));
    const { status, out } = await cli('audit', 'verify-bundle', file);
    expect(status).toBe(EXIT_CHECK_FAILED);
    expect(out).toMatch(/event #1 of access_project-p-bundle \(stream version 1, access\.role\.granted\.v1, id [^)]+\) does not hash to its link/);
    expect(out).toContain('the chain recomputed from its first 3 events does not reach the signed head');
  });

  it('names an event dropped from the middle', async () => {
    const { status, out } = await cli('audit', 'verify-bundle', tampered('dropped', (bundle) => projectEvents(bundle).splice(1, 1)));
    expect(status).toBe(EXIT_CHECK_FAILED);
    expect(out).toContain('access_project-p-bundle: the event at stream version 1 is missing (dropped from the middle)');
  });

  it('names events cut off after the last signed head', async () => {
    const { status, out } = await cli('audit', 'verify-bundle', tampered('cut', (bundle) => projectEvents(bundle).splice(2)));
    expect(status).toBe(EXIT_CHECK_FAILED);
    expect(out).toContain('access_project-p-bundle: 1 event(s) were cut off after stream version 1; the signed head covers 3');
  });

  it('names two events swapped', async () => {
    const { status, out } = await cli('audit', 'verify-bundle', tampered('swapped', (bundle) => projectEvents(bundle).splice(1, 2, projectEvents(bundle)[2], projectEvents(bundle)[1])));
    expect(status).toBe(EXIT_CHECK_FAILED);
    expect(out).toContain('access_project-p-bundle: events at stream versions 2 and 1 are out of order (swapped)');
  });

  it('names a signature from another key, whether it poses as the platform key or brings its own', async () => {
    const stranger = auditSigner(createPrivateKey(readFileSync(strangerKeyFile)));
    const resign = (bundle: AuditBundle) => bundle.heads.map(({ stream, length, head, signedAt }) => stranger.sign({ stream, length, head, signedAt }));
    const posing = await cli(
      'audit',
      'verify-bundle',
      tampered('posing', (bundle) => {
        bundle.heads[0] = { ...resign(bundle)[0], keyId: bundle.heads[0].keyId };
      }),
    );
    expect(posing.status).toBe(EXIT_CHECK_FAILED);
    expect(posing.out).toMatch(/the signature of the head of access_project-p-bundle \(key ed25519:[0-9a-f]{16}\) does not verify with the key it names/);

    const ownKey = tampered('own-key', (bundle) => {
      bundle.heads = resign(bundle);
      bundle.keys = [stranger.key];
    });
    const unanchored = await cli('audit', 'verify-bundle', ownKey);
    expect(unanchored.out).toContain('the key the bundle carries');
    const anchored = await cli('audit', 'verify-bundle', ownKey, '--trusted-key', publicKeyFile);
    expect(anchored.status).toBe(EXIT_CHECK_FAILED);
    expect(anchored.out).toContain(`the signature of the head of access_project-p-bundle (key ${stranger.key.keyId}) is by a key that is not one of the keys you trust`);
  });

  describe('heads signed at write time', () => {
    const platformKey = () => trustedKeyFromPem(readFileSync(publicKeyFile));

    it('records, after each commit to a deciding stream, its head signed by the access service, the newest covering every event', async () => {
      for (const [stream, length] of [[projectAccessStream('p-bundle'), 3], [labStream('bundle-lab'), 6]] as const) {
        const recorded = (await service.runtime.store.readStream(chainStream(stream))).map(({ type, data }) => ({ type, head: data as SignedHead }));
        expect(new Set(recorded.map(({ type }) => type))).toEqual(new Set(['access.chain.head-signed.v1']));
        const lengths = recorded.map(({ head }) => head.length);
        expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
        expect(lengths.at(-1)).toBe(length);
        const links = chainLinks((await service.runtime.store.readStream(stream)).map(auditRecordOf));
        for (const { head } of recorded) {
          expect(head.head).toBe(links[head.length - 1]);
          expect(signatureHolds(head, platformKey())).toBe(true);
        }
      }
    });

    it('names an event appended to the store directly, after the newest head signed at write time, though the export signs it', async () => {
      await createInitializedProject(service, { projectId: 'p-inserted', lab: 'bundle-lab', scheme: 'lab', baseLevel: 'viewer', creator: alice });
      await recordStep(service, as(service, alice).put('/api/projects/p-inserted/access/users/bob', { role: 'experimenter', reason: 'runs the scans' }));
      const stream = projectAccessStream('p-inserted');
      const [, granted] = await service.runtime.store.readStream(stream);
      await service.runtime.store.append(stream, [{ type: granted.type, data: { ...(granted.data as object), user: carol.userId } }], granted.streamversion);

      const file = join(folder, 'inserted.json');
      expect((await cli('audit', 'export', '--project', 'p-inserted', '--out', file)).status).toBe(EXIT_OK);
      const { status, out } = await cli('audit', 'verify-bundle', file, '--trusted-key', publicKeyFile);
      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain('All 2 signed heads verify with');
      expect(out).toMatch(/Signed at write time: access_project-p-inserted: 2 events, signed at .* \(valid\)/);
      expect(out).toContain(
        'access_project-p-inserted: events #2..#2 were appended after the newest head the access service signed at write time; it never signed them (written to the store directly, or their signing failed)',
      );

      // The auditor's page says it per stream, in words.
      const verified = await as(service, alice).get('/api/audit/access/verify?project=p-inserted').expect(200);
      expect(verified.body.signedAtWrite).toEqual([
        expect.stringMatching(
          /^The project's access \(access_project-p-inserted, 3 events\): its first 2 events were signed as committed by ed25519:[0-9a-f]{16}, last at \S+, but events #2\.\.#2 were appended after the newest head the access service signed at write time; it never signed them \(written to the store directly, or their signing failed\)\.$/,
        ),
        expect.stringMatching(/^The lab's membership \(access_lab-bundle-lab, 6 events\): every event signed as committed by ed25519:[0-9a-f]{16}, last at \S+; the signature verifies\.$/),
      ]);
    });

    it('refuses to sign the next commit after an event appended directly between two commits, raising the alarm, and the bundle names it', async () => {
      const alarms = async () => (await unsignedEventAlarms.get()).values.find((value) => value.labels.category === 'access_project')?.value ?? 0;
      const before = await alarms();
      await createInitializedProject(service, { projectId: 'p-between', lab: 'bundle-lab', scheme: 'lab', baseLevel: 'viewer', creator: alice });
      await recordStep(service, as(service, alice).put('/api/projects/p-between/access/users/bob', { role: 'experimenter' }));
      const stream = projectAccessStream('p-between');
      const [, granted] = await service.runtime.store.readStream(stream);
      await service.runtime.store.append(stream, [{ type: granted.type, data: { ...(granted.data as object), user: carol.userId } }], granted.streamversion);
      await recordStep(service, as(service, alice).delete('/api/projects/p-between/access/users/bob', { reason: 'done' }));

      const heads = (await service.runtime.store.readStream(chainStream(stream))).map(({ data }) => (data as SignedHead).length);
      expect(Math.max(...heads)).toBe(2);
      expect(await alarms()).toBe(before + 1);
      const file = join(folder, 'between.json');
      expect((await cli('audit', 'export', '--project', 'p-between', '--out', file)).status).toBe(EXIT_OK);
      const { status, out } = await cli('audit', 'verify-bundle', file, '--trusted-key', publicKeyFile);
      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain('access_project-p-between: events #2..#3 were appended after the newest head the access service signed at write time');
    });

    it('names a stream rewritten in the store before the export, though the export signs the rewritten chain', async () => {
      const platform = auditSigner(createPrivateKey(readFileSync(keyFile)));
      const file = tampered('rewritten', (bundle) => {
        // What an export (without --at) signs after someone rewrote the store: the changed event, a chain recomputed over it.
        bundle.answers = [];
        const events = projectEvents(bundle);
        (events[1].data as { reason: string }).reason = 'was never asked';
        const links = chainLinks(events.map(({ link: _link, ...record }) => record));
        events.forEach((event, index) => (event.link = links[index]));
        bundle.heads[0] = platform.sign({ stream: bundle.heads[0].stream, length: events.length, head: links.at(-1) as string, signedAt: bundle.heads[0].signedAt });
      });
      const { status, out } = await cli('audit', 'verify-bundle', file, '--trusted-key', publicKeyFile);
      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain('All 2 signed heads verify with');
      expect(out).toMatch(/access_project-p-bundle: the chain recomputed from its first 3 events does not reach the head signed at write time [0-9a-f]{64}: it was rewritten after the access service signed it/);
      expect(out).not.toContain('does not hash to its link');
    });

    it('names a bundle whose heads signed at write time were removed', async () => {
      const { status, out } = await cli('audit', 'verify-bundle', tampered('unsigned', (bundle) => (bundle.writeHeads = [])), '--trusted-key', publicKeyFile);
      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain('access_project-p-bundle: the access service signed no head at write time for its 3 events');
    });
  });
});
