import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { startFerretDb, startNatsServer } from '@cairn/testing';
// Lab membership comes from the access service's own deciders (see the story's header).
import { AccessStory } from '@cairn/access-service';
import { projectsService } from '@cairn/projects-service';
import { latencyLine, percentile, timed } from '../latencies';

/**
 * Read-your-write over HTTP, the projects service as `npm start` runs it (every one of its read models,
 * all of which a `Cairn-Min-Position` read waits for) on a real nats-server and FerretDB:
 * `CLIENTS` lab members at once, each in a loop creating an experiment (`POST /api/labs/:lab/experiments`)
 * and then listing the lab's experiments by that experiment's name with the answer's
 * `Cairn-Min-Position`; the list must hold the new experiment. Measured per pair, create + list.
 *
 * The raw floor, in the same run and with the same concurrency: what the pair costs without the platform,
 * a JetStream publish (the append) then a FerretDB insert (the projection's write) then a find by name.
 * Target: pair p95 ≤ 50 ms (FerretDB figures are context; MongoDB's are the production claim).
 */

const LAB = 'ryw';
const CLIENTS = Number(process.env.BENCH_RYW_CLIENTS ?? 8);
const ROUNDS = Number(process.env.BENCH_RYW_ROUNDS ?? 25);
const WARM_UP_ROUNDS = 3;
const TARGET_P95_MS = 50;

const userId = (client: number) => `u-client-${client}`;

/** Runs `round(client, index)` for every client at once, `rounds` times each in sequence. */
async function concurrently(rounds: number, round: (client: number, index: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let index = 0; index < rounds; index++) await round(client, index);
    }),
  );
}

/** `membership`: the position of the last lab membership, which the warm-up's creations wait for. */
async function platformPairs(service: ServiceUnderTest, baseUrl: string, membership: number): Promise<{ pair: number[]; create: number[]; list: number[] }> {
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, client) => service.token({ username: `client-${client}`, sub: userId(client) })));
  const samples = { pair: [] as number[], create: [] as number[], list: [] as number[] };
  const pairOf = async (client: number, name: string, measure: boolean) => {
    const auth = `Bearer ${tokens[client]}`;
    const started = performance.now();
    const created = await timed(measure ? samples.create : [], () =>
      request(baseUrl)
        .post(`/api/labs/${LAB}/experiments`)
        .set('authorization', auth)
        .set(measure ? {} : { 'Cairn-Min-Position': String(membership) })
        .send({ name }),
    );
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const listed = await timed(measure ? samples.list : [], () =>
      request(baseUrl)
        .get(`/api/labs/${LAB}/experiments`)
        .query({ q: name })
        .set('authorization', auth)
        .set('Cairn-Min-Position', String(created.headers['cairn-position'])),
    );
    if (listed.status !== 200) throw new Error(`list: ${listed.status} ${JSON.stringify(listed.body)}`);
    if (!listed.body.items.some((item: { id: string }) => item.id === created.body.id)) {
      throw new Error(`list after Cairn-Min-Position ${created.headers['cairn-position']} misses experiment ${created.body.id}`);
    }
    if (measure) samples.pair.push(performance.now() - started);
  };
  await concurrently(WARM_UP_ROUNDS, (client, index) => pairOf(client, `warm-up ${client}-${index}`, false));
  await concurrently(ROUNDS, (client, index) => pairOf(client, `experiment ${client}-${index}`, true));
  return samples;
}

/** The same pairs with nothing of ours: publish, insert, find. */
async function rawPairs(natsUrl: string, mongoUrl: string): Promise<number[]> {
  const nc = await connect({ servers: natsUrl });
  const mongo = await MongoClient.connect(mongoUrl);
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'RAW_RYW', subjects: ['raw.ryw.>'] });
    const js = nc.jetstream();
    const collection = mongo.db('bench_raw_ryw').collection<{ _id: string; lab: string; nameLower: string }>('experiments');
    const samples: number[] = [];
    const pair = async (client: number, index: number, measure: boolean) => {
      const id = `${measure ? 'm' : 'w'}-${client}-${index}`;
      const started = performance.now();
      await js.publish(`raw.ryw.${id}`, new TextEncoder().encode(JSON.stringify({ id })));
      await collection.insertOne({ _id: id, lab: LAB, nameLower: `experiment ${id}` });
      const found = await collection.find({ lab: LAB, nameLower: `experiment ${id}` }).limit(50).toArray();
      if (found.length !== 1) throw new Error(`raw find missed ${id}`);
      if (measure) samples.push(performance.now() - started);
    };
    await concurrently(WARM_UP_ROUNDS, (client, index) => pair(client, index, false));
    await concurrently(ROUNDS, (client, index) => pair(client, index, true));
    return samples;
  } finally {
    await mongo.close();
    await nc.close();
  }
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

    const ours = await platformPairs(service, baseUrl, membership);
    const raw = await rawPairs(nats.url, ferret.url);

    const p95 = percentile(ours.pair, 95);
    console.log(`${CLIENTS} clients × ${ROUNDS} create-then-list pairs, projects service on nats-server 2.15.2 + FerretDB v1.24.2 (SQLite)`);
    // The machine is shared: its load says how much of the figures is waiting for a core.
    console.log(`  machine: ${cpus().length} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
    console.log(`  ${latencyLine('create (POST, Cairn-Position)', ours.create)}`);
    console.log(`  ${latencyLine('list with Cairn-Min-Position', ours.list)}`);
    console.log(`  ${latencyLine('pair (create + list)', ours.pair)}`);
    console.log(`  ${latencyLine('raw pair (publish + insert + find)', raw)}`);
    console.log(`  ratio ours / raw: p50 ${(percentile(ours.pair, 50) / percentile(raw, 50)).toFixed(1)}×, p95 ${(p95 / percentile(raw, 95)).toFixed(1)}×`);
    console.log(`  pair p95 ${p95.toFixed(1)} ms (target ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'})`);
  } finally {
    await service?.close();
    await nats.stop();
    await ferret.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
