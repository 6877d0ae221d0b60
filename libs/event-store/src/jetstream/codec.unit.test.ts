import { newEnvelope } from '../envelope';
import {
  categoryFilterSubjects,
  decodeConsumedEvent,
  decodeStoredEvent,
  encodeEvent,
  MisplacedEventError,
  subjectOf,
  UndecodableEventError,
} from './codec';

const project = { context: 'access', aggregate: 'project', id: '0197f3c2-1234-7abc_x' };
const granted = newEnvelope(
  project,
  { id: 'e-1', type: 'access.role.granted.v1', data: { user: 'ada', role: 'member' }, actorid: 'grace' },
  4,
  '2025-01-01T00:00:00.000Z',
);

describe('JetStream codec', () => {
  it('puts each aggregate on its own subject under the prefix', () => {
    expect(subjectOf(project)).toBe('cairn.events.access.project.0197f3c2-1234-7abc_x');
    expect(subjectOf(project, 'test.events')).toBe('test.events.access.project.0197f3c2-1234-7abc_x');
    expect(() => subjectOf({ ...project, id: 'a.b' })).toThrow(/may contain only/);
  });

  it('turns categories into filter subjects', () => {
    expect(categoryFilterSubjects(['access_project', 'jobs_job'])).toEqual([
      'cairn.events.access.project.>',
      'cairn.events.jobs.job.>',
    ]);
    expect(categoryFilterSubjects(['access_lab'], 'test.events')).toEqual(['test.events.access.lab.>']);
    expect(() => categoryFilterSubjects(['access'])).toThrow(/not a Cairn category/);
  });

  it('encodes an event as a structured CloudEvent on its aggregate subject, with the attributes as cairn-* headers', () => {
    const encoded = encodeEvent(granted);

    expect(encoded.subject).toBe('cairn.events.access.project.0197f3c2-1234-7abc_x');
    expect(JSON.parse(new TextDecoder().decode(encoded.data))).toEqual(granted);
    expect(Object.fromEntries([...encoded.headers.keys()].map((key) => [key, encoded.headers.get(key)]))).toEqual({
      'Nats-Msg-Id': 'e-1',
      'content-type': 'application/cloudevents+json',
      'cairn-id': 'e-1',
      'cairn-type': 'access.role.granted.v1',
      'cairn-source': 'cairn/access',
      'cairn-subject': 'project/0197f3c2-1234-7abc_x',
      'cairn-time': '2025-01-01T00:00:00.000Z',
      'cairn-streamid': 'access_project-0197f3c2-1234-7abc_x',
      'cairn-streamversion': '4',
      'cairn-actorid': 'grace',
    });
  });

  it('decodes a consumed message with its stream sequence as position', () => {
    const { data, subject } = encodeEvent(granted);
    expect(decodeConsumedEvent(data, 42, subject)).toEqual({ ...granted, position: 42 });
    expect(decodeConsumedEvent(encodeEvent(granted, 'test.events').data, 42, 'test.events.access.project.x')).toEqual({ ...granted, position: 42 });
  });

  it('refuses an event whose type names another context than the subject it came on, whoever stored it there', () => {
    const { data } = encodeEvent(granted);

    expect(() => decodeConsumedEvent(data, 9, 'cairn.events.projects.project.0197f3c2-1234-7abc_x')).toThrow(MisplacedEventError);
    expect(() => decodeConsumedEvent(data, 9, 'cairn.events.projects.project.p')).toThrow(
      'message 9 is not a Cairn event: its type access.role.granted.v1 names another context than its subject cairn.events.projects.project.p',
    );
    expect(() => decodeConsumedEvent(data, 9, 'cairn.events')).toThrow(MisplacedEventError);
  });

  it('refuses a body that is not a Cairn envelope', () => {
    const text = (body: string) => new TextEncoder().encode(body);

    expect(() => decodeStoredEvent(text('not json'), 7)).toThrow(UndecodableEventError);
    expect(() => decodeStoredEvent(text('{"id":"x"}'), 7)).toThrow(/message 7 is not a Cairn event/);
  });
});
