import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ProjectAccessEvent } from '@cairn/contracts';
import { ReadModelCollections } from '@cairn/read-models';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { testMongoUrl } from '@cairn/testing';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, runCairnCli, type CliIo } from '../cli';
import { accessService } from '../access.definition';
import { as, createInitializedProject, signIn, type TestPerson } from '../api/testing/access-test-kit';
import { afterClockPasses, recordStep } from '../api/testing/audit-test-kit';
import { GENESIS_HASH, sealChain } from '../domain';
import { ACCESS_AUDIT } from '../projections/access-audit.projection';
import { ACCESS_INTERVALS } from '../projections/access-intervals.projection';
import { projectAccessStream } from './project-access.service';

/**
 * The auditor's command line, `npm run cairn -- audit verify|replay` and `projections rebuild`, run as
 * the function the binary runs (and once as the binary itself) against the service's event store and
 * read models: tampering with a stored access event is caught, and the replay from the event store
 * matches the `access_intervals` read model at every step of a story.
 */
describe('audit verify, audit replay and projections rebuild', () => {
  let service: ServiceUnderTest;
  let admin: TestPerson, alice: TestPerson, bob: TestPerson, carol: TestPerson;
  const steps: string[] = [];
  let lastPosition = 0;

  async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const progress: string[] = [];
    const env = { ...service.nats.env({ kind: 'cli' }), MONGO_URL: testMongoUrl(), MONGO_DB: service.runtime.config.mongoDb };
    const io: CliIo = { env, out: (line) => out.push(line), err: (line) => err.push(line), progress: (line) => progress.push(line) };
    const status = await runCairnCli(args, io);
    return { status, out: out.join('\n'), err: err.join('\n'), progress };
  }

  async function step(call: PromiseLike<{ status: number; headers: Record<string, string>; body: unknown }>): Promise<void> {
    const { position, instant } = await recordStep(service, call);
    lastPosition = position;
    steps.push(instant);
  }

  /** Appends to a project's access stream directly through the store adapter, as a forger would, bypassing the decider. */
  async function forge(projectId: string, event: ProjectAccessEvent): Promise<void> {
    const stored = await service.runtime.store.readStream(projectAccessStream(projectId));
    lastPosition = (await service.runtime.store.append(projectAccessStream(projectId), [event], stored[stored.length - 1].streamversion)).position;
  }

  async function lastHashOf(projectId: string): Promise<string> {
    const stored = await service.runtime.store.readStream(projectAccessStream(projectId));
    return (stored[stored.length - 1].data as { hash: string }).hash;
  }

  /** Waits until the read models have applied everything appended so far. */
  const caughtUp = () => as(service, alice).get('/api/audit/access/at?project=p-replay', lastPosition).expect(200);

  const projectAccess = (project: string, rest: string) => `/api/projects/${project}/access${rest}`;
  const granted = (projectId: string, prevHash: string, user: string, after: string) =>
    sealChain<ProjectAccessEvent>(prevHash, [
      { type: 'access.role.granted.v1', data: { projectId, actor: alice.userId, at: new Date().toISOString(), user, before: null, after } },
    ])[0];

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    admin = await signIn(service, 'audrey');
    admin.token = await service.token({ username: 'audrey', admin: true, email: admin.email, name: 'audrey' });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => signIn(service, name)));
    await as(service, admin).post('/api/labs', { name: 'Replay lab', slug: 'replay-lab' }).expect(201);
    for (const member of [alice, bob, carol]) await as(service, admin).post('/api/labs/replay-lab/members', { user: member.username }).expect(201);
    for (const projectId of ['p-replay', 'p-forged', 'p-altered', 'p-unlinked']) {
      await createInitializedProject(service, { projectId, lab: 'replay-lab', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    }
    const [initialized] = await service.runtime.store.readStream(projectAccessStream('p-replay'));
    steps.push((initialized.data as { at: string }).at);
    await afterClockPasses(steps[0]);
    await step(as(service, alice).put(projectAccess('p-replay', '/users/bob'), { role: 'experimenter', reason: 'runs the scans' }));
    await step(as(service, alice).put(projectAccess('p-replay', '/base-level'), { level: 'commenter' }));
    await step(as(service, alice).put(projectAccess('p-replay', '/users/carol'), { role: 'viewer', reason: 'external reviewer' }));
    await step(as(service, admin).delete('/api/labs/replay-lab/members/carol', { reason: 'left' }));
    await step(as(service, alice).delete(projectAccess('p-replay', '/users/bob')));
    await step(as(service, alice).put(projectAccess('p-forged', '/users/bob'), { role: 'commenter' }));
  });
  afterAll(() => service?.close());

  describe('audit verify: "checks the hash chain and reports the first broken link"', () => {
    it('an untouched stream: chain intact, with its length', async () => {
      await caughtUp();
      const { status, out } = await cli('audit', 'verify', '--project', 'p-replay');
      expect(status).toBe(EXIT_OK);
      const [chain, readModels] = out.split('\n');
      expect(chain).toMatch(/^chain intact \(5 events\), head [0-9a-f]{64}$/);
      expect(readModels).toMatch(/^read models agree with a replay of the event store: 10 history entries \(access_audit\) and access at 6 instants \(access_intervals\)$/);
    });

    it('lists every difference between the history read model and a replay of the event store', async () => {
      await caughtUp();
      const [, granted] = await service.runtime.store.readStream(projectAccessStream('p-replay'));
      const history = await new ReadModelCollections(service.runtime.db, { cacheMs: 0 }).resolve(ACCESS_AUDIT);
      await history.updateOne({ _id: granted.id as never }, { $set: { reason: 'never given' } });
      try {
        const { status, out } = await cli('audit', 'verify', '--project', 'p-replay');
        expect(status).toBe(EXIT_CHECK_FAILED);
        expect(out).toContain('read models DIFFER from a replay of the event store on 1');
        expect(out).toContain(`access_audit differs on event ${granted.id}: the event store gives`);
        expect(out).toContain('"reason":"runs the scans"');
        expect(out).toContain('"reason":"never given"');
      } finally {
        await history.updateOne({ _id: granted.id as never }, { $set: { reason: 'runs the scans' } });
      }
    });

    it('an event appended with a forged hash, bypassing the decider, is caught as the first broken link, and stays so after later changes', async () => {
      const sealed = granted('p-forged', await lastHashOf('p-forged'), 'u-mallory', 'owner');
      await forge('p-forged', { ...sealed, data: { ...sealed.data, hash: 'f'.repeat(64) } } as ProjectAccessEvent);
      // Later changes chain onto the forged link and are valid in themselves.
      await as(service, alice).put(projectAccess('p-forged', '/users/bob'), { role: 'viewer' }).expect(200);

      const { status, out } = await cli('audit', 'verify', '--project', 'p-forged');

      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out.split('\n')[0]).toMatch(/^chain BROKEN at event #2 of project p-forged \(access\.role\.granted\.v1, stream version 2, position \d+, id [0-9a-f-]+\): its hash does not match its content; expected [0-9a-f]{64}, found f{64}$/);
    });

    it('an event whose content was altered after it was sealed is caught', async () => {
      const sealed = granted('p-altered', await lastHashOf('p-altered'), bob.userId, 'viewer');
      await forge('p-altered', { ...sealed, data: { ...sealed.data, after: 'owner' } } as ProjectAccessEvent);

      const { status, out } = await cli('audit', 'verify', '--project', 'p-altered');

      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain('chain BROKEN at event #1 of project p-altered (access.role.granted.v1, stream version 1');
      expect(out).toContain(`its hash does not match its content; expected`);
      expect(out).toContain(`found ${sealed.data.hash}`);
    });

    it('an event that does not link to its predecessor (history cut or reordered) is caught', async () => {
      await forge('p-unlinked', granted('p-unlinked', GENESIS_HASH, bob.userId, 'viewer'));

      const { status, out } = await cli('audit', 'verify', '--project', 'p-unlinked');

      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toContain("its prevHash is not the previous event's hash");
      expect(out).toContain(`found ${GENESIS_HASH}`);
    });

    it('the command run as its own process says the same and exits 1', async () => {
      const repo = resolve(__dirname, '../../../..');
      // `tsconfig-paths/register` would take the CLI's own --project for a tsconfig: register the aliases explicitly.
      const aliases = join(mkdtempSync(join(tmpdir(), 'cairn-cli-')), 'aliases.js');
      writeFileSync(
        aliases,
        `const paths = require(${JSON.stringify(require.resolve('tsconfig-paths'))});
         const config = paths.loadConfig(${JSON.stringify(repo)});
         paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });`,
      );
      const run = promisify(execFile)(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', aliases, 'services/access/src/cli.ts', 'audit', 'verify', '--project', 'p-forged'],
        {
          cwd: repo,
          env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', ...service.nats.env({ kind: 'cli' }), MONGO_URL: testMongoUrl(), MONGO_DB: service.runtime.config.mongoDb },
        },
      );
      await expect(run).rejects.toMatchObject({ code: EXIT_CHECK_FAILED, stdout: expect.stringContaining('chain BROKEN at event #2 of project p-forged') });
    });
  });

  describe('audit replay: "folds the events straight from the event store, prints the state, and compares it with the read model"', () => {
    it('matches the access_intervals read model at every step of the story, and now', async () => {
      await caughtUp();
      for (const instant of steps) {
        const { status, out } = await cli('audit', 'replay', '--project', 'p-replay', '--at', instant);
        expect({ instant, status, out }).toEqual({ instant, status: EXIT_OK, out: expect.stringMatching(/Read model access_intervals \(applied up to position \d+\) agrees\.$/) });
      }
      const { status, out } = await cli('audit', 'replay', '--project', 'p-replay');
      expect(status).toBe(EXIT_OK);
      expect(out.split('\n').slice(1, -1)).toEqual([
        `  u-alice   owner by explicit permission from u-alice at ${steps[0]}`,
        `  u-carol   viewer by explicit permission from u-alice at ${steps[3]} ("external reviewer")`,
        '  u-audrey  commenter through the base level',
        '  u-bob     commenter through the base level',
      ]);
    });

    it('prints who had which role and why at a past instant', async () => {
      const { out } = await cli('audit', 'replay', '--project', 'p-replay', '--at', steps[1]);
      expect(out).toContain(`Project p-replay (lab scheme, lab replay-lab) at ${steps[1]}, replayed from the event store: 2 project access events, 5 lab events.`);
      expect(out).toContain(`  u-bob     experimenter by explicit permission from u-alice at ${steps[1]} ("runs the scans")`);
      expect(out).toContain('  u-carol   viewer through the base level');
    });

    it('a read model that disagrees with the event store is reported, person by person, with exit status 1', async () => {
      const intervals = await new ReadModelCollections(service.runtime.db, { cacheMs: 0 }).resolve(ACCESS_INTERVALS);
      const bogus = { kind: 'grant', position: Number.MAX_SAFE_INTEGER, at: steps[1], user: 'u-mallory', role: 'owner', actor: 'u-mallory', event: 'granted' };
      await intervals.updateOne({ _id: 'project:p-replay' as never }, { $push: { changes: JSON.stringify([bogus]) } as never });

      const { status, out } = await cli('audit', 'replay', '--project', 'p-replay');

      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(out).toMatch(/Read model access_intervals \(applied up to position \d+\) DIFFERS on 1:/);
      expect(out).toContain(`  u-mallory: the event store says no access; the read model says owner by explicit permission from u-mallory at ${steps[1]}`);
    });

    it('projections rebuild replays the model from the event store beside the live one, with progress, after which the replay agrees again', async () => {
      const { status, out, progress } = await cli('projections', 'rebuild', ACCESS_INTERVALS);

      expect(status).toBe(EXIT_OK);
      expect(progress.at(-1)).toMatch(/^access_intervals: \d+\/\d+, \d+ events\/s \(\d+ events\)$/);
      expect(out).toMatch(/^rebuilt access_intervals: \d+ events into access_intervals__v1_\d+_[0-9a-f]{8}; the live model continues after position \d+$/);
      expect((await cli('audit', 'replay', '--project', 'p-replay')).status).toBe(EXIT_OK);
    });
  });

  describe('usage', () => {
    it.each([
      [[], /a command is needed/],
      [['audit', 'replay'], /audit replay needs --project <id>/],
      [['audit', 'replay', '--project', 'p-replay', '--at', 'yesterday'], /--at "yesterday" is not an ISO 8601 time/],
      [['audit', 'verify', '--project', 'p-replay', '--at', 'x'], /unknown option --at/],
      [['projections', 'rebuild', 'nothing'], /"nothing" is not a read model of the access service \(lab_members, lab_directory, access_audit, access_intervals/],
      [['audit', 'erase'], /unknown command "audit erase"/],
    ])('%j prints why and the usage, with exit status 2', async (args, reason) => {
      const { status, err } = await cli(...(args as string[]));
      expect(status).toBe(EXIT_USAGE);
      expect(err).toMatch(reason);
      expect(err).toContain('usage: npm run cairn -- <command>');
    });

    it('a project without access events is named, with exit status 1', async () => {
      const { status, err } = await cli('audit', 'verify', '--project', 'p-nothing');
      expect(status).toBe(EXIT_CHECK_FAILED);
      expect(err).toBe('project p-nothing has no access events in the event store');
    });
  });
});
