import { ANY, NO_STREAM, START, STREAM_EXISTS, type RecordedEvent } from '@eventstore/db-client';
import { newEnvelope, type IdentifiedEvent } from '../envelope';
import {
  filterFor,
  isCairnEvent,
  readPositionAfter,
  toCairnEvent,
  toEventData,
  toExpectedRevision,
} from './esdb-mapping';

// No EventStoreDB server runs here: these pin down the mapping the adapter relies on, and its contract
// suite runs against a real server wherever CAIRN_ESDB_URL is set.

const project = { context: 'access', aggregate: 'project', id: 'p-1' };
const granted: IdentifiedEvent = {
  id: '0197f3c2-0000-7000-8000-000000000001',
  type: 'access.role.granted.v1',
  data: { user: 'ada', role: 'member' },
  actorid: 'grace',
  correlationid: 'request-7',
};
const time = '2025-01-01T00:00:00.000Z';

/** What the server hands back for an event it stored from `toEventData`. */
function recorded(overrides: Partial<Record<string, unknown>> = {}): RecordedEvent {
  const written = toEventData(project, granted, time);
  return {
    streamId: 'access_project-p-1',
    id: written.id,
    isJson: true,
    revision: 3n,
    type: written.type,
    created: new Date(time),
    data: written.data,
    metadata: written.metadata,
    position: { commit: 1234n, prepare: 1234n },
    ...overrides,
  } as RecordedEvent;
}

describe('EventStoreDB mapping', () => {
  it('always names the expected revision explicitly', () => {
    expect(toExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toExpectedRevision('any')).toBe(ANY);
    expect(toExpectedRevision('stream-exists')).toBe(STREAM_EXISTS);
    expect(toExpectedRevision(5)).toBe(5n);
  });

  it('writes the envelope id as event id and the other attributes as metadata', () => {
    const written = toEventData(project, granted, time);

    expect(written).toMatchObject({ id: granted.id, type: granted.type, data: granted.data });
    expect(written.metadata).toEqual({
      specversion: '1.0',
      source: 'cairn/access',
      subject: 'project/p-1',
      time,
      datacontenttype: 'application/json',
      actorid: 'grace',
      correlationid: 'request-7',
      $correlationId: 'request-7',
    });
  });

  it('reads back the same envelope the JetStream store would deliver, at its revision and commit position', () => {
    expect(toCairnEvent(recorded())).toEqual({ ...newEnvelope(project, granted, 3, time), position: 1234 });
  });

  it('tells Cairn events from system events and other writers', () => {
    expect(isCairnEvent(recorded())).toBe(true);
    expect(isCairnEvent(recorded({ streamId: '$settings' }))).toBe(false);
    expect(isCairnEvent(recorded({ type: '$metadata' }))).toBe(false);
    expect(isCairnEvent(recorded({ metadata: { origin: 'someone else' } }))).toBe(false);
  });

  it('continues after a position and filters categories by stream-name prefix', () => {
    expect(readPositionAfter(0)).toBe(START);
    expect(readPositionAfter(42)).toEqual({ commit: 42n, prepare: 42n });
    expect(filterFor(['access_project'])).toMatchObject({ filterOn: 'streamName', prefixes: ['access_project-'] });
    expect(filterFor(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });
});
