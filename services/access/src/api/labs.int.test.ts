import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';

/**
 * The walking skeleton: HTTP → decider → JetStream → projection in MongoDB (FerretDB) → query that
 * honours Cairn-Min-Position, with docs/api.md's error shapes.
 */
describe('labs and lab members over HTTP', () => {
  let service: ServiceUnderTest;
  let admin: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    admin = await service.token({ username: 'alice', admin: true, email: 'alice@example.org', name: 'Alice Admin' });
    bob = await service.token({ username: 'bob', email: 'bob@example.org', name: 'Bob' });
    carol = await service.token({ username: 'carol' });
  });
  afterAll(() => service?.close());

  const api = () => request(service.server);

  it('given a facility admin, when they create a lab, then it answers 201 with the slug and a Cairn-Position', async () => {
    const response = await api().post('/api/labs').set('authorization', `Bearer ${admin}`).send({ name: 'Crème Brûlée Lab' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 'creme-brulee-lab', slug: 'creme-brulee-lab', name: 'Crème Brûlée Lab', admin: true });
    expect(Number(response.headers['cairn-position'])).toBeGreaterThan(0);
  });

  it('when a second lab takes the same slug, then 409 names the rule', async () => {
    const response = await api().post('/api/labs').set('authorization', `Bearer ${admin}`).send({ name: 'Other', slug: 'creme-brulee-lab' });
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409, rule: 'lab.already-exists' });
  });

  it('when someone without the cairn_admin claim creates a lab, then 403', async () => {
    const response = await api().post('/api/labs').set('authorization', `Bearer ${bob}`).send({ name: 'Bob lab' });
    expect(response.status).toBe(403);
    expect(response.body.rule).toBe('lab.create-needs-facility-admin');
  });

  it('when the body is bad, then 400 lists each field and reason, and unknown fields are refused', async () => {
    const response = await api().post('/api/labs').set('authorization', `Bearer ${admin}`).send({ name: '', colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: expect.stringMatching(/name should not be empty/) },
        { field: 'colour', message: 'property colour should not exist' },
      ]),
    );
  });

  it('when the body is not JSON, then 400 problem+json', async () => {
    const response = await api()
      .post('/api/labs')
      .set('authorization', `Bearer ${admin}`)
      .set('content-type', 'application/json')
      .send('{"name":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, detail: 'The request body is not valid JSON.' });
  });

  it('without a token, or with a forged or expired one, then 401 problem+json', async () => {
    const forged = `${admin.slice(0, -4)}AAAA`;
    const expired = await service.token({ username: 'alice', expiresIn: '-1h' });
    for (const authorization of [undefined, `Bearer ${forged}`, `Bearer ${expired}`, 'Basic abc']) {
      const call = api().get('/api/labs/creme-brulee-lab/members');
      const response = await (authorization ? call.set('authorization', authorization) : call);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('given people who signed in once, when the lab admin adds them by username or e-mail, then the list shows them once the read model has caught up', async () => {
    // Signing in once puts people in the directory (any authenticated call does).
    await api().get('/api/labs/creme-brulee-lab/members').set('authorization', `Bearer ${bob}`);
    const bobAdded = await api()
      .post('/api/labs/creme-brulee-lab/members')
      .set('authorization', `Bearer ${admin}`)
      .send({ user: 'bob@example.org' });
    expect(bobAdded.status).toBe(201);
    expect(bobAdded.body).toMatchObject({ userId: 'u-bob', username: 'bob', admin: false });

    const list = await api()
      .get('/api/labs/creme-brulee-lab/members')
      .set('authorization', `Bearer ${bob}`)
      .set('Cairn-Min-Position', bobAdded.headers['cairn-position']);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [
        { lab: 'creme-brulee-lab', userId: 'u-alice', username: 'alice', displayName: 'Alice Admin', email: 'alice@example.org', admin: true },
        { lab: 'creme-brulee-lab', userId: 'u-bob', username: 'bob', displayName: 'Bob', email: 'bob@example.org', admin: false },
      ],
      nextCursor: null,
    });
  });

  it('pages the members list with limit and an opaque cursor', async () => {
    const first = await api().get('/api/labs/creme-brulee-lab/members?limit=1').set('authorization', `Bearer ${admin}`);
    expect(first.body.items.map((m: { username: string }) => m.username)).toEqual(['alice']);
    const second = await api()
      .get(`/api/labs/creme-brulee-lab/members?limit=1&cursor=${first.body.nextCursor}`)
      .set('authorization', `Bearer ${admin}`);
    expect(second.body).toMatchObject({ items: [{ username: 'bob' }], nextCursor: null });
    const bad = await api().get('/api/labs/creme-brulee-lab/members?limit=501').set('authorization', `Bearer ${admin}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('limit');
  });

  it('when a non-member lists the members, then 403; an unknown person cannot be added (404)', async () => {
    await api().get('/api/labs/creme-brulee-lab/members').set('authorization', `Bearer ${carol}`).expect(403);
    const unknown = await api()
      .post('/api/labs/creme-brulee-lab/members')
      .set('authorization', `Bearer ${admin}`)
      .send({ user: 'nobody@example.org' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.rule).toBe('directory.unknown-user');
  });

  it('an e-mail identifies a person only when their issuer verified it, and one held by two people is a 409, never a guess', async () => {
    const signIn = async (claims: Parameters<ServiceUnderTest['token']>[0]) => {
      await api().get('/api/labs').set('authorization', `Bearer ${await service.token(claims)}`).expect(200);
    };
    const add = (user: string) => api().post('/api/labs/creme-brulee-lab/members').set('authorization', `Bearer ${admin}`).send({ user });

    await signIn({ username: 'mallory', email: 'dana@example.org', emailVerified: false });
    expect((await add('dana@example.org').expect(404)).body.rule).toBe('directory.unknown-user');

    await signIn({ username: 'dana', email: 'dana@example.org' });
    await signIn({ username: 'dana-old', email: 'DANA@example.org' });
    const ambiguous = await add('dana@example.org').expect(409);
    expect(ambiguous.body).toMatchObject({ rule: 'directory.ambiguous-user', userRef: 'dana@example.org' });
    expect((await add('dana').expect(201)).body).toMatchObject({ userId: 'u-dana', username: 'dana' });
    await api().delete('/api/labs/creme-brulee-lab/members/dana').set('authorization', `Bearer ${admin}`).send({}).expect(200);
  });

  it('when a non-admin member adds someone, then 403 names the rule', async () => {
    const response = await api().post('/api/labs/creme-brulee-lab/members').set('authorization', `Bearer ${bob}`).send({ user: 'carol' });
    expect(response.status).toBe(403);
    expect(response.body.rule).toBe('lab.admin-manages-members');
  });

  it('a retried command with the same Idempotency-Key returns the first answer and changes nothing', async () => {
    const send = () =>
      api()
        .post('/api/labs/creme-brulee-lab/members')
        .set('authorization', `Bearer ${admin}`)
        .set('Idempotency-Key', 'add-carol-1')
        .send({ user: 'carol' });
    const first = await send();
    const retry = await send();
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['cairn-position']).toBe(first.headers['cairn-position']);
  });

  it('a read waiting for a position the read models never reach answers 503 with Retry-After', async () => {
    const response = await api()
      .get('/api/labs/creme-brulee-lab/members')
      .set('authorization', `Bearer ${admin}`)
      .set('Cairn-Min-Position', '999999');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
  });

  it('when the lab admin removes a member, then they leave the list', async () => {
    const removed = await api().delete('/api/labs/creme-brulee-lab/members/carol').set('authorization', `Bearer ${admin}`).send({});
    expect(removed.status).toBe(200);
    const list = await api()
      .get('/api/labs/creme-brulee-lab/members')
      .set('authorization', `Bearer ${admin}`)
      .set('Cairn-Min-Position', removed.headers['cairn-position']);
    expect(list.body.items.map((m: { username: string }) => m.username)).toEqual(['alice', 'bob']);
  });

  it('"my labs": a member lists the labs they belong to, a facility admin every lab by name, a stranger none', async () => {
    const other = await api().post('/api/labs').set('authorization', `Bearer ${admin}`).send({ name: 'Another Lab' });
    const mine = await api().get('/api/labs').set('authorization', `Bearer ${bob}`).set('Cairn-Min-Position', other.headers['cairn-position']);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ items: [{ id: 'creme-brulee-lab', slug: 'creme-brulee-lab', name: 'Crème Brûlée Lab', admin: false }], nextCursor: null });

    const every = await api().get('/api/labs').set('authorization', `Bearer ${admin}`);
    expect(every.body.items).toEqual([
      { id: 'another-lab', slug: 'another-lab', name: 'Another Lab', admin: true },
      { id: 'creme-brulee-lab', slug: 'creme-brulee-lab', name: 'Crème Brûlée Lab', admin: true },
    ]);
    const firstOnly = await api().get('/api/labs?limit=1').set('authorization', `Bearer ${admin}`);
    expect(firstOnly.body).toMatchObject({ items: [{ id: 'another-lab' }], nextCursor: expect.any(String) });

    const none = await api().get('/api/labs').set('authorization', `Bearer ${carol}`);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('the role schemes are data a client can read: roles lowest first, capabilities, grants and base levels', async () => {
    const response = await api().get('/api/role-schemes').set('authorization', `Bearer ${bob}`);
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(response.body.map((scheme: { name: string }) => [scheme.name, scheme]));
    expect(byName.facility).toMatchObject({ roles: ['viewer', 'member', 'manager', 'owner'], ownerCardinality: 'exactly-one', hasBaseLevel: false, defaultBaseLevel: null });
    expect(byName.facility.grantRules.member.add).toEqual(['viewer']);
    expect(byName.lab).toMatchObject({ roles: ['none', 'viewer', 'commenter', 'experimenter', 'owner'], hasBaseLevel: true, defaultBaseLevel: 'none' });
    expect(byName.lab.capabilities.commenter).toContain('comments.write');
  });
});
