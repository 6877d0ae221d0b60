import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { startFerretDb, startNatsServer } from '@cairn/testing';
// Lab membership comes from the access service's own deciders (see the story's header).
import { AccessStory } from '@cairn/access-service';
import { projectsService } from '@cairn/projects-service';
import { latencyLine, percentile } from '../latencies';
import type { ClientsTask, PlatformSamples } from './clients';

/**
 * Read-your-write over HTTP, the projects service as `npm start` runs it (every one of its read models,
 * all of which a `Cairn-Min-Position` read waits for) on a real nats-server and FerretDB:
 * `CLIENTS` lab members at once, each in a loop creating an experiment (`POST /api/labs/:lab/experiments`)
 * and then listing the lab's experiments by that experiment's name with the answer's
 * `Cairn-Min-Position`; the list must hold the new experiment. Measured per pair, create + list, from
 * outside: the clients run in a process of their own (`clients.ts`), over keep-alive connections.
 *
 * The raw floor, in the same run and with the same concurrency: what the pair costs without the platform,
 * a JetStream publish (the append) then a FerretDB insert (the projection's write) then a find by name,
 * from the same clients' process.
 * Target: pair p95 ≤ 50 ms (FerretDB figures are context; MongoDB's are the production claim).
 */

const LAB = 'ryw';
const CLIENTS = Number(process.env.BENCH_RYW_CLIENTS ?? 8);
const ROUNDS = Number(process.env.BENCH_RYW_ROUNDS ?? 25);
const WARM_UP_ROUNDS = 3;
const TARGET_P95_MS = 50;

const userId = (client: number) => `u-client-${client}`;

/**
 * Counts the JetStream API requests made on `nc` (`$JS.API.*`: stream info, message gets, consumer
 * info; not the pulls of consumers already waiting) until `stop()`, which returns the count.
 */
function countJetStreamRequests(nc: NatsConnection): { stop(): number } {
  const counted = nc as unknown as Record<'request' | 'requestMany', (subject: string, ...rest: unknown[]) => unknown>;
  const originals = { request: counted.request, requestMany: counted.requestMany };
  let count = 0;
  for (const method of ['request', 'requestMany'] as const) {
    counted[method] = (subject: string, ...rest: unknown[]) => {
      if (subject.startsWith('$JS.API.') && !subject.startsWith('$JS.API.CONSUMER.MSG.NEXT.')) count++;
      return originals[method].call(nc, subject, ...rest);
    };
  }
  return {
    stop: () => {
      Object.assign(counted, originals);
      return count;
    },
  };
}

const cpuMilliseconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** Runs the pairs in the clients' own process (`clients.ts`) and returns its samples. */
function inClientsProcess<T>(task: Omit<ClientsTask, 'clients' | 'rounds' | 'warmUpRounds' | 'lab'>): Promise<T> {
  const child = fork(join(__dirname, 'clients.js'));
  child.send({ ...task, clients: CLIENTS, rounds: ROUNDS, warmUpRounds: WARM_UP_ROUNDS, lab: LAB } satisfies ClientsTask);
  return new Promise<T>((resolve, reject) => {
    child.once('message', (answer: { samples?: T; error?: string }) => (answer.error ? reject(new Error(answer.error)) : resolve(answer.samples!)));
    child.once('exit', (code) => reject(new Error(`the clients' process exited with ${code}`)));
  });
}

export async function run(): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-ryw-'));
  process.env.CAIRN_TEST_MONGO_URL = ferret.url;
  let service: ServiceUnderTest | undefined;
  try {
    service = await startServiceUnderTest(projectsService, nats, { env: { CAIRN_DATA_DIR: dataDir } });
    const story = new AccessStory().createLab(LAB, userId(0));
    for (let client = 1; client < CLIENTS; client++) story.addMember(LAB, userId(0), userId(client));
    let membership = 0;
    for (const commit of story.commits) {
      membership = (await service.runtime.store.append(commit.stream, commit.events, commit.expectedVersion)).position;
    }
    await service.app.listen(0, '127.0.0.1');
    const baseUrl = await service.app.getUrl();

    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, client) => service!.token({ username: `client-${client}`, sub: userId(client) })));
    const jetStreamRequests = countJetStreamRequests(service.runtime.nc);
    const cpuBefore = process.cpuUsage();
    const ours = await inClientsProcess<PlatformSamples>({ kind: 'platform', baseUrl, tokens, membership });
    const serviceCpuMs = cpuMilliseconds(process.cpuUsage(cpuBefore));
    const requestsPerPair = jetStreamRequests.stop() / (CLIENTS * (ROUNDS + WARM_UP_ROUNDS));
    const raw = await inClientsProcess<number[]>({ kind: 'raw', natsUrl: nats.url, mongoUrl: ferret.url });

    const p95 = percentile(ours.pair, 95);
    console.log(`${CLIENTS} clients × ${ROUNDS} create-then-list pairs, projects service on nats-server 2.15.2 + FerretDB v1.24.2 (SQLite, synchronous=NORMAL)`);
    // The machine is shared: its load says how much of the figures is waiting for a core.
    console.log(`  machine: ${cpus().length} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
    console.log(`  ${latencyLine('create (POST, Cairn-Position)', ours.create)}`);
    console.log(`  ${latencyLine('list with Cairn-Min-Position', ours.list)}`);
    console.log(`  ${latencyLine('pair (create + list)', ours.pair)}`);
    console.log(`  ${latencyLine('raw pair (publish + insert + the same find)', raw)}`);
    console.log(`  per pair, the service made ${requestsPerPair.toFixed(1)} JetStream API requests and used ${(serviceCpuMs / (CLIENTS * (ROUNDS + WARM_UP_ROUNDS))).toFixed(1)} ms of CPU`);
    console.log(`  ratio ours / raw: p50 ${(percentile(ours.pair, 50) / percentile(raw, 50)).toFixed(1)}×, p95 ${(p95 / percentile(raw, 95)).toFixed(1)}×`);
    console.log(`  pair p95 ${p95.toFixed(1)} ms (target ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'})`);
  } finally {
    await service?.close();
    await nats.stop();
    await ferret.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
