import { performance } from 'node:perf_hooks';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { v7 as uuidv7 } from 'uuid';
import type { StreamName } from '@cairn/contracts';
import {
  encodeEvent,
  JetStreamEventStore,
  newEnvelope,
  type EncodedEvent,
  type EventStore,
} from '@cairn/event-store';
import { startNatsServer } from '@cairn/testing';
import { exitWith } from '../exit-with';

/**
 * The JetStream event store against the bare `nats` client on the same server, in the same run:
 * (a) single-event appends, `IN_FLIGHT` at a time, each one to its aggregate's stream in order — the
 *     store with its expected-version check, raw JetStream as plain publishes of the very same
 *     messages (same subjects, headers and bodies) with only `Nats-Msg-Id`;
 * (b) reading every event: `readAll()` against a bare ordered consumer over the same stream that
 *     parses each body as JSON (and, for reference, one that touches the bytes only).
 * Targets: append ratio ≥ 0.7, read ratio ≥ 0.8. Figures vary from machine to machine; nothing
 * here asserts on them.
 */

/** Appends are fsync-bound (`sync_interval: always`): a few thousand keep the whole run near a minute. */
const EVENTS = 4_000;
const EVENTS_PER_AGGREGATE = 20;
const IN_FLIGHT = 32;
const APPEND_ROUNDS = 4;
const WARM_UP_EVENTS = 200;
/** Reads are short, so each is taken several times, alternately, and the best run of each counts. */
const READ_ROUNDS = 5;
const APPEND_TARGET = 0.7;
const READ_TARGET = 0.8;
const SERVER = 'nats-server v2.15.2 (JetStream, file storage, sync_interval always)';

/** A typical event: a role grant with a reason, about 450 bytes with its envelope and headers. */
function eventData(index: number) {
  return {
    projectId: `p-${index % 500}`,
    user: `user-${index % 997}@example.org`,
    role: 'experimenter',
    before: 'viewer',
    reason: 'Joins the crystallography campaign for the spring beamtime allocation.',
    prevHash: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
  };
}

function aggregate(prefix: string, index: number): StreamName {
  return { context: 'access', aggregate: 'project', id: `${prefix}${index}` };
}

/** Runs `work(aggregateIndex)` for every aggregate with at most `IN_FLIGHT` of them at once. */
async function inParallel(aggregates: number, work: (aggregateIndex: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < aggregates) await work(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Seconds taken. */
async function appendThroughStore(store: EventStore, events: number, idPrefix: string): Promise<number> {
  const started = performance.now();
  await inParallel(events / EVENTS_PER_AGGREGATE, async (aggregateIndex) => {
    const stream = aggregate(idPrefix, aggregateIndex);
    let expected: number | 'no-stream' = 'no-stream';
    for (let version = 0; version < EVENTS_PER_AGGREGATE; version++) {
      const index = aggregateIndex * EVENTS_PER_AGGREGATE + version;
      const result = await store.append(stream, [{ type: 'access.role.granted.v1', data: eventData(index) }], expected);
      expected = result.nextVersion;
    }
  });
  return (performance.now() - started) / 1000;
}

/** The messages the store would write for the same events, published without the store. */
function rawMessages(events: number, idPrefix: string, subjectPrefix: string): EncodedEvent[][] {
  const time = new Date().toISOString();
  return Array.from({ length: events / EVENTS_PER_AGGREGATE }, (_, aggregateIndex) =>
    Array.from({ length: EVENTS_PER_AGGREGATE }, (_, version) => {
      const index = aggregateIndex * EVENTS_PER_AGGREGATE + version;
      const event = { id: uuidv7(), type: 'access.role.granted.v1', data: eventData(index) };
      return encodeEvent(newEnvelope(aggregate(idPrefix, aggregateIndex), event, version, time), subjectPrefix);
    }),
  );
}

/** Seconds taken. */
async function appendRaw(js: JetStreamClient, messages: EncodedEvent[][]): Promise<number> {
  const started = performance.now();
  await inParallel(messages.length, async (aggregateIndex) => {
    for (const message of messages[aggregateIndex]) {
      await js.publish(message.subject, message.data, { headers: message.headers });
    }
  });
  return (performance.now() - started) / 1000;
}

async function readThroughStore(store: EventStore): Promise<ReadFigure> {
  const started = performance.now();
  let count = 0;
  for await (const event of store.readAll()) {
    if (event.id) count++;
  }
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

/**
 * A bare ordered consumer over the whole stream. `decode` parses each body as JSON, as any reader of
 * events must; without it the figure is the transport alone.
 */
async function readRaw(js: JetStreamClient, streamName: string, decode: boolean): Promise<ReadFigure> {
  const started = performance.now();
  const consumer = await js.consumers.get(streamName);
  const messages = await consumer.consume({ max_messages: 1000 });
  let count = 0;
  let bytes = 0;
  for await (const message of messages) {
    count++;
    bytes += decode ? message.json<{ id: string }>().id.length : message.data.length;
    if (message.info.pending === 0) break;
  }
  messages.stop();
  await consumer.delete();
  if (bytes === 0) throw new Error('raw read saw no data');
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

interface ReadFigure {
  perSecond: number;
  count: number;
}

const best = (a: ReadFigure, b: ReadFigure) => (b.perSecond > a.perSecond ? b : a);
const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)} (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})`;

export async function run(): Promise<void> {
  const server = await startNatsServer();
  let nc: NatsConnection | undefined;
  try {
    nc = await connect(server.connectionOptions());
    const js = nc.jetstream();
    // Both streams are created by the store itself, so they have exactly the same configuration.
    const store = await JetStreamEventStore.connect({ nc, streamName: 'BENCH_STORE', subjectPrefix: 'bench.store' });
    await JetStreamEventStore.connect({ nc, streamName: 'BENCH_RAW', subjectPrefix: 'bench.raw' });

    await appendThroughStore(store, WARM_UP_EVENTS, 'warm-');
    await appendRaw(js, rawMessages(WARM_UP_EVENTS, 'warm-', 'bench.raw'));

    // In rounds, alternately, so that neither side gets all the quiet moments of a shared machine.
    let rawSeconds = 0;
    let storeSeconds = 0;
    for (let round = 0; round < APPEND_ROUNDS; round++) {
      rawSeconds += await appendRaw(js, rawMessages(EVENTS / APPEND_ROUNDS, `r${round}-`, 'bench.raw'));
      storeSeconds += await appendThroughStore(store, EVENTS / APPEND_ROUNDS, `r${round}-`);
    }
    const rawAppend = EVENTS / rawSeconds;
    const storeAppend = EVENTS / storeSeconds;

    let transportRead: ReadFigure = { perSecond: 0, count: 0 };
    let rawRead: ReadFigure = { perSecond: 0, count: 0 };
    let storeRead: ReadFigure = { perSecond: 0, count: 0 };
    for (let round = 0; round < READ_ROUNDS; round++) {
      transportRead = best(transportRead, await readRaw(js, 'BENCH_STORE', false));
      rawRead = best(rawRead, await readRaw(js, 'BENCH_STORE', true));
      storeRead = best(storeRead, await readThroughStore(store));
    }
    if (rawRead.count !== storeRead.count || transportRead.count !== storeRead.count) {
      throw new Error(`reads disagree: raw ${rawRead.count} events, store ${storeRead.count}`);
    }

    console.log(`server: ${SERVER}`);
    console.log(
      `append: ${EVENTS.toLocaleString('en-US')} single-event appends, ${IN_FLIGHT} in flight, ` +
        `${EVENTS_PER_AGGREGATE} per aggregate in order`,
    );
    console.log(`  event store  ${format(storeAppend)}`);
    console.log(`  raw publish  ${format(rawAppend)}`);
    console.log(`  ratio        ${verdict(storeAppend / rawAppend, APPEND_TARGET)}`);
    console.log(`read: all ${storeRead.count.toLocaleString('en-US')} events of the stream, best of ${READ_ROUNDS}`);
    console.log(`  readAll()                          ${format(storeRead.perSecond)}`);
    console.log(`  ordered consumer, JSON.parse each  ${format(rawRead.perSecond)}`);
    console.log(`  ratio                              ${verdict(storeRead.perSecond / rawRead.perSecond, READ_TARGET)}`);
    console.log(`  ordered consumer, bytes only       ${format(transportRead.perSecond)}`);
    console.log(`  ratio to bytes only                ${(storeRead.perSecond / transportRead.perSecond).toFixed(2)}`);
    await store.close();
  } finally {
    await nc?.close();
    await server.stop();
  }
}

if (require.main === module) exitWith(run());
