import { JetStreamEventStore } from '@cairn/event-store';
import type { RunningPlatform } from '@cairn/local-platform';
import { waitUntil } from '@cairn/testing';
import { openJobsSession, probeTemplate, type JobsSession } from './jobs-session';
import { startLocalPlatform } from './local-platform';

const HEARTBEAT_TIMEOUT_MS = 4_000;
/** Generous: the aim is 5 s, on a machine other tests share. */
const NOT_READY_BOUND_MS = 30_000;

interface HealthAnswer {
  status: number;
  body: { detail?: string; reasons?: Record<string, string> };
}

/** What a health endpoint answers now: its status and body (status 0: no answer at all). */
async function ask(url: string): Promise<HealthAnswer> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: ((await response.json().catch(() => undefined)) ?? {}) as HealthAnswer['body'] };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Waits (within `boundMs`) until `url` answers as `answers` says; how long after `since` it first did. */
async function delayUntil(what: string, url: string, answers: (answer: HealthAnswer) => boolean, since: number, boundMs: number): Promise<number> {
  await waitUntil(what, async () => answers(await ask(url)), boundMs);
  return Date.now() - since;
}

const namesInDetail = (dependency: string) => (answer: HealthAnswer) =>
  answer.status === 503 && new RegExp(`^Not ready: .*\\b${dependency}\\b`).test(answer.body.detail ?? '');

const report = (title: string, delays: Record<string, number>) =>
  console.log(`${title}\n${Object.entries(delays).map(([name, ms]) => `  ${name.padEnd(10)} ${ms} ms`).join('\n')}`);

/**
 * Issue #18: health that tells the truth, on the platform as `npm start` runs it (every service, the
 * runner and the edge as their own processes, nats-server and FerretDB its own), while those servers
 * fail. Prints the measured delays.
 */
describe('health while the servers fail, on the whole platform', () => {
  let platform: RunningPlatform;
  let session: JobsSession;

  beforeAll(async () => {
    platform = await startLocalPlatform('e2e-health', { CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '500', CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS) });
    session = await openJobsSession(platform, [probeTemplate('Sleep Briefly', ['node', '-e', 'setTimeout(() => {}, 6000)'])]);
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  /** The runner's own address, as its current process says (a restarted runner listens on another port). */
  const runnerUrl = () => platform.runner!.process.listeningUrl();
  const readinessUrls = async (): Promise<Record<string, string>> => ({
    ...Object.fromEntries(platform.services.map((service) => [service.name, `${service.url}/health/ready`])),
    runner: `${await runnerUrl()}/health/ready`,
  });
  const livenessUrls = async () => [...platform.services.map((service) => `${service.url}/health/live`), `${await runnerUrl()}/health/live`, `${platform.edgeUrl}/health/live`];

  /** The edge's answer names `dependency` as the reason of every service. */
  const edgeNamesForAll = (dependency: string) => (answer: HealthAnswer) =>
    answer.status === 503 && platform.services.every((service) => new RegExp(`\\b${dependency}\\b`).test(answer.body.reasons?.[service.name] ?? ''));

  it('NATS stopped (SIGSTOP, then SIGKILL): every service, the runner and the edge answer not ready naming nats, stay live, and are ready again once it is back', async () => {
    const nats = platform.servers.nats!;
    const urls = await readinessUrls();
    const edgeNamesNatsForAll = edgeNamesForAll('nats');
    for (const url of [...Object.values(urls), `${platform.edgeUrl}/health/ready`]) expect((await ask(url)).status).toBe(200);

    const stoppedAt = Date.now();
    nats.signal('SIGSTOP');
    const notReady = Object.fromEntries(
      await Promise.all([
        ...Object.entries(urls).map(async ([name, url]) => [name, await delayUntil(`${name} not ready naming nats`, url, namesInDetail('nats'), stoppedAt, NOT_READY_BOUND_MS)]),
        delayUntil('the edge not ready naming nats for every service', `${platform.edgeUrl}/health/ready`, edgeNamesNatsForAll, stoppedAt, NOT_READY_BOUND_MS).then((ms) => ['edge', ms]),
      ]),
    );
    report('NATS SIGSTOPped: not ready, naming nats, after', notReady);

    await nats.kill('SIGKILL');
    for (const [name, url] of Object.entries(urls)) expect([name, namesInDetail('nats')(await ask(url))]).toEqual([name, true]);
    expect(edgeNamesNatsForAll(await ask(`${platform.edgeUrl}/health/ready`))).toBe(true);
    // Waiting for NATS is no reason to be restarted.
    for (const url of await livenessUrls()) expect([url, (await ask(url)).status]).toEqual([url, 200]);

    await nats.restart();
    const restartedAt = Date.now();
    const isReady = (answer: HealthAnswer) => answer.status === 200;
    const readyAgain = Object.fromEntries(
      await Promise.all(
        Object.entries({ ...urls, edge: `${platform.edgeUrl}/health/ready` }).map(async ([name, url]) => [name, await delayUntil(`${name} ready again`, url, isReady, restartedAt, 60_000)]),
      ),
    );
    report('NATS restarted: ready again after', readyAgain);
  }, 180_000);

  /**
   * Creates a project as a client does after an outage: the platform just came back from the NATS restart, and
   * a command whose models have not yet reached the store's head answers 503 with Retry-After, which a client
   * waits out and retries with the same Idempotency-Key.
   */
  const createProject = async (person: string, name: string): Promise<string> => {
    const key = `health-${name}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await session.as(person).post('/api/projects', { lab: 'facility', name, scheme: 'facility' }).set('Idempotency-Key', key);
      const notYet = answer.status === 503 && answer.headers['retry-after'] !== undefined && Date.now() < deadline;
      if (!notYet) {
        expect([answer.status, answer.body]).toEqual([201, expect.objectContaining({ name })]);
        return answer.body.id as string;
      }
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers['retry-after']) * 1_000));
    }
  };

  it('FerretDB SIGKILLed during a stream of access changes and restarted: the services name mongodb meanwhile, and the read models catch up with every stored change once', async () => {
    const ferretDb = platform.servers.ferretDb!;
    const { carol, alice } = session;
    const projects: string[] = [];
    for (const name of ['Health A', 'Health B', 'Health C']) projects.push(await createProject(carol, name));

    // Carol toggles Bob's role on each project, one change after another, each project at once with the others.
    const SUCCESSES_PER_PROJECT = 12;
    let succeeded = 0;
    /** Answers by phase: before the kill, while FerretDB is down, after its restart. */
    let phase: 'before' | 'down' | 'after' = 'before';
    const answers = { before: { ok: 0, refused: 0 }, down: { ok: 0, refused: 0 }, after: { ok: 0, refused: 0 } };
    const changeRoles = async (project: string) => {
      const deadline = Date.now() + 150_000;
      for (let done = 0; done < SUCCESSES_PER_PROJECT && Date.now() < deadline; ) {
        const role = done % 2 === 0 ? 'viewer' : 'member';
        const answer = await fetch(`${platform.edgeUrl}/api/projects/${project}/access/users/bob`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${carol}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role }),
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        if (answer?.ok) {
          done++;
          succeeded++;
          answers[phase].ok++;
        } else {
          answers[phase].refused++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    const changing = Promise.all(projects.map(changeRoles));

    await waitUntil('a few changes stored', async () => succeeded >= 6, 60_000);
    const killedAt = Date.now();
    await ferretDb.kill('SIGKILL');
    phase = 'down';
    const namesMongo = await delayUntil('the edge naming mongodb for every service', `${platform.edgeUrl}/health/ready`, edgeNamesForAll('mongodb'), killedAt, NOT_READY_BOUND_MS);
    await ferretDb.restart();
    phase = 'after';
    const restartedAt = Date.now();
    const readyAgain = await delayUntil('the edge ready again', `${platform.edgeUrl}/health/ready`, (answer) => answer.status === 200, restartedAt, 60_000);
    report('FerretDB SIGKILLed, then restarted: the edge', { 'not ready, naming mongodb for every service, after': namesMongo, 'ready again after': readyAgain });
    await changing;
    console.log(`access changes answered (ok / refused): ${JSON.stringify(answers)}`);

    // What the store holds for these projects' access is what the read model shows: each change once.
    const store = await JetStreamEventStore.connect({ connection: platform.servers.nats!.connectionOptions() });
    const stored = new Map<string, number[]>(projects.map((project) => [project, []]));
    try {
      for await (const event of store.readAll({ categories: ['access_project'] })) {
        stored.get((event.data as { projectId: string }).projectId)?.push(event.position);
      }
    } finally {
      await store.close();
    }
    const head = Math.max(...[...stored.values()].flat());
    for (const project of projects) {
      const audit = await fetch(`${platform.edgeUrl}/api/audit/access?project=${project}&limit=100`, {
        headers: { authorization: `Bearer ${alice}`, 'Cairn-Min-Position': String(head) },
      });
      expect(audit.status).toBe(200);
      const entries = ((await audit.json()) as { items: { position: number }[] }).items;
      expect(entries.map((entry) => entry.position)).toEqual(stored.get(project));
      expect(stored.get(project)!.length).toBeGreaterThanOrEqual(1 + SUCCESSES_PER_PROJECT);
    }
    // Retried until FerretDB was back, not given up on: no consumer of any service dead-lettered an event.
    for (const service of platform.services) {
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const deadLetters = metrics.split('\n').filter((line) => line.startsWith('cairn_dead_letters{') && !line.endsWith(' 0'));
      expect([service.name, deadLetters]).toEqual([service.name, []]);
    }
  }, 300_000);

  it('the runner SIGKILLed mid-job and started again at once: the job ends, taken over or failed with system, and is never left running', async () => {
    const jobId = await session.run(session.carol, { template: 'Sleep Briefly' });
    await session.until(jobId, (job) => job.status === 'running');
    const killedAt = Date.now();
    await platform.runner!.process.stop('SIGKILL');
    platform.runner!.process.start();

    const ended = await session.ended(jobId, HEARTBEAT_TIMEOUT_MS + 30_000);
    console.log(`runner SIGKILLed mid-job and restarted: the job ${ended.status}${ended.failure ? ` (${ended.failure.kind}: ${ended.failure.reason})` : ''} after ${Date.now() - killedAt} ms`);
    if (ended.status === 'failed') expect(ended.failure.kind).toBe('system');
    else expect(ended.status).toBe('succeeded');
    const restarted = `${await runnerUrl()}/health/ready`;
    await waitUntil('the restarted runner is ready', async () => (await ask(restarted)).status === 200, 60_000);
    // Ended for good: nothing the restarted runner reports changes it.
    expect((await session.as(session.carol).get(`/api/jobs/${jobId}`).expect(200)).body.status).toBe(ended.status);
  }, 120_000);
});
