import { performance } from 'node:perf_hooks';
import { MongoClient, type AnyBulkWriteOperation, type Db, type Document, type UpdateFilter } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@cairn/event-store';
import { DEFAULT_MAX_WRITES_PER_COMMAND, ProjectionRunner, rebuildProjection, type RebuildProgress } from '@cairn/read-models';
import { startFerretDb, startNatsServer } from '@cairn/testing';
import { allEvents, renameCounts, renameProject } from '@cairn/read-models/test-support';

/**
 * Building a read model on FerretDB, in the same run:
 * (a) the projection runner (durable consumer, validation, position-guarded bulk writes, checkpoint per
 *     batch) against bare ordered `bulkWrite`s of the very same updates, unguarded and uncheckpointed,
 *     in commands of the same size, from events already in memory: the runner's whole overhead;
 * (b) the runner with batches of one event: what batching buys on a store that is slow per document;
 * (c) a rebuild (replay into a new collection, then swap).
 * Target: runner / bare ≥ 0.5. Figures vary from machine to machine; nothing here asserts on them.
 */

const EVENTS = 3_000;
const PROJECTS = 300;
const IN_FLIGHT = 32;
const BATCH = 200;
/** Batches of one are slow: a sample is enough for the ratio. */
const SINGLE_EVENTS_SAMPLE = 600;
const TARGET = 0.5;

const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)} (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})`;

/** Events per second until the runner has applied `untilPosition` (or `events` of them). */
async function runnerRate(nc: NatsConnection, db: Db, name: string, batchSize: number, events: number, untilPosition: number): Promise<number> {
  const started = performance.now();
  const runner = await ProjectionRunner.start({
    nc,
    db,
    projection: renameCounts(name),
    consumer: { batchSize },
  });
  await new Promise<void>((resolve) => {
    const check = () => runner.appliedPosition >= untilPosition && resolve();
    runner.onProgress(check);
    check();
  });
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  return events / seconds;
}

async function bareBulkRate(db: Db, store: JetStreamEventStore): Promise<number> {
  const events = await allEvents(store, ['projects_project']);
  const projection = renameCounts('bare_counts');
  const collection = db.collection('bare_counts');
  const started = performance.now();
  for (let index = 0; index < events.length; index += BATCH) {
    const intents = await projection.handle(events.slice(index, index + BATCH));
    const operations: AnyBulkWriteOperation<Document>[] = intents.map((intent) => {
      if (intent.kind !== 'update') throw new Error('the counting projection only updates');
      return { updateOne: { filter: { _id: intent.id as never }, update: intent.update as UpdateFilter<Document>, upsert: true } };
    });
    for (let start = 0; start < operations.length; start += DEFAULT_MAX_WRITES_PER_COMMAND) {
      await collection.bulkWrite(operations.slice(start, start + DEFAULT_MAX_WRITES_PER_COMMAND), { ordered: true });
    }
  }
  return events.length / ((performance.now() - started) / 1000);
}

export async function run(): Promise<void> {
  const [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  let nc: NatsConnection | undefined;
  let mongo: MongoClient | undefined;
  try {
    nc = await connect({ servers: nats.url });
    mongo = await MongoClient.connect(ferret.url);
    const db = mongo.db('bench_read_models');
    const store = await JetStreamEventStore.connect({ nc });

    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < EVENTS) {
          const index = next++;
          await renameProject(store, `p${index % PROJECTS}`, `name-${index}`);
        }
      }),
    );
    const head = await store.headPosition();

    const bare = await bareBulkRate(db, store);
    const batched = await runnerRate(nc, db, 'batched_counts', BATCH, EVENTS, head);
    const single = await runnerRate(nc, db, 'single_counts', 1, SINGLE_EVENTS_SAMPLE, SINGLE_EVENTS_SAMPLE);

    let last: RebuildProgress | undefined;
    await rebuildProjection({ nc, db, projection: renameCounts('batched_counts'), onProgress: (progress) => (last = progress), dropOldAfterMs: 0 });

    console.log(`${EVENTS.toLocaleString('en-US')} events (renames of ${PROJECTS} projects) into FerretDB v1.24.2 (SQLite)`);
    console.log(`  bare bulkWrite, ${DEFAULT_MAX_WRITES_PER_COMMAND} per command       ${format(bare)}`);
    console.log(`  projection runner, batches of ${BATCH}    ${format(batched)}`);
    console.log(`  ratio                                 ${verdict(batched / bare, TARGET)}`);
    console.log(`  projection runner, batches of 1       ${format(single)} (first ${SINGLE_EVENTS_SAMPLE} events)`);
    console.log(`  batching speed-up                     ${(batched / single).toFixed(1)}×`);
    console.log(`  rebuild (replay + swap)               ${format(last?.ratePerSecond ?? 0)}`);
    await store.close();
  } finally {
    await nc?.close();
    await mongo?.close();
    await Promise.all([nats.stop(), ferret.stop()]);
  }
}

