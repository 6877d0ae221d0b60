import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { HTTP, type CloudEvent } from 'cloudevents';
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from 'nats';
import { v7 as uuidv7 } from 'uuid';
import { ALL_EVENT_DEFINITIONS, readEventHeader, renderAsyncApiJson, type NewEvent } from '@cairn/contracts';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { newEnvelope, type StoredEnvelope } from '../envelope';
import { decodeConsumedEvent, subjectOf } from './codec';
import { directReader, sequenceOf } from './direct-get';
import { JetStreamEventStore } from './jetstream-event-store';

/**
 * What a facility system reads off the stream, checked with tools that know nothing of Cairn: the official
 * CloudEvents SDK and the published AsyncAPI document, read by the official AsyncAPI parser. The SDK has
 * no NATS binding; its HTTP one is the same rule the NATS binding states: `content-type:
 * application/cloudevents+json` means structured mode, `ce-*` attribute headers mean binary mode.
 */
let server: NatsServerHandle;
let store: JetStreamEventStore;
let nc: NatsConnection;
let asyncApi: Awaited<ReturnType<Parser['parse']>>['document'];
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

beforeAll(async () => {
  server = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: server.connectionOptions() });
  nc = await connect(server.connectionOptions());
  // The committed libs/contracts/asyncapi.json is this rendering (its own spec checks that).
  asyncApi = (await new Parser().parse(renderAsyncApiJson(ALL_EVENT_DEFINITIONS))).document;
});

afterAll(async () => {
  await nc?.close();
  await store?.close();
  await server?.stop();
});

const labCreated = (lab: string): NewEvent => ({
  id: uuidv7(),
  type: 'access.lab.created.v1',
  data: { lab, name: 'Optics lab', slug: 'optics', actor: 'ada' },
  actorid: 'ada',
  correlationid: 'request-1',
});

/** A message as Cairn stored it before the structured form: the same body, the attributes as `ce-*` headers. */
async function publishEarlierForm(envelope: StoredEnvelope): Promise<void> {
  const headers = natsHeaders();
  headers.set('Nats-Msg-Id', envelope.id);
  for (const attribute of ['id', 'type', 'source', 'subject', 'time', 'streamid', 'streamversion', 'actorid'] as const) {
    headers.set(`ce-${attribute}`, String(envelope[attribute]));
  }
  await nc.jetstream().publish(subjectOf({ context: 'access', aggregate: 'lab', id: envelope.subject.split('/')[1] }), new TextEncoder().encode(JSON.stringify(envelope)), { headers });
}

interface WireMessage {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  body: string;
}

/** The stream's messages as stored: headers and body, read straight off JetStream. */
async function messagesOfStream(lab: string): Promise<WireMessage[]> {
  const stored = await directReader(nc, store.streamName).readSubject(subjectOf({ context: 'access', aggregate: 'lab', id: lab }));
  return stored.map((message) => ({
    seq: sequenceOf(message),
    subject: message.headers!.get('Nats-Subject'),
    headers: headerRecord(message.headers),
    body: message.string(),
  }));
}

/** What a direct get adds to the stored message's headers, about where it was stored. */
const DIRECT_GET_HEADERS = new Set(['Nats-Stream', 'Nats-Subject', 'Nats-Sequence', 'Nats-Time-Stamp', 'Nats-Last-Sequence', 'Nats-Num-Pending']);

const headerRecord = (headers: MsgHdrs | undefined): Record<string, string> =>
  Object.fromEntries([...(headers?.keys() ?? [])].filter((name) => !DIRECT_GET_HEADERS.has(name)).map((name) => [name, headers!.get(name)]));

function messageSchemas(type: string) {
  const message = asyncApi!.messages().get(type) ?? asyncApi!.allMessages().all().find((candidate) => candidate.id() === type);
  if (!message) throw new Error(`the AsyncAPI document has no message ${type}`);
  return { headers: ajv.compile(message.headers()!.json()), payload: ajv.compile(message.payload()!.json()) };
}

describe('events on the wire', () => {
  it('are structured CloudEvents that the CloudEvents SDK decodes, whose headers and bodies the AsyncAPI messages accept', async () => {
    const lab = uuidv7();
    const events = [labCreated(lab)];
    await store.append({ context: 'access', aggregate: 'lab', id: lab }, events, 'no-stream');

    const [message] = await messagesOfStream(lab);
    expect(message.headers['content-type']).toBe('application/cloudevents+json');
    expect(Object.keys(message.headers).filter((name) => name.toLowerCase().startsWith('ce-'))).toEqual([]);

    const decoded = HTTP.toEvent({ headers: message.headers, body: message.body }) as CloudEvent<unknown>;
    expect(decoded.validate()).toBe(true);
    expect(decoded).toMatchObject({ specversion: '1.0', id: events[0].id, type: 'access.lab.created.v1', source: 'cairn/access', subject: `lab/${lab}` });
    expect(decoded.data).toEqual(events[0].data);
    expect(decoded.streamversion).toBe(0);
    expect(decoded.actorid).toBe('ada');

    const schemas = messageSchemas('access.lab.created.v1');
    expect({ valid: schemas.headers(message.headers), errors: schemas.headers.errors }).toEqual({ valid: true, errors: null });
    expect({ valid: schemas.payload(JSON.parse(message.body)), errors: schemas.payload.errors }).toEqual({ valid: true, errors: null });
    // What the document's payload forbids, the check refuses: the schemas are not vacuous.
    expect(schemas.payload({ ...JSON.parse(message.body), data: { lab } })).toBe(false);
    expect(schemas.headers({ ...message.headers, 'content-type': 'application/json' })).toBe(false);
  });

  it('of a stream stored before the structured form are read as before: the same body, the headers under their earlier names', async () => {
    const lab = uuidv7();
    const stream = { context: 'access', aggregate: 'lab', id: lab };
    const earlier = labCreated(lab);
    await publishEarlierForm(newEnvelope(stream, { ...earlier, id: earlier.id! }, 0, new Date().toISOString()));
    // A fresh store knows nothing of the stream: it finds the head (version 0) in the earlier form's header.
    const fresh = await JetStreamEventStore.connect({ connection: server.connectionOptions() });
    try {
      await fresh.append(stream, [labCreated(lab)], 0);
    } finally {
      await fresh.close();
    }

    const [old, current] = await messagesOfStream(lab);
    expect(old.headers['content-type']).toBeUndefined();
    expect(current.headers['content-type']).toBe('application/cloudevents+json');
    for (const [message, version] of [[old, 0], [current, 1]] as const) {
      const asNats = natsHeaders();
      for (const [name, value] of Object.entries(message.headers)) asNats.set(name, value);
      expect(readEventHeader(asNats, 'streamversion')).toBe(String(version));
      expect(decodeConsumedEvent(new TextEncoder().encode(message.body), message.seq, message.subject)).toMatchObject({ streamversion: version, position: message.seq });
    }
    expect((await store.readStream(stream)).map((event) => event.streamversion)).toEqual([0, 1]);
    // The earlier form's body is the same envelope: the document's payload accepts it too.
    expect(messageSchemas('access.lab.created.v1').payload(JSON.parse(old.body))).toBe(true);
    // Why the form changed: a binding reader took the earlier form for binary mode, the whole envelope for the data.
    expect((HTTP.toEvent({ headers: old.headers, body: old.body }) as CloudEvent<unknown>).data).toEqual(old.body);
  });
});
