import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { connect, headers, StorageType, type Msg, type NatsConnection } from 'nats';
import { isStoreUnavailable, StoreUnavailableError } from '../unavailable';
import { directReader } from './direct-get';

/**
 * What the reader makes of the answers a JetStream cluster gives while it is being broken. The replicas
 * here are stand-ins on a real nats-server, answering the direct get subject the way a replica does up
 * to the point where a real one is cut off.
 */
describe('direct gets in a cluster under faults', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const requests: Msg[] = [];

  /** A replica that sends the first message of a page and is then cut off: no end-of-batch ever comes. */
  const replicaCutOffMidPage = (stream: string) =>
    nc.subscribe(`$JS.API.DIRECT.GET.${stream}`, {
      callback: (_error, request) => {
        requests.push(request);
        const stored = headers();
        stored.set('Nats-Sequence', '1');
        stored.set('Nats-Subject', 'cairn.events.access.lab.x');
        request.respond(new TextEncoder().encode('{}'), { headers: stored });
      },
    });

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect(server.connectionOptions());
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('takes a page that never ended for an unavailable store, not for a stream that ends there', async () => {
    replicaCutOffMidPage('HALF');
    await expect(directReader(nc, 'HALF').readSubject('cairn.events.access.lab.x')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('takes a stream nobody serves (no leader, no replica) for an unavailable store', async () => {
    const error = await directReader(nc, 'NOBODY').last('cairn.events.access.lab.x').catch((caught: unknown) => caught);
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('asks every replica for at least the last sequence this process has seen, so a lagging one hands the read to the leader', async () => {
    replicaCutOffMidPage('FLOOR');
    let seen = 0;
    const reader = directReader(nc, 'FLOOR', () => seen);
    await reader.readSubject('cairn.events.access.lab.x').catch(() => undefined);
    seen = 42;
    await reader.readSubject('cairn.events.access.lab.x').catch(() => undefined);
    const asked = requests.slice(-2).map((request) => request.json<{ min_last_seq?: number }>().min_last_seq);
    expect(asked).toEqual([undefined, 42]);
  });

  it('believes a replica that says "nothing on this subject" only once the leader agrees', async () => {
    // A stream the server itself serves no direct gets of: the stand-in answers them, the leader the rest.
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'BEHIND', subjects: ['behind.>'], storage: StorageType.File, allow_direct: false });
    await nc.jetstream().publish('behind.held', new Uint8Array());
    nc.subscribe('$JS.API.DIRECT.GET.BEHIND.>', { callback: (_error, request) => request.respond(new Uint8Array(), { headers: notFound() }) });
    nc.subscribe('$JS.API.DIRECT.GET.BEHIND', { callback: (_error, request) => request.respond(new Uint8Array(), { headers: notFound() }) });
    const reader = directReader(nc, 'BEHIND', () => 1);
    const unaware = directReader(nc, 'BEHIND', () => 0);

    await expect(reader.last('behind.held')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(reader.readSubject('behind.held')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await reader.last('behind.empty')).toBeUndefined();
    expect(await reader.readSubject('behind.empty')).toEqual([]);
    // A process that has seen nothing yet cannot tell a stale replica from a write it never heard of.
    expect(await unaware.readSubject('behind.held')).toEqual([]);
  });
});

/** A direct get's "no message" status line. */
function notFound() {
  return headers(404, 'Message Not Found');
}
