import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats';
import { cancelSubjectOf, runnerRequestPattern, runnerSubjectOf } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { DEFAULT_EVENTS_STREAM } from './consumer-provisioning';
import { SERVICE_CONTEXTS, SERVICE_DURABLES, type NatsIdentity } from './nats-identities';

jest.setTimeout(30_000);

const PROJECTS: NatsIdentity = { kind: 'service', context: 'projects' };
const ACCESS: NatsIdentity = { kind: 'service', context: 'access' };
const SUBSCRIBER: NatsIdentity = { kind: 'subscriber', name: 'billing' };
const RUNNER: NatsIdentity = { kind: 'runner', id: 'runner-1' };
const CLI: NatsIdentity = { kind: 'cli' };

const grant = (projectId: string) => ({ type: 'access.role.granted.v1', data: { projectId, user: 'u-mallory', role: 'owner', actor: 'u-mallory' } });
const permissionsViolation = (what: 'Publish' | 'Subscription', subject: string) =>
  new RegExp(`Permissions Violation for ${what} to "${subject.replace(/[.$*>]/g, (c) => `\\${c}`)}`);

/** Everything a subscription receives until the server ends it (a refused subscription ends with the refusal). */
async function drain(nc: NatsConnection, subject: string): Promise<void> {
  for await (const _message of nc.subscribe(subject)) {
    // nothing arrives: the server refuses the subscription
  }
}

/**
 * Least privilege on a real nats-server over TLS (a CA made with openssl for this server): every process
 * has its own NKEY, and the server itself refuses what an identity may not do, with a permissions violation.
 */
describe('NATS identities, each with only its own permissions', () => {
  let nats: NatsServerHandle;
  const connections: NatsConnection[] = [];
  const as = async (identity: NatsIdentity) => {
    const nc = await connect(nats.connectionOptions(identity));
    connections.push(nc);
    return nc;
  };
  let access: JetStreamEventStore;

  beforeAll(async () => {
    nats = await startNatsServer({ tls: true });
    await nats.register(SUBSCRIBER);
    await nats.register(RUNNER);
    access = await JetStreamEventStore.connect({ nc: await as(ACCESS) });
    await access.append({ context: 'access', aggregate: 'project', id: 'p1' }, [grant('p1')], 'no-stream');
  });
  afterAll(async () => {
    for (const nc of connections) await nc.close();
    await nats?.stop();
  });

  it('admits no connection without credentials of its own', async () => {
    await expect(connect({ servers: nats.url, tls: { caFile: nats.caFile! } })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('admits no connection that does not check the server against the CA', async () => {
    await expect(connect({ ...nats.connectionOptions(ACCESS), tls: {} })).rejects.toThrow(/certificate/i);
  });

  it('refuses the projects service an access event (a role grant), and stores nothing', async () => {
    const projects = await JetStreamEventStore.connect({ nc: await as(PROJECTS) });
    const before = await access.readStream({ context: 'access', aggregate: 'project', id: 'p1' });

    await expect(projects.append({ context: 'access', aggregate: 'project', id: 'p1' }, [grant('p1')], 'any')).rejects.toThrow(
      permissionsViolation('Publish', 'cairn.events.access.project.p1'),
    );
    expect(await access.readStream({ context: 'access', aggregate: 'project', id: 'p1' })).toEqual(before);
    // Its own context it may append to.
    await projects.append({ context: 'projects', aggregate: 'project', id: 'p1' }, [{ type: 'projects.project.updated.v1', data: { projectId: 'p1', name: 'x', actor: 'u-a' } }], 'any');
  });

  it("refuses a service another service's durable consumer and a subscriber's (reading, using, creating over or deleting it), while its own still works", async () => {
    const accessDurable = 'access-project-initialization';
    expect(SERVICE_DURABLES.access).toContain(accessDurable);
    // The access service's own durable, as its reactor creates it; and the subscriber's.
    const byAccess = await (await as(ACCESS)).jetstreamManager();
    await byAccess.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: accessDurable, ack_policy: AckPolicy.Explicit, filter_subjects: ['cairn.events.projects.project.>', 'cairn.events.access.project.>'] });
    expect((await byAccess.consumers.info(DEFAULT_EVENTS_STREAM, accessDurable)).name).toBe(accessDurable);
    const bySubscriber = await (await as(SUBSCRIBER)).jetstreamManager();
    await bySubscriber.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: 'billing', ack_policy: AckPolicy.Explicit, filter_subject: 'cairn.events.>' }).catch(() => undefined);

    const projects = await as(PROJECTS);
    const jsm = await projects.jetstreamManager();
    for (const durable of [accessDurable, 'billing']) {
      await expect(jsm.consumers.info(DEFAULT_EVENTS_STREAM, durable)).rejects.toThrow(permissionsViolation('Publish', `$JS.API.CONSUMER.INFO.${DEFAULT_EVENTS_STREAM}.${durable}`));
      await expect(jsm.consumers.delete(DEFAULT_EVENTS_STREAM, durable)).rejects.toThrow(permissionsViolation('Publish', `$JS.API.CONSUMER.DELETE.${DEFAULT_EVENTS_STREAM}.${durable}`));
      await expect(jsm.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subjects: ['cairn.events.projects.>', 'cairn.events.jobs.>'] })).rejects.toThrow(
        permissionsViolation('Publish', `$JS.API.CONSUMER.DURABLE.CREATE.${DEFAULT_EVENTS_STREAM}.${durable}`),
      );
      await expect(jsm.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: 'cairn.events.projects.>' })).rejects.toThrow(
        permissionsViolation('Publish', `$JS.API.CONSUMER.CREATE.${DEFAULT_EVENTS_STREAM}.${durable}`),
      );
      await expect(projects.request(`$JS.API.CONSUMER.MSG.NEXT.${DEFAULT_EVENTS_STREAM}.${durable}`, JSON.stringify({ batch: 1 }), { timeout: 2_000 })).rejects.toThrow(
        permissionsViolation('Publish', `$JS.API.CONSUMER.MSG.NEXT.${DEFAULT_EVENTS_STREAM}.${durable}`),
      );
    }
    expect((await byAccess.consumers.info(DEFAULT_EVENTS_STREAM, accessDurable)).config.filter_subjects).toEqual(['cairn.events.projects.project.>', 'cairn.events.access.project.>']);

    // Its own: created, read, used and deleted.
    const own = SERVICE_DURABLES.projects[0];
    await jsm.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: own, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subjects: ['cairn.events.access.>', 'cairn.events.projects.>'] });
    const first = await (await projects.jetstream().consumers.get(DEFAULT_EVENTS_STREAM, own)).next({ expires: 2_000 });
    expect(first?.json<{ type: string }>().type).toBe('access.role.granted.v1');
    first?.ack();
    await jsm.consumers.delete(DEFAULT_EVENTS_STREAM, own);
  });

  it("refuses every service, subscriber and the cli the unnamed consumer create (by which a service could update another's durable), while every service's own ordered reads and the cli's still work", async () => {
    const accessDurable = 'access_audit';
    expect(SERVICE_DURABLES.access).toContain(accessDurable);
    const filter = ['cairn.events.access.project.>', 'cairn.events.access.lab.>'];
    const byAccess = await (await as(ACCESS)).jetstreamManager();
    await byAccess.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: accessDurable, ack_policy: AckPolicy.Explicit, filter_subjects: filter });

    // The legacy subject names no consumer: its body says which one to create or update.
    const unnamedCreate = `$JS.API.CONSUMER.CREATE.${DEFAULT_EVENTS_STREAM}`;
    const update = { stream_name: DEFAULT_EVENTS_STREAM, action: '', config: { name: accessDurable, ack_policy: AckPolicy.Explicit, filter_subjects: ['cairn.events.projects.>', 'cairn.events.jobs.>'] } };
    for (const identity of [PROJECTS, SUBSCRIBER, CLI]) {
      await expect((await as(identity)).request(unnamedCreate, JSON.stringify(update), { timeout: 2_000 })).rejects.toThrow(permissionsViolation('Publish', unnamedCreate));
    }
    expect((await byAccess.consumers.info(DEFAULT_EVENTS_STREAM, accessDurable)).config.filter_subjects).toEqual(filter);

    // Ordered reads of several categories (several filter subjects), as projections and rebuilds make them.
    const categories = ['access_project', 'projects_project'];
    for (const identity of [...SERVICE_CONTEXTS.map((context): NatsIdentity => ({ kind: 'service', context })), CLI]) {
      const store = await JetStreamEventStore.connect({ nc: await as(identity) });
      const read: string[] = [];
      for await (const event of store.readAll({ categories })) read.push(event.type);
      expect(read).toContain('access.role.granted.v1');
      const followed: string[] = [];
      let caughtUp!: () => void;
      const live = new Promise<void>((resolve) => (caughtUp = resolve));
      const subscription = await store.subscribe({ categories, onEvent: (event) => void followed.push(event.type), onCaughtUp: () => caughtUp() });
      await live;
      await subscription.close();
      expect(followed).toEqual(read);
    }
  });

  it('refuses a subscriber publishing an event, purging, deleting or changing the stream, and reading runner subjects; its durable consumer still replays from the start', async () => {
    const nc = await as(SUBSCRIBER);
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(DEFAULT_EVENTS_STREAM, { durable_name: 'billing', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: 'cairn.events.>' });
    const replay = async () => {
      const consumer = await nc.jetstream().consumers.get(DEFAULT_EVENTS_STREAM, 'billing');
      const first = await consumer.next({ expires: 2_000 });
      // Handed back at once: the next pull delivers it again, as the first of the stream.
      first?.nak();
      return first?.json<{ type: string }>().type;
    };
    expect(await replay()).toBe('access.role.granted.v1');

    await expect(nc.jetstream().publish('cairn.events.access.project.p1', JSON.stringify(grant('p1')))).rejects.toThrow(
      permissionsViolation('Publish', 'cairn.events.access.project.p1'),
    );
    await expect(jsm.streams.purge(DEFAULT_EVENTS_STREAM)).rejects.toThrow(permissionsViolation('Publish', `$JS.API.STREAM.PURGE.${DEFAULT_EVENTS_STREAM}`));
    await expect(jsm.streams.delete(DEFAULT_EVENTS_STREAM)).rejects.toThrow(permissionsViolation('Publish', `$JS.API.STREAM.DELETE.${DEFAULT_EVENTS_STREAM}`));
    await expect(jsm.streams.update(DEFAULT_EVENTS_STREAM, { max_age: 1 })).rejects.toThrow(permissionsViolation('Publish', `$JS.API.STREAM.UPDATE.${DEFAULT_EVENTS_STREAM}`));
    await expect(jsm.consumers.delete(DEFAULT_EVENTS_STREAM, 'access-project-initialization')).rejects.toThrow(permissionsViolation('Publish', '$JS.API.CONSUMER.DELETE'));
    await expect(drain(nc, runnerRequestPattern('claim'))).rejects.toThrow(permissionsViolation('Subscription', runnerRequestPattern('claim')));

    // A redelivery from the start of the stream: the refusals changed nothing.
    expect(await replay()).toBe('access.role.granted.v1');
  });

  it('refuses a runner publishing an event, speaking as another runner, reading the protocol requests of runners (their tokens) and another runner\'s cancel subject', async () => {
    const nc = await as(RUNNER);

    await expect(nc.jetstream().publish('cairn.events.jobs.job.j1', '{}')).rejects.toThrow(permissionsViolation('Publish', 'cairn.events.jobs.job.j1'));
    await expect(nc.request(runnerSubjectOf('runner-2', 'claim'), '{}')).rejects.toThrow(permissionsViolation('Publish', runnerSubjectOf('runner-2', 'claim')));
    await expect(drain(nc, runnerRequestPattern('claim'))).rejects.toThrow(permissionsViolation('Subscription', runnerRequestPattern('claim')));
    await expect(drain(nc, cancelSubjectOf('runner-2'))).rejects.toThrow(permissionsViolation('Subscription', cancelSubjectOf('runner-2')));
    await expect(drain(nc, '_INBOX_service-jobs.>')).rejects.toThrow(permissionsViolation('Subscription', '_INBOX_service-jobs.>'));
  });
});
