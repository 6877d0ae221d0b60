import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';

/**
 * The read-your-write benchmark's clients, in a process of their own (forked by the benchmark), so that
 * the service's event loop and the clients' do not share a thread: `CLIENTS` clients at once, each in a
 * loop, over keep-alive connections. The pairs it runs are the benchmark's; see there.
 */

export interface ClientsTask {
  kind: 'platform' | 'raw';
  clients: number;
  rounds: number;
  warmUpRounds: number;
  lab: string;
  /** platform: the service, each client's token, and the position every warm-up creation waits for. */
  baseUrl?: string;
  tokens?: string[];
  membership?: number;
  /** raw: the servers. */
  natsUrl?: string;
  mongoUrl?: string;
}

export interface PlatformSamples {
  pair: number[];
  create: number[];
  list: number[];
}

/** Runs `round(client, index)` for every client at once, `rounds` times each in sequence. */
async function concurrently(clients: number, rounds: number, round: (client: number, index: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = 0; index < rounds; index++) await round(client, index);
    }),
  );
}

async function platformPairs(task: ClientsTask): Promise<PlatformSamples> {
  const { baseUrl, tokens, lab, membership } = task as Required<ClientsTask>;
  const samples: PlatformSamples = { pair: [], create: [], list: [] };
  const pairOf = async (client: number, name: string, measure: boolean) => {
    const authorization = `Bearer ${tokens[client]}`;
    const started = performance.now();
    const created = await fetch(`${baseUrl}/api/labs/${lab}/experiments`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', ...(measure ? {} : { 'Cairn-Min-Position': String(membership) }) },
      body: JSON.stringify({ name }),
    });
    const experiment = (await created.json()) as { id: string };
    const createdAt = performance.now();
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(experiment)}`);
    const position = created.headers.get('cairn-position')!;
    const listed = await fetch(`${baseUrl}/api/labs/${lab}/experiments?q=${encodeURIComponent(name)}`, {
      headers: { authorization, 'Cairn-Min-Position': position },
    });
    const page = (await listed.json()) as { items: Array<{ id: string }> };
    const listedAt = performance.now();
    if (listed.status !== 200) throw new Error(`list: ${listed.status} ${JSON.stringify(page)}`);
    if (!page.items.some((item) => item.id === experiment.id)) {
      throw new Error(`list after Cairn-Min-Position ${position} misses experiment ${experiment.id}`);
    }
    if (!measure) return;
    samples.create.push(createdAt - started);
    samples.list.push(listedAt - createdAt);
    samples.pair.push(listedAt - started);
  };
  await concurrently(task.clients, task.warmUpRounds, (client, index) => pairOf(client, `warm-up ${client}-${index}`, false));
  await concurrently(task.clients, task.rounds, (client, index) => pairOf(client, `experiment ${client}-${index}`, true));
  return samples;
}

/**
 * The same pairs with nothing of ours: a JetStream publish (the append), a MongoDB insert of the same
 * document (the projection's write), and the list's own query (filter, sort and page size).
 */
async function rawPairs(task: ClientsTask): Promise<number[]> {
  const nc = await connect({ servers: task.natsUrl });
  const mongo = await MongoClient.connect(task.mongoUrl!);
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'RAW_RYW', subjects: ['raw.ryw.>'] });
    const js = nc.jetstream();
    const collection = mongo.db('bench_raw_ryw').collection<{ _id: string; lab: string; name: string; nameLower: string; projects: string[] }>('experiments');
    const samples: number[] = [];
    const pair = async (client: number, index: number, measure: boolean) => {
      const id = `${measure ? 'm' : 'w'}-${client}-${index}`;
      const name = `experiment ${id}`;
      const started = performance.now();
      await js.publish(`raw.ryw.${id}`, new TextEncoder().encode(JSON.stringify({ id, name })));
      await collection.insertOne({ _id: id, lab: task.lab, name, nameLower: name, projects: [] });
      // ExperimentsService.listLab's query for a lab member who reads no project of the lab.
      const found = await collection
        .find({ lab: task.lab, nameLower: { $regex: `^${name}` }, $or: [{ projects: { $size: 0 } }, { projects: { $in: [] } }] })
        .sort({ nameLower: 1, _id: 1 })
        .limit(51)
        .toArray();
      if (!found.some((document) => document._id === id)) throw new Error(`raw find missed ${id}`);
      if (measure) samples.push(performance.now() - started);
    };
    await concurrently(task.clients, task.warmUpRounds, (client, index) => pair(client, index, false));
    await concurrently(task.clients, task.rounds, (client, index) => pair(client, index, true));
    return samples;
  } finally {
    await mongo.close();
    await nc.close();
  }
}

process.once('message', (task: ClientsTask) => {
  (task.kind === 'platform' ? platformPairs(task) : rawPairs(task)).then(
    (samples) => process.send!({ samples }, () => process.exit(0)),
    (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1)),
  );
});
