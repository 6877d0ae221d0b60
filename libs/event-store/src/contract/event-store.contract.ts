import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { categoryOf, streamIdOf, type CairnEvent, type NewEvent, type StreamName } from '@cairn/contracts';
import { WrongExpectedVersionError, type EventStore, type Subscription } from '../port';

/**
 * What every EventStore adapter promises. The store may already hold events (EventStoreDB's `$all` is
 * shared by every run), so each case writes to categories of its own and reads from positions it
 * observed itself. With `skipReason`, every case is reported as skipped, the reason in the suite's name.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStore>, skipReason?: string): void {
  const describeSuite = skipReason === undefined ? describe : describe.skip;
  describeSuite(`${name} event store contract${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await factory();
    });

    afterAll(async () => {
      await store?.close();
    });

    describe('append', () => {
      it('creates a new stream with no-stream and returns its version and global position', async () => {
        const stream = newStream();
        const before = await store.headPosition();

        const result = await store.append(stream, [opened('first')], 'no-stream');

        expect(result.nextVersion).toBe(0);
        expect(result.position).toBeGreaterThan(before);
        expect(await store.headPosition()).toBe(result.position);
        const [stored] = await store.readStream(stream);
        expect(stored).toMatchObject({
          specversion: '1.0',
          source: `cairn/${stream.context}`,
          type: OPENED,
          subject: `${stream.aggregate}/${stream.id}`,
          datacontenttype: 'application/json',
          data: { label: 'first' },
          streamid: streamIdOf(stream),
          streamversion: 0,
          position: result.position,
          actorid: 'user-1',
          correlationid: 'correlation-1',
        });
        expect(Number.isNaN(Date.parse(stored.time))).toBe(false);
        expect(result.time).toBe(stored.time);
      });

      it('refuses no-stream on a stream that exists, with a typed conflict', async () => {
        const stream = newStream();
        await store.append(stream, [opened('first')], 'no-stream');

        await expect(store.append(stream, [opened('second')], 'no-stream')).rejects.toMatchObject({
          name: 'WrongExpectedVersionError',
          streamId: streamIdOf(stream),
          expected: 'no-stream',
          actual: 0,
        });
      });

      it('refuses a stale expected version with WrongExpectedVersionError and stores nothing', async () => {
        const stream = newStream();
        await store.append(stream, [opened('v0')], 'no-stream');
        await store.append(stream, [opened('v1')], 0);

        const stale = store.append(stream, [opened('late')], 0);

        await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(stale).rejects.toMatchObject({ expected: 0, actual: 1 });
        expect(labels(await store.readStream(stream))).toEqual(['v0', 'v1']);
      });

      it('lets exactly one of two writers with the same expected version win', async () => {
        const stream = newStream();
        await store.append(stream, [opened('v0')], 'no-stream');

        const outcomes = await Promise.allSettled([
          store.append(stream, [opened('writer-a')], 0),
          store.append(stream, [opened('writer-b')], 0),
        ]);

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const [rejected] = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends nothing twice when an append is retried with the same event ids', async () => {
        const stream = newStream();
        const commit = [opened('a', uuidv7()), opened('b', uuidv7()), opened('c', uuidv7())];
        const single = [opened('d', uuidv7())];

        const first = await store.append(stream, commit, 'no-stream');
        const retried = await store.append(stream, commit, 'no-stream');
        const next = await store.append(stream, single, first.nextVersion);
        const retriedSingle = await store.append(stream, single, first.nextVersion);

        expect(retried).toEqual(first);
        expect(retriedSingle).toEqual(next);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b', 'c', 'd']);
      });

      it('stream-exists needs an existing stream; any appends at the end', async () => {
        const stream = newStream();

        await expect(store.append(stream, [opened('x')], 'stream-exists')).rejects.toMatchObject({
          name: 'WrongExpectedVersionError',
          actual: 'no-stream',
        });
        expect((await store.append(stream, [opened('v0')], 'any')).nextVersion).toBe(0);
        expect((await store.append(stream, [opened('v1')], 'stream-exists')).nextVersion).toBe(1);
        expect((await store.append(stream, [opened('v2'), opened('v3')], 'any')).nextVersion).toBe(3);
        expect(labels(await store.readStream(stream))).toEqual(['v0', 'v1', 'v2', 'v3']);
      });
    });

    describe('multi-event commits', () => {
      it('store none of their events when the expected version is stale', async () => {
        const stream = newStream();
        await store.append(stream, [opened('v0')], 'no-stream');

        await expect(
          store.append(stream, [opened('x1'), opened('x2'), opened('x3')], 'no-stream'),
        ).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.append(stream, [opened('y1'), opened('y2')], 5)).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );

        expect(labels(await store.readStream(stream))).toEqual(['v0']);
      });

      it('are visible whole: a reader never sees part of a commit', async () => {
        const stream = newStream();
        const commitSize = 5;
        const commits = 20;
        const observedLengths: number[] = [];
        let writing = true;
        const reader = (async () => {
          while (writing) observedLengths.push((await store.readStream(stream)).length);
        })();

        let expected: number | 'no-stream' = 'no-stream';
        for (let commit = 0; commit < commits; commit++) {
          const events = Array.from({ length: commitSize }, (_, index) => opened(`${commit}.${index}`));
          expected = (await store.append(stream, events, expected)).nextVersion;
        }
        writing = false;
        await reader;

        expect(observedLengths.length).toBeGreaterThan(0);
        expect(observedLengths.filter((length) => length % commitSize !== 0)).toEqual([]);
        const stored = await store.readStream(stream);
        expect(stored.map((event) => event.streamversion)).toEqual([...Array(commits * commitSize).keys()]);
      });
    });

    describe('readStream', () => {
      it('returns the events in order, from a version when asked, and nothing for an unknown stream', async () => {
        const stream = newStream();
        await store.append(stream, [opened('v0'), opened('v1')], 'no-stream');
        await store.append(stream, [opened('v2')], 1);
        await store.append(stream, [opened('v3'), opened('v4')], 2);

        const all = await store.readStream(stream);

        expect(labels(all)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
        expect(all.map((event) => event.streamversion)).toEqual([0, 1, 2, 3, 4]);
        expect(isIncreasing(all.map((event) => event.position))).toBe(true);
        expect(labels(await store.readStream(stream, { fromVersion: 3 }))).toEqual(['v3', 'v4']);
        expect(await store.readStream(newStream())).toEqual([]);
      });

      it('reads a 10,000-event stream back whole', async () => {
        const stream = newStream();
        const commitSize = 100;
        let expected: number | 'no-stream' = 'no-stream';
        for (let commit = 0; commit < 100; commit++) {
          const events = Array.from({ length: commitSize }, (_, index) => opened(String(commit * commitSize + index)));
          expected = (await store.append(stream, events, expected)).nextVersion;
        }

        const stored = await store.readStream(stream);

        expect(stored).toHaveLength(10_000);
        expect(stored.map((event) => event.streamversion)).toEqual([...Array(10_000).keys()]);
        expect(labels(stored)).toEqual([...Array(10_000).keys()].map(String));
      }, 120_000);
    });

    describe('readAll', () => {
      it('reads after a position, in position order, filtered by category', async () => {
        const context = newContext();
        const orders = { context, aggregate: 'order', id: 'o1' };
        const invoices = { context, aggregate: 'invoice', id: 'i1' };
        const start = await store.headPosition();
        const a1 = await store.append(orders, [opened('a1')], 'no-stream');
        await store.append(invoices, [opened('b1')], 'no-stream');
        await store.append(orders, [opened('a2'), opened('a3')], 0);

        const ordersOnly = await collect(store.readAll({ fromPosition: start, categories: [categoryOf(orders)] }));
        const both = await collect(
          store.readAll({ fromPosition: a1.position, categories: [categoryOf(orders), categoryOf(invoices)] }),
        );
        const unfiltered = await collect(store.readAll({ fromPosition: start }));

        expect(labels(ordersOnly)).toEqual(['a1', 'a2', 'a3']);
        expect(labels(both)).toEqual(['b1', 'a2', 'a3']);
        expect(isIncreasing(both.map((event) => event.position))).toBe(true);
        expect(labels(unfiltered.filter((event) => event.source === `cairn/${context}`))).toEqual([
          'a1',
          'b1',
          'a2',
          'a3',
        ]);
        expect(await collect(store.readAll({ fromPosition: start, categories: [`${newContext()}_none`] }))).toEqual(
          [],
        );
      });
    });

    describe('positions', () => {
      it('finds the first event of some categories after a position without reading the others', async () => {
        const context = newContext();
        const orders = { context, aggregate: 'order', id: 'o1' };
        const invoices = { context, aggregate: 'invoice', id: 'i1' };
        const start = await store.headPosition();
        const order = await store.append(orders, [opened('a1')], 'no-stream');
        const invoice = await store.append(invoices, [opened('b1')], 'no-stream');

        expect(await store.firstPositionAfter(start, [categoryOf(orders)])).toBe(order.position);
        expect(await store.firstPositionAfter(order.position, [categoryOf(orders)])).toBeUndefined();
        expect(await store.firstPositionAfter(start, [categoryOf(invoices), categoryOf(orders)])).toBe(order.position);
        expect(await store.firstPositionAfter(order.position, [categoryOf(orders), categoryOf(invoices)])).toBe(invoice.position);
        expect(await store.firstPositionAfter(start, [`${newContext()}_none`])).toBeUndefined();
      });

      it('answers every one of concurrent head reads from after its call', async () => {
        const stream = newStream();
        const early = store.headPosition();
        const appended = await store.append(stream, [opened('first')], 'no-stream');
        const heads = await Promise.all([store.headPosition(), store.headPosition(), early]);

        expect(heads.slice(0, 2)).toEqual([appended.position, appended.position]);
        expect(heads[2]).toBeLessThanOrEqual(appended.position);
      });
    });

    describe('subscribe', () => {
      it('delivers history then live events, and resumes from a checkpoint with no gap and no duplicate', async () => {
        const context = newContext();
        const stream = { context, aggregate: 'ledger', id: 'l1' };
        const other = { context, aggregate: 'noise', id: 'n1' };
        const categories = [categoryOf(stream)];
        const start = await store.headPosition();
        await store.append(stream, [opened('h0'), opened('h1')], 'no-stream');
        await store.append(other, [opened('ignored')], 'no-stream');
        await store.append(stream, [opened('h2')], 1);

        const seen: CairnEvent[] = [];
        let caughtUpAt: number | undefined;
        const first: Subscription = await store.subscribe({
          fromPosition: start,
          categories,
          onEvent: (event) => {
            seen.push(event);
          },
          onCaughtUp: (position) => {
            caughtUpAt = position;
          },
        });
        await eventually(() => caughtUpAt !== undefined);
        expect(labels(seen)).toEqual(['h0', 'h1', 'h2']);
        expect(caughtUpAt).toBe(seen[2].position);

        await store.append(stream, [opened('live0'), opened('live1')], 2);
        await eventually(() => seen.length === 5);
        const checkpoint = first.position;
        expect(checkpoint).toBe(seen[4].position);
        await first.close();

        await store.append(stream, [opened('while-down0')], 4);
        await store.append(stream, [opened('while-down1')], 5);
        const resumed = await store.subscribe({
          fromPosition: checkpoint,
          categories,
          onEvent: (event) => {
            seen.push(event);
          },
        });
        await store.append(stream, [opened('after-restart')], 6);
        await eventually(() => seen.length >= 8);
        await resumed.close();

        expect(labels(seen)).toEqual(['h0', 'h1', 'h2', 'live0', 'live1', 'while-down0', 'while-down1', 'after-restart']);
        expect(seen.map((event) => event.streamversion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(resumed.position).toBe(seen[7].position);
      });

      it('hands over the next event only after the previous one was handled', async () => {
        const stream = newStream();
        const start = await store.headPosition();
        await store.append(stream, [opened('0'), opened('1'), opened('2')], 'no-stream');
        const handled: string[] = [];
        let inFlight = 0;
        let overlapped = false;

        const subscription = await store.subscribe({
          fromPosition: start,
          categories: [categoryOf(stream)],
          onEvent: async (event) => {
            inFlight++;
            overlapped ||= inFlight > 1;
            await new Promise((resolve) => setImmediate(resolve));
            handled.push(label(event));
            inFlight--;
          },
        });
        await eventually(() => handled.length === 3);
        await subscription.close();

        expect(overlapped).toBe(false);
        expect(handled).toEqual(['0', '1', '2']);
      });
    });
  });
}

function newContext(): string {
  return `c${randomBytes(5).toString('hex')}`;
}

function newStream(): StreamName {
  return { context: newContext(), aggregate: 'thing', id: randomBytes(4).toString('hex') };
}

const OPENED = 'contract.thing.opened.v1';

/** An event of the test's own type; `label` tells events apart in assertions. */
function opened(labelText: string, id?: string): NewEvent {
  return {
    ...(id ? { id } : {}),
    type: OPENED,
    data: { label: labelText },
    actorid: 'user-1',
    correlationid: 'correlation-1',
  };
}

function label(event: CairnEvent): string {
  return (event.data as { label: string }).label;
}

function labels(events: CairnEvent[]): string[] {
  return events.map(label);
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value > values[index - 1]);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Waits for something asynchronous to have happened; gives up after a generous bound. */
export async function eventually(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 20_000) throw new Error(`${what} still not met after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
