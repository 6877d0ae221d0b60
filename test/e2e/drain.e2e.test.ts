import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { JetStreamEventStore } from '@cairn/event-store';
import { ServerProcess, startNatsServer, testMongoUrl, uniqueDbName, waitUntil, type NatsServerHandle } from '@cairn/testing';
import { requireBuild } from './local-platform';

const REPO = join(__dirname, '..', '..');
const DRAIN_TIMEOUT_MS = 10_000;

/** The built access service as its own process, as `npm start` and Kubernetes run it. */
async function startAccessService(nats: NatsServerHandle): Promise<{ process: ServerProcess; url: string }> {
  const logFile = join(mkdtempSync(join(tmpdir(), 'cairn-drain-')), 'access.log');
  const child = new ServerProcess('access', process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/services/access/src/main.js')], logFile, {
    ...process.env,
    PORT: '0',
    ...nats.env({ kind: 'service', context: 'access' }),
    MONGO_URL: testMongoUrl(),
    MONGO_DB: uniqueDbName('drain_access'),
    CAIRN_AUTH_MODE: 'dev',
    CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
    CAIRN_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  });
  child.start();
  const url = await child.listeningUrl();
  await waitUntil(`access service (log ${logFile})`, async () => (await fetch(`${url}/health/ready`)).ok, 60_000);
  return { process: child, url };
}

/**
 * Graceful drain (issue #12, item 5): SIGTERM in the middle of a burst of commands. The service stops
 * accepting connections, finishes the requests in flight, lets its consumers acknowledge what they
 * applied, and exits 0 well within its drain timeout. Each command creates a lab: two events in one
 * commit (the lab, and its creator as its first admin), so a half-applied command would show as a lab
 * stream with one event.
 */
describe('a service that receives SIGTERM during a burst of commands', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    requireBuild();
    nats = await startNatsServer();
    nc = await connect(nats.connectionOptions());
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('answers every command it accepted, has each of them whole in the store, leaves no delivery unacknowledged, and exits 0 in time', async () => {
    const service = await startAccessService(nats);
    const token = await signDevToken({ username: 'alice', admin: true, email: 'alice@example.org' }, LOCAL_DEV_JWT_SECRET);
    // Signed in once before the burst: sixteen first sightings of one person at once race in the directory.
    await fetch(`${service.url}/api/users?lab=none`, { headers: { authorization: `Bearer ${token}` } });
    const answers: { lab: string; status: number; sentAt: number }[] = [];
    const CLIENTS = 16;
    let unanswered = 0;
    let next = 0;
    let stopped = false;
    const createLabs = async () => {
      while (!stopped && next < 2_000) {
        const lab = `drain-${next++}`;
        const sentAt = Date.now();
        try {
          const response = await fetch(`${service.url}/api/labs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: lab, slug: lab }),
          });
          answers.push({ lab, status: response.status, sentAt });
        } catch {
          // Refused or cut before an answer: not acknowledged, so the client may not count on it.
          unanswered++;
          if (stopped) return;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, () => createLabs());

    await waitUntil('a burst under way', async () => answers.length >= 50, 30_000);
    const signalled = Date.now();
    const exit = service.process.exited();
    await service.process.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000);
    const drainMs = Date.now() - signalled;
    stopped = true;
    await Promise.all(clients);

    expect(await exit).toEqual({ code: 0, signal: null });
    expect(drainMs).toBeLessThan(DRAIN_TIMEOUT_MS);
    expect(answers.filter((answer) => answer.status !== 201)).toEqual([]);
    // It stopped accepting requests once it took the signal (its "draining" line; a fast service may answer
    // a few more between the kill and that): each client's connection answered at most one request after.
    const draining = readFileSync(service.process.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; time?: string })
      .find((line) => line.msg === 'draining');
    const drainStarted = Date.parse(draining!.time!);
    expect(drainStarted).toBeGreaterThanOrEqual(signalled - 1);
    expect(answers.filter((answer) => answer.sentAt > drainStarted).length).toBeLessThanOrEqual(CLIENTS);

    const store = await JetStreamEventStore.connect({ nc });
    const streams = new Map<string, string[]>();
    for await (const event of store.readAll({ categories: ['access_lab'] })) {
      streams.set(event.streamid, [...(streams.get(event.streamid) ?? []), event.type]);
    }
    for (const { lab } of answers) expect(streams.has(`access_lab-${lab}`)).toBe(true);
    for (const types of streams.values()) expect(types).toEqual(['access.lab.created.v1', 'access.lab.member-added.v1']);
    // Commands cut off before their answer may or may not have been appended, but only ever whole.
    expect(streams.size).toBeGreaterThanOrEqual(answers.length);
    expect(streams.size).toBeLessThanOrEqual(answers.length + unanswered);

    const jsm = await nc.jetstreamManager();
    for await (const consumer of jsm.consumers.list('CAIRN_EVENTS')) {
      expect({ consumer: consumer.name, unacknowledged: consumer.num_ack_pending }).toEqual({ consumer: consumer.name, unacknowledged: 0 });
    }
  }, 120_000);
});
