import { performance } from 'node:perf_hooks';
import { MongoClient, type AnyBulkWriteOperation, type Db, type Document, type UpdateFilter } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@cairn/event-store';
import {
  applyWriteIntents,
  DEFAULT_MAX_WRITES_PER_COMMAND,
  ProjectionRunner,
  ReadModelCollections,
  rebuildProjection,
  type RebuildProgress,
} from '@cairn/read-models';
import { startFerretDb, startNatsServer } from '@cairn/testing';
import { allEvents, renameCounts, renameProject } from '@cairn/read-models/test-support';

/**
 * Building a read model on FerretDB, in the same run:
 * (a) the projection runner (durable consumer, validation, position-guarded bulk writes, checkpoint per
 *     batch) against bare ordered `bulkWrite`s of the very same updates, unguarded and uncheckpointed,
 *     in commands of the same size, from events already in memory: the runner's whole overhead;
 * (b) the runner with batches of one event: what batching buys on a store that is slow per document;
 * (c) a rebuild (replay into a new collection, then swap);
 * (d) the runner's writes/s into a model that already holds 10,000 and then 100,000 documents, and a
 *     redelivery of the same events (every document read by `_id` first, nothing written again): every
 *     read and write is an `_id` lookup, so the rate must not fall with the model's size by more than 2×.
 * Target: runner / bare ≥ 0.5. Figures vary from machine to machine; nothing here asserts on them.
 */

const EVENTS = 3_000;
const PROJECTS = 300;
const IN_FLIGHT = 32;
const BATCH = 200;
/** Batches of one are slow: a sample is enough for the ratio. */
const SINGLE_EVENTS_SAMPLE = 600;
const TARGET = 0.5;
const MODEL_SIZES = [10_000, 100_000];
/** Events applied into each sized model. */
const SIZED_EVENTS = 1_000;
const FILL_CHUNK = 1_000;
/** The rate at the largest size over the rate at the smallest. */
const SIZE_TARGET = 0.5;

const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)} (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})`;

function untilApplied(runner: ProjectionRunner, position: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = () => runner.appliedPosition >= position && resolve();
    runner.onProgress(check);
    check();
  });
}

/** Events per second until the runner has applied `untilPosition` (or `events` of them). */
async function runnerRate(nc: NatsConnection, db: Db, name: string, batchSize: number, events: number, untilPosition: number): Promise<number> {
  const started = performance.now();
  const runner = await ProjectionRunner.start({
    nc,
    db,
    projection: renameCounts(name),
    consumer: { batchSize },
  });
  await untilApplied(runner, untilPosition);
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  return events / seconds;
}

/** `count` renames of the benchmark's projects, `IN_FLIGHT` at a time; numbered from `from`. */
async function appendRenames(store: JetStreamEventStore, from: number, count: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < from + count) {
        const index = next++;
        await renameProject(store, `p${index % PROJECTS}`, `name-${index}`);
      }
    }),
  );
}

/**
 * A model brought to `size` documents (the projects' own plus fillers), then `SIZED_EVENTS` new events
 * applied by a runner started after they were appended (timed from its start on, so its one-off start-up
 * is left out), then the same events written again as a redelivery.
 */
async function sizedRates(nc: NatsConnection, db: Db, store: JetStreamEventStore, size: number, renamed: number): Promise<{ runner: number; redelivery: number }> {
  const name = `counts_${size}`;
  const projection = renameCounts(name);
  const first = await ProjectionRunner.start({ nc, db, projection, consumer: { batchSize: BATCH } });
  await untilApplied(first, await store.headPosition());
  await first.stop();
  const collection = await new ReadModelCollections(db, { cacheMs: 0 }).resolve(name);
  for (let filled = await collection.countDocuments(); filled < size; filled += FILL_CHUNK) {
    const fillers = Array.from({ length: Math.min(FILL_CHUNK, size - filled) }, (_, index) => ({
      _id: `filler-${filled + index}` as never,
      count: 0,
      positions: [],
      lastName: '',
      _position: 0,
    }));
    await collection.insertMany(fillers);
  }

  await appendRenames(store, renamed, SIZED_EVENTS);
  const head = await store.headPosition();
  const runner = await ProjectionRunner.start({ nc, db, projection, consumer: { batchSize: BATCH } });
  const started = performance.now();
  await untilApplied(runner, head);
  const runnerSeconds = (performance.now() - started) / 1000;
  await runner.stop();

  const events = (await allEvents(store, projection.categories)).slice(-SIZED_EVENTS);
  const redeliveryStarted = performance.now();
  for (let index = 0; index < events.length; index += BATCH) {
    await applyWriteIntents(collection, await projection.handle(events.slice(index, index + BATCH)));
  }
  const redeliverySeconds = (performance.now() - redeliveryStarted) / 1000;
  return { runner: SIZED_EVENTS / runnerSeconds, redelivery: SIZED_EVENTS / redeliverySeconds };
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
    nc = await connect(nats.connectionOptions());
    mongo = await MongoClient.connect(ferret.url);
    const db = mongo.db('bench_read_models');
    const store = await JetStreamEventStore.connect({ nc });

    await appendRenames(store, 0, EVENTS);
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

    const sized = [];
    for (const [index, size] of MODEL_SIZES.entries()) sized.push(await sizedRates(nc, db, store, size, EVENTS + index * SIZED_EVENTS));
    console.log(`  writes into a model of N documents (one write per event, ${SIZED_EVENTS.toLocaleString('en-US')} events):`);
    for (const [index, size] of MODEL_SIZES.entries()) {
      const { runner, redelivery } = sized[index];
      console.log(`    ${size.toLocaleString('en-US').padStart(7)}: runner ${Math.round(runner).toLocaleString('en-US')} writes/s, redelivery ${Math.round(redelivery).toLocaleString('en-US')} writes/s`);
    }
    const [smallest, largest] = [sized[0], sized[sized.length - 1]];
    const sizes = `${MODEL_SIZES[MODEL_SIZES.length - 1].toLocaleString('en-US')} / ${MODEL_SIZES[0].toLocaleString('en-US')} documents`;
    console.log(`  runner, ${sizes}            ${verdict(largest.runner / smallest.runner, SIZE_TARGET)}`);
    console.log(`  redelivery, ${sizes}        ${verdict(largest.redelivery / smallest.redelivery, SIZE_TARGET)}`);
    await store.close();
  } finally {
    await nc?.close();
    await mongo?.close();
    await Promise.all([nats.stop(), ferret.stop()]);
  }
}

