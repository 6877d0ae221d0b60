import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { natsEnvOf, type RunningPlatform } from '@cairn/local-platform';
import { EXIT_CHECK_FAILED, EXIT_OK, runCairnCli, type CliIo } from '@cairn/access-service';
import { startLocalPlatform } from './local-platform';

/**
 * An auditor's bundle from the platform as `npm start` runs it: the platform makes its signing key on
 * first start, `audit export` reads its event store and the edge serves the same bundle, and
 * `audit verify-bundle`, run offline against the platform's public key, verifies both, and catches an
 * edit.
 */
describe('audit bundles exported from the running platform', () => {
  let platform: RunningPlatform;
  const folder = mkdtempSync(join(tmpdir(), 'cairn-audit-e2e-'));
  const keyFile = join(folder, 'audit-signing-key.pem');
  const token = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org` }, LOCAL_DEV_JWT_SECRET);
  let project: string;

  async function cli(...args: string[]) {
    const lines: string[] = [];
    const env = { ...natsEnvOf({ kind: 'cli' }, platform.natsUrl, platform.natsCredentialsDir), MONGO_URL: platform.mongoUrl, CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile };
    const io: CliIo = { env, out: (line) => lines.push(line), err: (line) => lines.push(line), progress: () => undefined };
    return { status: await runCairnCli(args, io), out: lines.join('\n') };
  }

  beforeAll(async () => {
    platform = await startLocalPlatform('audit-bundle', { CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile });
    const alice = await token('alice', true);
    const edge = (method: 'post' | 'put', path: string, by: string, body: object) => request(platform.edgeUrl)[method](path).set('authorization', `Bearer ${by}`).send(body);
    await edge('post', '/api/labs', alice, { name: 'Ledger', slug: 'ledger' }).expect(201);
    // Bob's first request makes him known to the user directory, so he can be added by name.
    await request(platform.edgeUrl).get('/api/labs/ledger/members').set('authorization', `Bearer ${await token('bob')}`).expect(403);
    await edge('post', '/api/labs/ledger/members', alice, { user: 'bob' }).expect(201);
    project = (await edge('post', '/api/projects', alice, { lab: 'ledger', name: 'Signed history', scheme: 'lab' }).expect(201)).body.id;
    // The access service initializes the project's access once it sees the creation.
    for (let attempt = 0; (await request(platform.edgeUrl).get(`/api/projects/${project}/access`).set('authorization', `Bearer ${alice}`)).status !== 200; attempt++) {
      if (attempt > 100) throw new Error('the project access was never initialized');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await edge('put', `/api/projects/${project}/access/users/bob`, alice, { role: 'experimenter', reason: 'runs the scans' }).expect(200);
  }, 180_000);
  afterAll(() => platform?.stop());

  it('export, then verify-bundle offline with the public key the platform wrote beside its key; an edit is named', async () => {
    const bundleFile = join(folder, 'bundle.json');
    const exported = await cli('audit', 'export', '--project', project, '--out', bundleFile, '--at', new Date().toISOString());
    expect(exported.out).toMatch(new RegExp(`^wrote .*: 2 of access_project-${project}, 3 of access_lab-ledger; heads signed with ed25519:[0-9a-f]{16}; 2 head\\(s\\) signed at write time; 1 answer\\(s\\)$`));
    expect(exported.status).toBe(EXIT_OK);

    const verified = await cli('audit', 'verify-bundle', bundleFile, '--trusted-key', `${keyFile}.pub`);
    expect(verified.out).toMatch(/bob experimenter by explicit permission from u-alice .*\("runs the scans"\)/);
    // The access service signed each stream's head as it committed: the project's grant, the lab's member.
    expect(verified.out).toMatch(new RegExp(`Signed at write time: access_project-${project}: 2 events, .* \\(valid\\); access_lab-ledger: 3 events, .* \\(valid\\)`));
    expect(verified.out).toMatch(/VERIFIED: every event, link, signed head and answer recomputes\.$/);
    expect(verified.status).toBe(EXIT_OK);

    const edited = join(folder, 'edited.json');
    writeFileSync(edited, readFileSync(bundleFile, 'utf8').replace('"experimenter"', '"owner"'));
    const caught = await cli('audit', 'verify-bundle', edited, '--trusted-key', `${keyFile}.pub`);
    expect(caught.status).toBe(EXIT_CHECK_FAILED);
    expect(caught.out).toMatch(/event #1 of access_project-\S+ \(stream version 1, access\.role\.granted\.v1, id \S+\) does not hash to its link/);
  }, 60_000);

  it('the edge serves the same, verifiable bundle to the project\'s auditor', async () => {
    const bundle = await request(platform.edgeUrl).get(`/api/audit/access/bundle?project=${project}`).set('authorization', `Bearer ${await token('alice', true)}`).expect(200);
    const file = join(folder, 'from-the-edge.json');
    writeFileSync(file, JSON.stringify(bundle.body));
    const verified = await cli('audit', 'verify-bundle', file, '--trusted-key', `${keyFile}.pub`);
    expect(verified.out).toContain('a key you trust');
    expect(verified.status).toBe(EXIT_OK);
  }, 60_000);
});
