import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, waitUntil, type NatsServerHandle } from '@cairn/testing';

const REPO_ROOT = join(__dirname, '..', '..');
const SUBSCRIBER = join(__dirname, 'example-subscriber.ts');

/** The example subscriber as a facility system runs it: its own process, printing a line per event. */
class Subscriber {
  private readonly child: ChildProcess;
  readonly lines: string[] = [];
  private exited: Promise<void>;

  /** `nats`: NATS_URL, NATS_NKEY_SEED_FILE and NATS_CA_FILE of the subscriber's own credentials. */
  constructor(nats: Record<string, string>, args: string[]) {
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', SUBSCRIBER, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', ...nats },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      this.lines.push(...complete);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  async waitForLines(count: number): Promise<string[]> {
    await waitUntil(`${count} lines from the subscriber`, async () => this.lines.length >= count, 20_000);
    return this.lines;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }
}

describe('the example subscriber (test/subscriber/example-subscriber.ts)', () => {
  let nats: NatsServerHandle;
  let store: JetStreamEventStore;
  const running: Subscriber[] = [];
  /** A facility system with subscriber credentials of its own, named as its durable consumer is. */
  const subscribe = async (args: string[]) => {
    const identity = { kind: 'subscriber', name: args[args.indexOf('--name') + 1] } as const;
    await nats.register(identity);
    const subscriber = new Subscriber(nats.env(identity), args);
    running.push(subscriber);
    return subscriber;
  };
  const labCreated = (lab: string) =>
    store.append({ context: 'access', aggregate: 'lab', id: lab }, [{ type: 'access.lab.created.v1', data: { lab, name: lab, slug: lab, actor: 'u-alice' }, actorid: 'u-alice' }], 'no-stream');

  beforeAll(async () => {
    nats = await startNatsServer({ tls: true });
    store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  });
  afterEach(async () => {
    for (const subscriber of running.splice(0)) await subscriber.stop();
  });
  afterAll(async () => {
    await store?.close();
    await nats?.stop();
  });

  it('replays from the beginning, prints events as they happen, and after a restart resumes where it stopped', async () => {
    await labCreated('optics');
    await labCreated('genomics');
    const first = await subscribe(['--name', 'billing', '--from-start']);
    expect(await first.waitForLines(2)).toEqual([
      expect.stringMatching(/ access\.lab\.created\.v1 lab\/optics position=\d+ actor=u-alice \{"lab":"optics"/),
      expect.stringMatching(/ access\.lab\.created\.v1 lab\/genomics /),
    ]);
    await labCreated('imaging');
    expect((await first.waitForLines(3))[2]).toMatch(/ lab\/imaging /);
    await first.stop();

    await labCreated('while-stopped');
    const again = await subscribe(['--name', 'billing', '--from-start']);
    await labCreated('after-restart');
    const lines = await again.waitForLines(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(again.lines).toEqual([expect.stringMatching(/ lab\/while-stopped /), expect.stringMatching(/ lab\/after-restart /)]);
    expect(lines).toHaveLength(2);
  });

  it('replays from a point in time, filters by type from the cairn-type header, and sets aside a version it does not understand', async () => {
    await labCreated('before-the-instant');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const instant = new Date().toISOString();
    await store.append({ context: 'access', aggregate: 'lab', id: 'later' }, [
      { type: 'access.lab.created.v1', data: { lab: 'later', name: 'Later', slug: 'later', actor: 'u-alice' } },
      { type: 'access.lab.member-added.v1', data: { lab: 'later', userId: 'u-bob', username: 'bob', displayName: 'Bob', admin: false, actor: 'u-alice' } },
      // A version this subscriber was not written for, as a future Cairn may publish it.
      { type: 'access.lab.member-added.v2', data: { lab: 'later', member: { id: 'u-carol' }, actor: 'u-alice' } },
    ], 'no-stream');

    const since = await subscribe(['--name', 'audit-mirror', '--since', instant]);
    const onlyMembers = await subscribe(['--name', 'directory-sync', '--since', instant, '--type', 'access.lab.member-added']);
    expect((await since.waitForLines(3)).slice(0, 2)).toEqual([expect.stringMatching(/ access\.lab\.created\.v1 lab\/later /), expect.stringMatching(/ access\.lab\.member-added\.v1 lab\/later /)]);
    expect(await onlyMembers.waitForLines(2)).toEqual([
      expect.stringMatching(/ access\.lab\.member-added\.v1 lab\/later .*"username":"bob"/),
      expect.stringMatching(/ access\.lab\.member-added\.v2 \(version 2 is newer than this subscriber understands; skipped\)$/),
    ]);
  });

  it('starts while other registrations reload the server, connecting again when a reload refuses it', async () => {
    const instant = new Date().toISOString();
    await labCreated('during-reloads');
    const subscriber = await subscribe(['--name', 'reload-witness', '--since', instant]);
    // Each registration reloads nats-server's authorization while the subscriber makes its first connection.
    for (let index = 0; index < 4; index++) await nats.register({ kind: 'subscriber', name: `newcomer-${index}` });
    expect(await subscriber.waitForLines(1)).toEqual([expect.stringMatching(/ lab\/during-reloads /)]);
  });
});
