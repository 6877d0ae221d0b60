import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { as, createLab, signIn, type TestPerson } from './testing/access-test-kit';

/** Sundog's add user form: "The user field autocompletes by username or display name" — here e-mail too. */
describe('GET /api/users: autocomplete among a lab\'s members', () => {
  let service: ServiceUnderTest;
  let alice: TestPerson;
  let outsider: TestPerson;

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    alice = await signIn(service, 'alice', 'Alice Archer', 'alice@sundog.test');
    const members = await Promise.all([
      signIn(service, 'bob', 'Bob Builder', 'bob@sundog.test'),
      signIn(service, 'bobby', 'Roberta Bobson', 'rb@sundog.test'),
      signIn(service, 'zed', 'Zed Bobcat', 'zed@sundog.test'),
      signIn(service, 'b.b', 'Dot Person', 'dot@sundog.test'),
    ]);
    // Signed in, but in another lab: never offered.
    outsider = await signIn(service, 'boris', 'Boris Outside', 'boris@elsewhere.test');
    await createLab(service, 'sundog', [alice, ...members]);
    await createLab(service, 'elsewhere', [outsider]);
  });
  afterAll(() => service?.close());

  const usernames = (body: { items: { username: string }[] }) => body.items.map((user) => user.username);
  const search = (query: string, person: TestPerson = alice) => as(service, person).get(`/api/users?lab=sundog&${query}`);

  it('finds lab members by username, display name or e-mail prefix, case-insensitively, ordered by username', async () => {
    const byPrefix = await search('q=BO');
    expect(byPrefix.status).toBe(200);
    // By username; "Zed Bobcat" is not among them: a display name matches from its start.
    expect(usernames(byPrefix.body)).toEqual(['bob', 'bobby']);
    expect(byPrefix.body.items[0]).toEqual({ userId: 'u-bob', username: 'bob', displayName: 'Bob Builder', email: 'bob@sundog.test' });

    expect(usernames((await search('q=rob')).body)).toEqual(['bobby']);
    expect(usernames((await search('q=zed%20b')).body)).toEqual(['zed']);
    expect(usernames((await search('q=rb%40sundog')).body)).toEqual(['bobby']);
  });

  it('never offers someone outside the lab', async () => {
    expect(usernames((await search('q=boris')).body)).toEqual([]);
  });

  it('takes the input literally: regex characters match only themselves', async () => {
    expect(usernames((await search('q=b.b')).body)).toEqual(['b.b']);
    expect(usernames((await search('q=b.')).body)).toEqual(['b.b']);
    expect((await search('q=(')).body).toEqual({ items: [], nextCursor: null });
  });

  it('pages with limit and cursor; no q lists every member', async () => {
    const first = await search('limit=2');
    expect(usernames(first.body)).toEqual(['alice', 'b.b']);
    const second = await search(`limit=2&cursor=${first.body.nextCursor}`);
    expect(usernames(second.body)).toEqual(['bob', 'bobby']);
    const third = await search(`limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toEqual({ items: [expect.objectContaining({ username: 'zed' })], nextCursor: null });
  });

  it('answers lab members only; an unknown lab is a 404, a missing lab a 400', async () => {
    const stranger = await search('q=b', outsider);
    expect(stranger.status).toBe(403);
    expect(stranger.body.rule).toBe('lab.members-search-members');
    const unknown = await as(service, alice).get('/api/users?lab=atlantis&q=b');
    expect(unknown.status).toBe(404);
    expect(unknown.body.rule).toBe('lab.unknown');
    const missing = await as(service, alice).get('/api/users?q=b');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('lab');
  });

  it('is served from indexes on the lower-cased username, display name and e-mail', async () => {
    const indexes = await service.runtime.db.collection('user_directory').indexes();
    const keys = indexes.map((index) => Object.keys(index.key));
    expect(keys).toEqual(expect.arrayContaining([['usernameLower'], ['displayNameLower'], ['emailLower']]));
  });
});
