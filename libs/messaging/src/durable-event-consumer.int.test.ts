import { connect, Empty, ErrorCode, NatsError, type NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, waitUntil, type NatsServerHandle } from '@cairn/testing';
import { publishUnchecked } from '../test-support/raw-events';
import { PRIORITY_GROUP } from './consumer-provisioning';
import { DEAD_LETTER_STREAM, deadLetterCount, deadLetterSubject, DeadLetterHeaders } from './dead-letter';
import { DEFAULT_EVENTS_STREAM, DurableEventConsumer, UnprocessableEvent, type DurableEventConsumerOptions } from './durable-event-consumer';
import { pullBatch } from './pull-batch';

// The int project's testTimeout is not applied per project; servers on a shared machine need more than 5 s.
jest.setTimeout(30_000);

let nats: NatsServerHandle;
let store: JetStreamEventStore;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  nc = await connect(nats.connectionOptions());
});

afterAll(async () => {
  await nc?.close();
  await store?.close();
  await nats?.stop();
});

let projectCounter = 0;
/** A fresh project (stream) per test, so that tests never see each other's events. */
function newProject(): { context: string; aggregate: string; id: string } {
  return { context: 'projects', aggregate: 'project', id: `p${++projectCounter}-${Date.now()}` };
}

async function rename(project: { context: string; aggregate: string; id: string }, name: string): Promise<number> {
  const data = { projectId: project.id, name, actor: 'u-alice' };
  return (await store.append(project, [{ type: 'projects.project.updated.v1', data }], 'any')).position;
}

/** Events the consumer's filter does not reach unless it is for this test only. */
function consumerFor(
  name: string,
  handle: DurableEventConsumerOptions['handle'],
  extra: Partial<DurableEventConsumerOptions> = {},
): Promise<DurableEventConsumer> {
  return DurableEventConsumer.create({
    nc,
    name,
    categories: ['projects_project'],
    handle,
    backoffMs: [20],
    ackWaitMs: 2_000,
    pinnedTtlMs: 4_000,
    longPollMs: 1_000,
    onError: () => undefined,
    ...extra,
  });
}

/** An event of another category than the consumers' here. */
async function createLab(lab: string): Promise<number> {
  const data = { lab, name: 'Crystallography', slug: lab, actor: 'u-admin' };
  return (await store.append({ context: 'access', aggregate: 'lab', id: lab }, [{ type: 'access.lab.created.v1', data }], 'no-stream')).position;
}

async function lastDeadLetter(consumer: string) {
  const jsm = await nc.jetstreamManager();
  return jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: deadLetterSubject(consumer) });
}

/**
 * A replica (batches of 3) whose pin runs out long before its ack wait, so that what a previous client
 * left unacknowledged is not redelivered meanwhile; it records the names it handles and what it reports.
 */
async function replicaWithShortPin(name: string, start: number) {
  const handled: string[] = [];
  const errors: string[] = [];
  const replica = await consumerFor(name, async (events) => void handled.push(...events.map((event) => (event.data as { name: string }).name)), {
    resumePosition: async () => start - 1,
    batchSize: 3,
    ackWaitMs: 30_000,
    pinnedTtlMs: 1_000,
    longPollMs: 300,
    onError: (error) => errors.push(error.message),
  });
  return { replica, handled, errors };
}

/** A previous client of the consumer: it takes the pin and `batch` messages, then neither acknowledges nor pulls again. */
async function previousClientTakes(consumer: string, batch: number) {
  return (await pullBatch(nc, { stream: DEFAULT_EVENTS_STREAM, consumer, batch, waitMs: 1_000, group: PRIORITY_GROUP })).messages;
}

describe('DurableEventConsumer', () => {
  it('hands over batches in position order, and its lag shows what is pending before and nothing after', async () => {
    const handled: CairnEvent[] = [];
    const consumer = await consumerFor('lag_spec', async (events) => void handled.push(...events));
    const [first, second] = [newProject(), newProject()];
    const positions = [
      await rename(first, 'one'),
      await rename(second, 'two'),
      await rename(first, 'three'),
    ];

    const before = await consumer.lag();
    await consumer.processAvailable();
    const after = await consumer.lag();

    expect(before.pending).toBeGreaterThanOrEqual(3);
    expect(after).toMatchObject({ pending: 0, ackPending: 0 });
    expect(after.lastDeliveredPosition).toBeGreaterThanOrEqual(positions[2]);
    const mine = handled.filter((event) => positions.includes(event.position));
    expect(mine.map((event) => event.position)).toEqual(positions);
    expect(handled.map((event) => event.position)).toEqual([...handled.map((event) => event.position)].sort((a, b) => a - b));
    await consumer.delete();
  });

  it('dead-letters an event that fails validation, with the reason, and goes on with the next ones', async () => {
    const handled: CairnEvent[] = [];
    const project = newProject();
    const good = await rename(project, 'fine');
    const poison = await publishUnchecked(nc, store, project, { type: 'projects.project.updated.v1', data: { projectId: project.id } });
    const after = await rename(project, 'also fine');
    const consumer = await consumerFor('poison_spec', async (events) => void handled.push(...events), {
      resumePosition: async () => good - 1,
    });

    consumer.start();
    await waitUntil('the event after the poison one is handled', async () => handled.some((e) => e.position === after));
    await consumer.stop();

    expect(handled.map((event) => event.position)).toEqual([good, after]);
    const letter = await lastDeadLetter('poison_spec');
    expect(letter.header.get(DeadLetterHeaders.reason)).toMatch(/data of projects\.project\.updated\.v1/);
    expect(letter.header.get(DeadLetterHeaders.sequence)).toBe(String(poison));
    expect(letter.header.get(DeadLetterHeaders.subject)).toBe(`cairn.events.projects.project.${project.id}`);
    expect(letter.header.get('cairn-type')).toBe('projects.project.updated.v1');
    expect(await consumer.lag()).toMatchObject({ pending: 0, ackPending: 0 });
    await consumer.delete();
  });

  it('dead-letters an event whose type names another context than the subject it came on, and goes on with the next ones', async () => {
    const handled: CairnEvent[] = [];
    const project = newProject();
    const good = await rename(project, 'fine');
    // A role grant on a projects subject: whoever may publish projects events must not grant roles by it.
    const misplaced = await publishUnchecked(nc, store, project, { type: 'access.role.granted.v1', data: { projectId: project.id, user: 'u-mallory', role: 'owner', actor: 'u-mallory' } });
    const after = await rename(project, 'also fine');
    const consumer = await consumerFor('misplaced_spec', async (events) => void handled.push(...events), {
      resumePosition: async () => good - 1,
    });

    consumer.start();
    await waitUntil('the event after the misplaced one is handled', async () => handled.some((e) => e.position === after));
    await consumer.stop();

    expect(handled.map((event) => event.position)).toEqual([good, after]);
    const letter = await lastDeadLetter('misplaced_spec');
    expect(letter.header.get(DeadLetterHeaders.reason)).toBe(
      `message ${misplaced} is not a Cairn event: its type access.role.granted.v1 names another context than its subject cairn.events.projects.project.${project.id}`,
    );
    expect(letter.header.get(DeadLetterHeaders.sequence)).toBe(String(misplaced));
    await consumer.delete();
  });

  it('retries a failing event with backoff, keeps the order, and dead-letters it after maxDeliver attempts', async () => {
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const project = newProject();
    const start = await rename(project, 'before');
    await rename(project, 'boom');
    await rename(project, 'after');
    const consumer = await consumerFor(
      'failing_spec',
      async (events) => {
        for (const event of events) {
          const name = (event.data as { name: string }).name;
          attempts.set(name, (attempts.get(name) ?? 0) + 1);
          if (name === 'boom') throw new Error('the handler cannot take this one');
        }
        handled.push(...events.map((event) => (event.data as { name: string }).name));
      },
      { maxDeliver: 3, resumePosition: async () => start - 1 },
    );

    consumer.start();
    await waitUntil('the event after the failing one is handled', async () => handled.includes('after'));
    await consumer.stop();

    expect(handled).toEqual(['before', 'after']);
    const letter = await lastDeadLetter('failing_spec');
    expect(letter.header.get(DeadLetterHeaders.reason)).toBe('handler failed 3 times: the handler cannot take this one');
    expect(letter.header.get(DeadLetterHeaders.deliveries)).toBe('3');
    await consumer.delete();
  });

  it('dead-letters at once an event the handler calls unprocessable, without retrying it', async () => {
    const handled: string[] = [];
    let refusals = 0;
    const project = newProject();
    const start = await rename(project, 'before');
    await rename(project, 'refused');
    await rename(project, 'after');
    const consumer = await consumerFor(
      'unprocessable_spec',
      async (events) => {
        for (const event of events) {
          if ((event.data as { name: string }).name === 'refused') {
            refusals += 1;
            throw new UnprocessableEvent('the domain refuses this one');
          }
        }
        handled.push(...events.map((event) => (event.data as { name: string }).name));
      },
      { maxDeliver: 5, backoffMs: [60_000], resumePosition: async () => start - 1 },
    );

    consumer.start();
    await waitUntil('the event after the refused one is handled', async () => handled.includes('after'));
    await consumer.stop();

    expect(handled).toEqual(['before', 'after']);
    // Seen in its batch, then alone to single it out: never redelivered (a 60 s backoff would show).
    expect(refusals).toBe(2);
    const letter = await lastDeadLetter('unprocessable_spec');
    expect(letter.header.get(DeadLetterHeaders.reason)).toBe('handler refused it: the domain refuses this one');
    expect(letter.header.get(DeadLetterHeaders.deliveries)).toBe('1');
    await consumer.delete();
  });

  it('waits for a dependency that does not answer, however many tries that takes, then handles the same events once and in order, dead-lettering nothing', async () => {
    const handled: string[] = [];
    let tries = 0;
    const project = newProject();
    const start = await rename(project, 'first');
    await rename(project, 'second');
    // What a reactor's command needs: a service on NATS, which nobody answers yet (503, no responders).
    const dependency = `outage_spec.${project.id}`;
    const consumer = await consumerFor(
      'outage_spec',
      async (events) => {
        tries += 1;
        await nc.request(dependency, Empty, { timeout: 1_000 });
        handled.push(...events.map((event) => (event.data as { name: string }).name));
      },
      { maxDeliver: 2, backoffMs: [20], outageBackoffMs: [20, 50], resumePosition: async () => start - 1 },
    );

    consumer.start();
    await waitUntil('the events are tried well past maxDeliver', async () => tries >= 6);
    expect(consumer.isPaused).toBe(true);
    const answering = nc.subscribe(dependency, { callback: (_error, message) => message.respond(Empty) });
    await waitUntil('both events are handled', async () => handled.length >= 2);
    await consumer.stop();
    answering.unsubscribe();

    expect(handled).toEqual(['first', 'second']);
    expect(consumer.isPaused).toBe(false);
    expect(await deadLetterCount(await nc.jetstreamManager(), 'outage_spec')).toBe(0);
    await consumer.delete();
  });

  it('counts toward dead-lettering only the handler’s own failures, not the tries an outage took', async () => {
    let tries = 0;
    const project = newProject();
    const start = await rename(project, 'broken');
    const consumer = await consumerFor(
      'outage_then_poison_spec',
      async () => {
        tries += 1;
        if (tries <= 4) throw new NatsError('TIMEOUT', ErrorCode.Timeout);
        throw new Error('the handler cannot take this one');
      },
      { maxDeliver: 2, backoffMs: [20], outageBackoffMs: [20], resumePosition: async () => start - 1 },
    );

    consumer.start();
    await waitUntil('the event is dead-lettered', async () => (await deadLetterCount(await nc.jetstreamManager(), 'outage_then_poison_spec')) === 1);
    await consumer.stop();

    expect(tries).toBe(6);
    const letter = await lastDeadLetter('outage_then_poison_spec');
    expect(letter.header.get(DeadLetterHeaders.reason)).toBe('handler failed 2 times: the handler cannot take this one');
    // What the server counted: every try, the four during the outage included
    expect(letter.header.get(DeadLetterHeaders.deliveries)).toBe('6');
    await consumer.delete();
  });

  it('tells whether everything of its categories up to a position is settled', async () => {
    const consumer = await consumerFor('settled_spec', async () => undefined);
    const mine = await rename(newProject(), 'mine');
    const elsewhere = await createLab(`l${Date.now()}`);

    expect(await consumer.hasSettledThrough(mine)).toBe(false);
    await consumer.processAvailable();
    expect(await consumer.hasSettledThrough(mine)).toBe(true);
    expect(await consumer.hasSettledThrough(elsewhere)).toBe(true);
    await consumer.delete();
  });

  it('answers many reads asking at once, each for its own position', async () => {
    const consumer = await consumerFor('settled_at_once_spec', async () => undefined);
    await consumer.processAvailable();
    const before = await createLab(`l${Date.now()}-a`);
    const mine = await rename(newProject(), 'mine');
    const after = await createLab(`l${Date.now()}-b`);
    const beyondTheHead = after + 1_000;

    const answers = await Promise.all([before, mine, after, beyondTheHead, before, mine].map((position) => consumer.hasSettledThrough(position)));

    expect(answers).toEqual([true, false, false, false, true, false]);
    await consumer.delete();
  });
});

describe('DurableEventConsumer run by several replicas', () => {
  it('lets one client at a time receive (the pinned one), so every event is handled once and in order', async () => {
    const project = newProject();
    const start = await rename(project, 'e0');
    const handledBy: Array<{ replica: number; name: string }> = [];
    const replicas = await Promise.all(
      [1, 2].map((replica) =>
        consumerFor(
          'replicas_spec',
          async (events) => {
            for (const event of events) handledBy.push({ replica, name: (event.data as { name: string }).name });
          },
          { resumePosition: async () => start - 1, batchSize: 3 },
        ),
      ),
    );
    replicas.forEach((replica) => replica.start());
    for (let index = 1; index < 12; index++) await rename(project, `e${index}`);

    await waitUntil('all twelve events are handled', async () => handledBy.length >= 12);
    await Promise.all(replicas.map((replica) => replica.stop()));

    expect(handledBy.map((entry) => entry.name)).toEqual(Array.from({ length: 12 }, (_, index) => `e${index}`));
    expect(new Set(handledBy.map((entry) => entry.replica)).size).toBe(1);
    await replicas[0].delete();
  });

  it('a client that becomes active behind messages a previous client left unacknowledged starts over from the checkpoint', async () => {
    const project = newProject();
    const start = await rename(project, 'e0');
    const { replica, handled, errors } = await replicaWithShortPin('left_behind_spec', start);
    // A previous client takes one message (a process that froze, or died before its ack wait ran out).
    expect((await previousClientTakes('left_behind_spec', 1)).map((message) => message.seq)).toEqual([start]);
    for (let index = 1; index < 4; index++) await rename(project, `e${index}`);

    replica.start();
    await waitUntil('the replica has handled all four', async () => handled.length >= 4);
    await replica.stop();

    expect(errors).toContainEqual(expect.stringMatching(/1 messages left unacknowledged by a previous client; restarting from the checkpoint/));
    expect(handled).toEqual(['e0', 'e1', 'e2', 'e3']);
    await replica.delete();
  });

  it('tells a handler still at work when its pin may run out to stop, and gives its batch back whole', async () => {
    const project = newProject();
    const start = await rename(project, 'slow-0');
    await rename(project, 'slow-1');
    const signals: Array<AbortSignal | undefined> = [];
    const handled: string[] = [];
    const consumer = await consumerFor(
      'lease_spec',
      async (events, signal) => {
        signals.push(signal);
        if (signals.length === 1) {
          // Stuck until told that another client may be receiving by now.
          await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
          throw new Error('stopped writing');
        }
        handled.push(...events.map((event) => (event.data as { name: string }).name));
      },
      { resumePosition: async () => start - 1, pinnedTtlMs: 1_000, longPollMs: 300 },
    );

    consumer.start();
    await waitUntil('the batch is handled on its second delivery', async () => handled.length >= 2);
    await consumer.stop();

    expect(signals[0]?.aborted).toBe(true);
    expect(handled).toEqual(['slow-0', 'slow-1']);
    await consumer.delete();
  });

  it('a standby finding a whole batch left unacknowledged by a client that no longer holds the pin starts over from the checkpoint', async () => {
    const project = newProject();
    const start = await rename(project, 'b0');
    for (let index = 1; index < 3; index++) await rename(project, `b${index}`);
    const { replica, handled, errors } = await replicaWithShortPin('abandoned_spec', start);
    // A whole batch (the consumer's max_ack_pending): nothing else can be handed out.
    expect(await previousClientTakes('abandoned_spec', 3)).toHaveLength(3);

    replica.start();
    await waitUntil('the replica has handled all three', async () => handled.length >= 3);
    await replica.stop();

    expect(errors).toContainEqual(expect.stringMatching(/3 messages left unacknowledged by a previous client that no longer holds the pin/));
    expect(handled).toEqual(['b0', 'b1', 'b2']);
    await replica.delete();
  });

  it('without a checkpoint of its owner (a reactor), starts over where its acknowledgements had got to, not at the beginning', async () => {
    const handled: number[] = [];
    const errors: string[] = [];
    const options = { batchSize: 3, ackWaitMs: 30_000, pinnedTtlMs: 1_000, longPollMs: 300, onError: (error: Error) => errors.push(error.message) };
    const record = async (events: CairnEvent[]) => void handled.push(...events.map((event) => event.position));
    for (let index = 0; index < 4; index++) await rename(newProject(), `acknowledged-${index}`);
    const earlier = await consumerFor('no_checkpoint_spec', record, options);
    await earlier.processAvailable();
    await earlier.stop();
    const acknowledged = handled.length;
    const project = newProject();
    const left = await rename(project, 'n0');
    expect((await previousClientTakes('no_checkpoint_spec', 1)).map((message) => message.seq)).toEqual([left]);
    const later = [await rename(project, 'n1'), await rename(project, 'n2')];

    const replica = await consumerFor('no_checkpoint_spec', record, options);
    replica.start();
    await waitUntil('the replica has handled the renames', async () => handled.includes(later[1]));
    await replica.stop();

    expect(errors).toContainEqual(expect.stringMatching(/left unacknowledged by a previous client/));
    expect(handled.slice(acknowledged)).toEqual([left, ...later]);
    expect(new Set(handled).size).toBe(handled.length);
    await replica.delete();
  });
});
