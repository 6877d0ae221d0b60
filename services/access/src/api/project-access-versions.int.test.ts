import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { projectAccessStream } from '../application/project-access.service';
import { as, createInitializedProject, createLab, signIn, type TestPerson } from './testing/access-test-kit';

/**
 * Versions of a project's access (docs/api.md): the users page is served with a strong ETag that is the
 * access stream's version; a change with `If-Match: <version>` answers 412 on a stale one, with
 * `expectedVersion` in its body 409; both answers carry the current version.
 */
describe("a project's access, versioned", () => {
  let service: ServiceUnderTest;
  let alice: TestPerson, bob: TestPerson, carol: TestPerson;
  let projects = 0;

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => signIn(service, name)));
    await createLab(service, 'sundog', [alice, bob, carol]);
  });
  afterAll(() => service?.close());

  /** A lab-scheme project of Alice's, for one test. */
  async function newProject(): Promise<string> {
    const projectId = `p-versioned-${++projects}`;
    await createInitializedProject(service, { projectId, lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    return projectId;
  }
  const access = (projectId: string, rest = '') => `/api/projects/${projectId}/access${rest}`;
  const versionOf = async (projectId: string) => (await service.runtime.store.readStream(projectAccessStream(projectId))).at(-1)!.streamversion;
  const ifMatch = (method: 'put' | 'delete' | 'post', path: string, tag: string, body: object) =>
    request(service.server)[method](path).set('authorization', `Bearer ${alice.token}`).set('If-Match', tag).send(body);

  it('the users page carries a strong ETag that is the version of the project\'s access, and a change moves it on', async () => {
    const projectId = await newProject();
    const first = await as(service, alice).get(access(projectId)).expect(200);
    expect(first.headers.etag).toBe(`"${await versionOf(projectId)}"`);

    await as(service, alice).put(access(projectId, '/users/bob'), { role: 'commenter' }).expect(200);

    const second = await as(service, alice).get(access(projectId)).expect(200);
    expect(second.headers.etag).toBe(`"${await versionOf(projectId)}"`);
    expect(Number(JSON.parse(second.headers.etag))).toBe(Number(JSON.parse(first.headers.etag)) + 1);
  });

  it('the page is sent whole even to an If-None-Match of its ETag: it also shows lab members, whose changes leave the version as it is', async () => {
    const projectId = await newProject();
    const { headers } = await as(service, alice).get(access(projectId)).expect(200);
    const again = await as(service, alice).get(access(projectId)).set('If-None-Match', headers.etag);
    expect(again.status).toBe(200);
    expect(again.body.viaBaseLevel.map((entry: { username: string }) => entry.username)).toEqual(['bob', 'carol']);
  });

  it('reads that are no version carry no ETag (the web framework\'s hash of the body is gone)', async () => {
    const projectId = await newProject();
    const mine = await as(service, alice).get(access(projectId, '/me')).expect(200);
    expect(mine.headers.etag).toBeUndefined();
  });

  describe('If-Match', () => {
    it('a change with the current version is made', async () => {
      const projectId = await newProject();
      const { headers } = await as(service, alice).get(access(projectId));
      await ifMatch('put', access(projectId, '/users/bob'), headers.etag, { role: 'commenter' }).expect(200);
    });

    it.each([
      ['PUT .../users/:userRef', 'put', '/users/carol', { role: 'experimenter' }],
      ['DELETE .../users/:userRef', 'delete', '/users/bob', {}],
      ['PUT .../base-level', 'put', '/base-level', { level: 'commenter' }],
    ] as const)('%s with a stale version answers 412 with the current version, and changes nothing', async (_endpoint, method, path, body) => {
      const projectId = await newProject();
      const { headers } = await as(service, alice).get(access(projectId));
      await as(service, alice).put(access(projectId, '/users/bob'), { role: 'commenter' }).expect(200);
      const current = await versionOf(projectId);

      const refused = await ifMatch(method, access(projectId, path), headers.etag, body);

      expect(refused.status).toBe(412);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 412, rule: 'precondition.stale-version', currentVersion: current });
      expect(await versionOf(projectId)).toBe(current);
    });

    it('POST .../transfer-ownership (facility scheme) with a stale version answers 412 too', async () => {
      const projectId = `p-versioned-facility`;
      await createInitializedProject(service, { projectId, lab: 'sundog', scheme: 'facility', creator: alice });
      await as(service, alice).put(access(projectId, '/users/bob'), { role: 'manager' }).expect(200);

      const refused = await ifMatch('post', access(projectId, '/transfer-ownership'), '"0"', { to: 'bob' });

      expect(refused.status).toBe(412);
      expect(refused.body.currentVersion).toBe(1);
    });

    it('the bare version docs/api.md writes (If-Match: 3) is understood like the tag "3"', async () => {
      const projectId = await newProject();
      const version = await versionOf(projectId);
      await ifMatch('put', access(projectId, '/users/bob'), String(version), { role: 'commenter' }).expect(200);
      expect((await ifMatch('put', access(projectId, '/users/carol'), String(version), { role: 'commenter' })).status).toBe(412);
    });

    it.each([['"bogus"'], ['W/"0"'], ['"0", "1"']])('If-Match: %s is refused with 400 naming the header: only one version, as this API sends it, is understood', async (tag) => {
      const projectId = await newProject();
      const refused = await ifMatch('put', access(projectId, '/users/bob'), tag, { role: 'commenter' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ rule: 'precondition.bad-if-match', errors: [{ field: 'If-Match', message: expect.any(String) }] });
      expect(await versionOf(projectId)).toBe(0);
    });

    it('50 concurrent permission changes with the same If-Match: exactly one is made, 49 answer 412', async () => {
      const projectId = await newProject();
      const { headers } = await as(service, alice).get(access(projectId));
      // Alternating roles Bob does not hold yet: each change would append something on its own.
      const roles = ['commenter', 'experimenter'];

      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) => ifMatch('put', access(projectId, '/users/bob'), headers.etag, { role: roles[index % 2] })),
      );

      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(49);
      expect(answers.find((answer) => answer.status === 412)!.body.currentVersion).toBe(1);
      expect(await versionOf(projectId)).toBe(1);
    });
  });

  describe('expectedVersion in the body', () => {
    it('the current version: the change is made', async () => {
      const projectId = await newProject();
      await as(service, alice).put(access(projectId, '/users/bob'), { role: 'commenter', expectedVersion: await versionOf(projectId) }).expect(200);
    });

    it('a stale version answers 409 with the current version, and changes nothing', async () => {
      const projectId = await newProject();
      await as(service, alice).put(access(projectId, '/users/bob'), { role: 'commenter' }).expect(200);

      const refused = await as(service, alice).delete(access(projectId, '/users/bob'), { expectedVersion: 0 });

      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ status: 409, rule: 'concurrency.stale-version', currentVersion: 1 });
      expect(await versionOf(projectId)).toBe(1);
    });

    it.each([[null], [-1], [1.5], ['0']])('%p is refused with 400 naming expectedVersion', async (expectedVersion) => {
      const projectId = await newProject();
      const refused = await as(service, alice).put(access(projectId, '/users/bob'), { role: 'commenter', expectedVersion });
      expect(refused.status).toBe(400);
      expect(new Set(refused.body.errors.map((error: { field: string }) => error.field))).toEqual(new Set(['expectedVersion']));
    });

    it('beside an If-Match naming another version, is refused with 400: a change is conditional on one version', async () => {
      const projectId = await newProject();
      const refused = await ifMatch('put', access(projectId, '/users/bob'), '"0"', { role: 'commenter', expectedVersion: 1 });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'expectedVersion' })]);
    });
  });
});
