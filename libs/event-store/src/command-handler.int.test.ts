import { EventValidationError, type Decider, type DomainEvent, type LabMemberAddedData, type TemplateRegisteredData } from '@cairn/contracts';
import { metricValue, withCorrelation } from '@cairn/telemetry';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { commandHandler, loadAggregate } from './command-handler';
import { newEntityId, withIdempotencyKey } from './idempotent-commits';
import { JetStreamEventStore } from './jetstream/jetstream-event-store';
import { WrongExpectedVersionError, type EventStore } from './port';

type LabCreated = DomainEvent<'access.lab.created.v1', { lab: string; name: string; slug: string; actor: string }>;
type MemberAdded = DomainEvent<'access.lab.member-added.v1', LabMemberAddedData>;
type LabEvent = LabCreated | MemberAdded;

/** A decider whose output the test controls; it counts the events it has seen, and notes each state it decided on. */
function echo() {
  const decidedOn: number[] = [];
  const decider: Decider<LabEvent[], number, LabEvent> = {
    initialState: () => 0,
    decide: (events, count) => {
      decidedOn.push(count);
      return events;
    },
    evolve: (count) => count + 1,
  };
  return { decider, decidedOn };
}

const labStream = (lab: string) => ({ context: 'access', aggregate: 'lab', id: lab });
const created = (lab: string): LabCreated => ({ type: 'access.lab.created.v1', data: { lab, name: 'Optics', slug: lab, actor: 'u-a' } });
const memberAdded = (lab: string, userId: string): MemberAdded => ({
  type: 'access.lab.member-added.v1',
  data: { lab, userId, username: userId, displayName: userId, admin: false, actor: 'u-a' },
});

/**
 * The real store, with another writer that appends to the same stream just before each of the first
 * `races` appends of the handler: the race an optimistic append exists for, made to happen every time.
 */
function withRivalWriter(store: EventStore, lab: string, races: number): EventStore {
  let left = races;
  let rivals = 0;
  return Object.assign(Object.create(store) as EventStore, {
    append: async (...args: Parameters<EventStore['append']>) => {
      if (left-- > 0) await store.append(labStream(lab), [memberAdded(lab, `u-rival-${++rivals}`)], 'any');
      return store.append(...args);
    },
  });
}

describe('commandHandler', () => {
  let nats: NatsServerHandle;
  let store: JetStreamEventStore;
  let labs = 0;
  /** A lab created for one test, so tests share no stream. */
  const newLab = async () => {
    const lab = `lab-${++labs}`;
    await store.append(labStream(lab), [created(lab)], 'no-stream');
    return lab;
  };
  const typesIn = async (lab: string) => (await store.readStream(labStream(lab))).map((event) => [event.type, event.actorid]);

  beforeAll(async () => {
    nats = await startNatsServer();
    store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  });
  afterAll(async () => {
    await store?.close();
    await nats?.stop();
  });

  it('appends what the decider decided, for the actor, and returns the position and the new state', async () => {
    const { decider } = echo();
    const outcome = await commandHandler(store, decider, labStream)('optics', [created('optics')], { actor: 'u-a' });
    expect(outcome).toMatchObject({ state: 1, version: 0 });
    expect(await typesIn('optics')).toEqual([['access.lab.created.v1', 'u-a']]);
  });

  describe('in a request with an Idempotency-Key', () => {
    const firstTriedAt = Date.now();
    /** A decider that creates the lab once and refuses a second create, as the real one does. */
    const createOnce: Decider<LabEvent[], number, LabEvent> = {
      initialState: () => 0,
      decide: (events, count) => {
        if (count > 0) throw new Error('lab already exists');
        return events;
      },
      evolve: (count) => count + 1,
    };

    it('answers a retry whose first try was stored (its answer lost with a leader) with that try’s outcome, deciding and appending nothing again', async () => {
      const handle = commandHandler(store, createOnce, labStream);
      const first = await withIdempotencyKey('u-a:key-1', firstTriedAt, () => handle('retried', [created('retried'), memberAdded('retried', 'u-b')], { actor: 'u-a' }));
      const retry = await withIdempotencyKey('u-a:key-1', firstTriedAt, () => handle('retried', [created('retried'), memberAdded('retried', 'u-b')], { actor: 'u-a' }));
      expect(retry).toEqual(first);
      expect(retry.events.map((event) => event.type)).toEqual(['access.lab.created.v1', 'access.lab.member-added.v1']);
      expect(await typesIn('retried')).toHaveLength(2);
    });

    it('decides again for another key, and for the second commit of one request to the same stream', async () => {
      const lab = await newLab();
      const handle = commandHandler(store, echo().decider, labStream);
      await withIdempotencyKey('u-a:key-2', firstTriedAt, async () => {
        await handle(lab, [memberAdded(lab, 'u-b')], {});
        await handle(lab, [memberAdded(lab, 'u-c')], {});
      });
      await withIdempotencyKey('u-a:key-3', firstTriedAt, () => handle(lab, [memberAdded(lab, 'u-d')], {}));
      expect(await typesIn(lab)).toHaveLength(4);
    });

    it('creates a new entity under the same id in a retry, so the retry of a stored but unanswered create finds that create instead of making a twin', async () => {
      const handle = commandHandler(store, createOnce, labStream);
      const createNewLab = () => {
        const lab = `lab-${newEntityId()}`;
        return handle(lab, [created(lab)], { actor: 'u-a' });
      };
      const first = await withIdempotencyKey('u-a:key-4', firstTriedAt, createNewLab);
      const retry = await withIdempotencyKey('u-a:key-4', firstTriedAt, createNewLab);
      expect(retry).toEqual(first);
      expect(await typesIn(first.events[0].data.lab)).toHaveLength(1);

      const ids = withIdempotencyKey('u-a:key-5', firstTriedAt, () => [newEntityId(), newEntityId()]);
      expect(new Set([...ids, withIdempotencyKey('u-a:key-6', firstTriedAt, newEntityId), newEntityId(), newEntityId()]).size).toBe(5);
    });
  });

  it('refuses to publish an event its schema rejects, and appends nothing', async () => {
    const lab = await newLab();
    const malformed = { type: 'access.lab.created.v1', data: { lab, name: '', slug: 'Not A Slug', actor: 'u-a' } } as LabCreated;
    await expect(commandHandler(store, echo().decider, labStream)(lab, [malformed], {})).rejects.toBeInstanceOf(EventValidationError);
    expect(await store.readStream(labStream(lab))).toHaveLength(1);
  });

  describe('without an expected version', () => {
    it('when another writer appends first, loads the stream again, decides on what it holds now, and appends', async () => {
      const lab = await newLab();
      const { decider, decidedOn } = echo();
      const outcome = await commandHandler(withRivalWriter(store, lab, 1), decider, labStream)(lab, [memberAdded(lab, 'u-b')], { actor: 'u-a' });
      expect(decidedOn).toEqual([1, 2]);
      expect(outcome).toMatchObject({ state: 3, version: 2 });
      expect((await store.readStream(labStream(lab))).map((event) => (event.data as { userId?: string }).userId)).toEqual([
        undefined,
        'u-rival-1',
        'u-b',
      ]);
    });

    it('gives up with the conflict after three lost races, having appended nothing of its own', async () => {
      const lab = await newLab();
      const { decider, decidedOn } = echo();
      const handle = commandHandler(withRivalWriter(store, lab, 3), decider, labStream);
      await expect(handle(lab, [memberAdded(lab, 'u-b')], { actor: 'u-a' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(decidedOn).toEqual([1, 2, 3]);
      expect(await store.readStream(labStream(lab))).toHaveLength(4);
    });
  });

  describe('with an expected version', () => {
    it('appends when the stream is at that version', async () => {
      const lab = await newLab();
      const outcome = await commandHandler(store, echo().decider, labStream)(lab, [memberAdded(lab, 'u-b')], { actor: 'u-a', expectedVersion: 0 });
      expect(outcome).toMatchObject({ version: 1, state: 2 });
    });

    it('when another writer appends between its load and its append, is not retried: the conflict names the version the stream is at', async () => {
      const lab = await newLab();
      const { decider, decidedOn } = echo();
      const handle = commandHandler(withRivalWriter(store, lab, 1), decider, labStream);
      const refusal = await handle(lab, [memberAdded(lab, 'u-b')], { actor: 'u-a', expectedVersion: 0 }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WrongExpectedVersionError);
      expect(refusal).toMatchObject({ expected: 0, actual: 1 });
      expect(decidedOn).toEqual([1]);
      expect(await typesIn(lab)).toEqual([
        ['access.lab.created.v1', undefined],
        ['access.lab.member-added.v1', undefined],
      ]);
    });

    it('when the stream has already moved past it, refuses before deciding', async () => {
      const lab = await newLab();
      await store.append(labStream(lab), [memberAdded(lab, 'u-c')], 0);
      const { decider, decidedOn } = echo();
      const refusal = await commandHandler(store, decider, labStream)(lab, [memberAdded(lab, 'u-b')], { expectedVersion: 0 }).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ expected: 0, actual: 1 });
      expect(decidedOn).toEqual([]);
    });

    it('of a stream that does not exist, refuses with "no-stream" as the version it is at', async () => {
      const refusal = await commandHandler(store, echo().decider, labStream)('nowhere', [created('nowhere')], { expectedVersion: 3 }).catch(
        (error: unknown) => error,
      );
      expect(refusal).toMatchObject({ expected: 3, actual: 'no-stream' });
    });
  });

  describe('what it records', () => {
    it('gives the events the correlation of the request or event in hand, unless the options name their own', async () => {
      const lab = await newLab();
      const handle = commandHandler(store, echo().decider, labStream);
      await withCorrelation({ correlationid: 'request-1', causationid: 'request-1' }, () => handle(lab, [memberAdded(lab, 'u-b')], {}));
      await withCorrelation({ correlationid: 'request-1', causationid: 'request-1' }, () =>
        handle(lab, [memberAdded(lab, 'u-c')], { correlationid: 'request-2', causationid: 'event-9' }),
      );
      await handle(lab, [memberAdded(lab, 'u-d')], {});
      const [, inHand, named, none] = await store.readStream(labStream(lab));
      expect(inHand).toMatchObject({ correlationid: 'request-1', causationid: 'request-1' });
      expect(named).toMatchObject({ correlationid: 'request-2', causationid: 'event-9' });
      expect(none.correlationid).toBeUndefined();
      expect(none.causationid).toBeUndefined();
    });

    it('counts each command by type and outcome, each commit, and each race lost to another writer', async () => {
      const before = {
        accepted: await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'accepted' }),
        conflict: await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'conflict' }),
        unchanged: await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'unchanged' }),
        appends: await metricValue('cairn_appends_total', { category: 'access_lab' }),
        conflicts: await metricValue('cairn_append_conflicts_total', { category: 'access_lab' }),
      };
      const lab = await newLab();
      await commandHandler(withRivalWriter(store, lab, 1), echo().decider, labStream)(lab, [memberAdded(lab, 'u-b')], {});
      await commandHandler(store, echo().decider, labStream)(lab, [], {});
      await commandHandler(withRivalWriter(store, lab, 3), echo().decider, labStream)(lab, [memberAdded(lab, 'u-c')], {}).catch(() => undefined);

      expect(await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'accepted' })).toBe(before.accepted + 1);
      expect(await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'unchanged' })).toBe(before.unchanged + 1);
      expect(await metricValue('cairn_commands_total', { command: 'access_lab command', outcome: 'conflict' })).toBe(before.conflict + 1);
      // The handler's own commits; the rival writer appends to the store directly.
      expect(await metricValue('cairn_appends_total', { category: 'access_lab' })).toBe(before.appends + 1);
      expect(await metricValue('cairn_append_conflicts_total', { category: 'access_lab' })).toBe(before.conflicts + 1 + 3);
    });
  });

  describe('loadAggregate', () => {
    it('folds the events of the stream at the newest version of their type, as consumers see them: a template registered as v2 loads as v3', async () => {
      type TemplateRegistered = DomainEvent<'jobs.template.registered.v3', TemplateRegisteredData>;
      const folded: Decider<never, TemplateRegistered[], TemplateRegistered> = {
        initialState: () => [],
        decide: () => [],
        evolve: (events, { type, data }) => [...events, { type, data }],
      };
      const template = { templateId: 't-upcast', name: 'Upcast', version: '1.0.0', description: '', parameters: {}, inputTypes: ['*'], machineTypes: ['cpu/standard'], command: ['true'], timeLimitSeconds: 60, sandbox: { network: true }, actor: 'u-a' };
      const stream = { context: 'jobs', aggregate: 'template', id: 't-upcast' };
      await store.append(stream, [{ type: 'jobs.template.registered.v2', data: template }], 'no-stream');

      const loaded = await loadAggregate(store, stream, folded);

      expect(loaded.state).toEqual([{ type: 'jobs.template.registered.v3', data: { ...template, deterministic: false } }]);
      expect(loaded.version).toBe(0);
      // The store keeps the event as it was written.
      expect((await store.readStream(stream)).map((event) => event.type)).toEqual(['jobs.template.registered.v2']);
    });
  });
});
