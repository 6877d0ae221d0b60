import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectAccessEvent } from '@cairn/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { auditSignerFromEnv } from '../application/audit-signing-key';
import { exportAuditBundle, verifyAuditBundle } from '../application/audit-bundle';
import { chainStream } from '../application/chain-heads';
import { projectAccessStream } from '../application/project-access.service';
import { as, createInitializedProject, signIn, type TestPerson } from './testing/access-test-kit';

/**
 * Invitations by e-mail (#21 point 4), as the facility jobs guide puts it: "Add people via their
 * username or e-mail adress and assign them their intended role", for someone who has never signed in.
 */
describe('invitations by e-mail over HTTP', () => {
  let service: ServiceUnderTest;
  let olivia: TestPerson, manon: TestPerson, vikram: TestPerson, oscar: TestPerson;
  const keyFile = join(mkdtempSync(join(tmpdir(), 'cairn-invitations-')), 'signing-key.pem');

  const invitations = (projectId: string, rest = '') => `/api/projects/${projectId}/access/invitations${rest}`;
  const accessEvents = async (projectId: string) => (await service.runtime.store.readStream(projectAccessStream(projectId))) as unknown as ProjectAccessEvent[];

  /** Someone signing in with `email`, verified by their identity provider unless said otherwise. */
  async function signInWith(username: string, email: string, emailVerified = true): Promise<TestPerson> {
    const token = await service.token({ username, name: username, email, emailVerified });
    const person = { username, userId: `u-${username}`, email, displayName: username, token };
    await as(service, person).get('/api/labs').expect(200);
    return person;
  }

  /** A facility project of Olivia's in which Manon manages and Vikram views. */
  async function facilityProject(projectId: string): Promise<void> {
    await createInitializedProject(service, { projectId, lab: 'facility', scheme: 'facility', creator: olivia });
    await as(service, olivia).put(`/api/projects/${projectId}/access/users/manon`, { role: 'manager' }).expect(200);
    await as(service, olivia).put(`/api/projects/${projectId}/access/users/vikram`, { role: 'viewer' }).expect(200);
  }

  beforeAll(async () => {
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    service = await startServiceUnderTest(accessService, undefined, { env: { CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile } });
    [olivia, manon, vikram, oscar] = await Promise.all(['olivia', 'manon', 'vikram', 'oscar'].map((name) => signIn(service, name)));
    // Through the service, so that every access-deciding stream of the bundle is signed at write time.
    const admin = { ...(await signIn(service, 'audrey')), token: await service.token({ username: 'audrey', admin: true, email: 'audrey@example.org', name: 'audrey' }) };
    for (const [slug, members] of [['facility', [olivia, manon, vikram]], ['sundog', [olivia]]] as const) {
      await as(service, admin).post('/api/labs', { name: slug, slug }).expect(201);
      for (const member of members) await as(service, admin).post(`/api/labs/${slug}/members`, { user: member.username }).expect(201);
    }
  });
  afterAll(() => service?.close());

  it('a manager invites an address nobody has signed in with: pending, listed, until it signs in verified; then the role is held', async () => {
    await facilityProject('p-invite');
    const sent = await as(service, manon).post(invitations('p-invite'), { email: 'Ines@Partner.example', role: 'member', reason: 'partner beamline' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ projectId: 'p-invite', email: 'Ines@Partner.example', role: 'member', accepted: false, ambiguous: false });
    const listed = await as(service, manon).get(invitations('p-invite'), Number(sent.headers['cairn-position'])).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ invitation: sent.body.invitation, email: 'Ines@Partner.example', role: 'member', invitedBy: manon.userId, ambiguous: false })]);

    // An address the identity provider does not vouch for identifies nobody.
    const unverified = await signInWith('ines', 'ines@partner.example', false);
    await as(service, unverified).get('/api/projects/p-invite/access/me').expect(404);

    const ines = await signInWith('ines', 'ines@partner.example');
    const mine = await as(service, ines).get('/api/projects/p-invite/access/me').expect(200);
    expect(mine.body).toMatchObject({ role: 'member', via: 'explicit' });
    const [accepted, granted] = (await accessEvents('p-invite')).slice(-2);
    expect(accepted).toMatchObject({ type: 'access.invitation.accepted.v1', actorid: ines.userId, data: { invitation: sent.body.invitation, user: ines.userId, invitedBy: manon.userId } });
    expect(granted).toMatchObject({ type: 'access.role.granted.v1', data: { user: ines.userId, actor: manon.userId, after: 'member', reason: expect.stringContaining(sent.body.invitation) } });
    expect((await as(service, manon).get(invitations('p-invite')).expect(200)).body.items).toEqual([]);
  });

  it('the acceptance is signed at write time like every access commit', async () => {
    const events = await service.runtime.store.readStream(projectAccessStream('p-invite'));
    const heads = await service.runtime.store.readStream(chainStream(projectAccessStream('p-invite')));
    expect(heads.at(-1)).toMatchObject({ type: 'access.chain.head-signed.v1', data: { length: events.length }, causationid: events.at(-1)!.id });
  });

  it('is in the audit bundle: exported with the project\'s access events, verified offline, and an edited invitation is named', async () => {
    const signer = auditSignerFromEnv({ CAIRN_AUDIT_SIGNING_KEY_FILE: keyFile });
    const bundle = await exportAuditBundle({ store: service.runtime.store, eventStore: 'jetstream', project: 'p-invite', instants: [new Date()], signer });
    const types = bundle.streams[0].events.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['access.invitation.sent.v1', 'access.invitation.accepted.v1']));
    expect(bundle.answers[0].people).toEqual(expect.arrayContaining([expect.objectContaining({ user: 'u-ines', role: 'member' })]));
    expect(verifyAuditBundle(bundle, [signer.key])).toMatchObject({ intact: true, findings: [] });

    const sent = bundle.streams[0].events.find((event) => event.type === 'access.invitation.sent.v1')!;
    (sent.data as { role: string }).role = 'manager';
    expect(verifyAuditBundle(bundle, [signer.key]).findings).toEqual(
      expect.arrayContaining([expect.stringMatching(/access\.invitation\.sent\.v1.*does not hash to its link/)]),
    );
  });

  it('appears in the access history, sent and accepted', async () => {
    const history = await as(service, olivia).get('/api/audit/access?project=p-invite').expect(200);
    const invitationEntries = history.body.items.filter((entry: { subject: string }) => entry.subject === 'invitation');
    expect(invitationEntries.map((entry: { before: string | null; after: string }) => [entry.before, entry.after])).toEqual([
      [null, 'pending'],
      ['pending', 'accepted'],
    ]);
    expect(invitationEntries[0]).toMatchObject({ email: 'Ines@Partner.example', role: 'member', actor: manon.userId });
  });

  it('an address two people have signed in with goes to neither: it stays pending, and the list says why', async () => {
    await facilityProject('p-shared');
    await signInWith('pat', 'lab-shared@partner.example');
    const sam = await signInWith('sam', 'lab-shared@partner.example');
    const sent = await as(service, olivia).post(invitations('p-shared'), { email: 'lab-shared@partner.example', role: 'viewer' }).expect(201);
    expect(sent.body).toMatchObject({ accepted: false, ambiguous: true });
    await as(service, sam).get('/api/projects/p-shared/access/me').expect(404);
    const listed = await as(service, olivia).get(invitations('p-shared')).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ email: 'lab-shared@partner.example', ambiguous: true })]);
  });

  it('an address one person has signed in with already is accepted at once', async () => {
    await facilityProject('p-known');
    const sent = await as(service, manon).post(invitations('p-known'), { email: oscar.email, role: 'viewer' }).expect(201);
    expect(sent.body).toMatchObject({ accepted: true, user: oscar.userId });
    await as(service, oscar).get('/api/projects/p-known/access/me', Number(sent.headers['cairn-position'])).expect(200);
  });

  it('is withdrawn by those who may grant its role; the address then signs in to nothing', async () => {
    await facilityProject('p-withdraw');
    const sent = await as(service, manon).post(invitations('p-withdraw'), { email: 'wes@partner.example', role: 'member' }).expect(201);
    const refused = await as(service, vikram).delete(invitations('p-withdraw', `/${sent.body.invitation}`));
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('access.invitations-for-granters');
    await as(service, olivia).delete(invitations('p-withdraw', `/${sent.body.invitation}`), { reason: 'wrong address' }).expect(200);
    const wes = await signInWith('wes', 'wes@partner.example');
    await as(service, wes).get('/api/projects/p-withdraw/access/me').expect(404);
    const again = await as(service, olivia).delete(invitations('p-withdraw', `/${sent.body.invitation}`));
    expect(again.status).toBe(404);
    expect(again.body.rule).toBe('access.invitation-unknown');
  });

  it('is listed only to those who may grant, and a project one cannot see answers as a missing one', async () => {
    await facilityProject('p-hidden');
    const viewer = await as(service, vikram).get(invitations('p-hidden'));
    expect(viewer.status).toBe(403);
    const hidden = await as(service, oscar).get(invitations('p-hidden'));
    const missing = await as(service, oscar).get(invitations('p-never-created'));
    expect([hidden.status, hidden.body.type, hidden.body.rule]).toEqual([missing.status, missing.body.type, missing.body.rule]);
    const invite = await as(service, oscar).post(invitations('p-hidden'), { email: 'x@partner.example', role: 'viewer' });
    expect(invite.status).toBe(404);
  });

  it('follows the grant rules, takes only an e-mail address, and keeps the lab guide\'s rule in lab-scheme projects', async () => {
    await facilityProject('p-rules');
    const manager = await as(service, manon).post(invitations('p-rules'), { email: 'mia@partner.example', role: 'manager' });
    expect([manager.status, manager.body.rule]).toEqual([403, 'facility.only-owner-manages-managers']);
    const notAnAddress = await as(service, manon).post(invitations('p-rules'), { email: 'mia', role: 'member' });
    expect(notAnAddress.status).toBe(400);
    expect(notAnAddress.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    await createInitializedProject(service, { projectId: 'p-lab', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: olivia });
    const labScheme = await as(service, olivia).post(invitations('p-lab'), { email: 'mia@partner.example', role: 'viewer' });
    expect([labScheme.status, labScheme.body.rule]).toEqual([409, 'lab.no-invitations-by-email']);
  });
});
