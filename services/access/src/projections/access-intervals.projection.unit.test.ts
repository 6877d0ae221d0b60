import type { AccessEvent, CairnEvent } from '@cairn/contracts';
import type { WriteIntent } from '@cairn/read-models';
import { changed, created, granted, history, LAB, minute, PROJECT, transferred } from '../domain/testing/project-access.fixtures';
import { accessIntervalsProjection, timelineOf, type ProjectTimelineDocument } from './access-intervals.projection';

/** How access events become the documents of `access_intervals`: few writes, and change points kept once. */

let position = 0;
function stored(event: AccessEvent, time = minute(0)): CairnEvent {
  position += 1;
  const aggregate = event.type.startsWith('access.lab.') ? 'lab' : 'project';
  return {
    specversion: '1.0',
    id: `event-${position}`,
    source: 'cairn/access',
    type: event.type,
    subject: `${aggregate}/x`,
    time,
    datacontenttype: 'application/json',
    data: event.data,
    streamid: `access_${aggregate}-${aggregate === 'lab' ? LAB : PROJECT}`,
    streamversion: position - 1,
    position,
  };
}

const joined = (user: string, at: number): CairnEvent =>
  stored({ type: 'access.lab.member-added.v1', data: { lab: LAB, userId: user, username: user, displayName: user, admin: false, actor: 'admin' } }, minute(at));

const projectEvents = history(
  created('facility', 'olivia', null),
  granted('olivia', 'manon', null, 'manager', minute(1), { reason: 'backup' }),
  changed('olivia', 'manon', 'manager', 'member', minute(2)),
  transferred('olivia', 'mehdi', null, 'manager', minute(3)),
).map((event) => stored(event, minute(9)));
const events = [joined('olivia', 0), ...projectEvents.slice(0, 2), joined('mehdi', 1), ...projectEvents.slice(2)];

/** The documents the intents build, each intent's JSON chunk appended in order. */
function documentsOf(batches: CairnEvent[][]) {
  const documents = new Map<string, Record<string, unknown> & { changes: string[] }>();
  for (const batch of batches) {
    for (const intent of accessIntervalsProjection.handle(batch) as Extract<WriteIntent, { kind: 'update' }>[]) {
      const document = documents.get(intent.id) ?? { changes: [] };
      const pushed = (intent.update.$push as { changes?: string } | undefined)?.changes;
      documents.set(intent.id, { ...document, ...intent.update.$set, changes: pushed ? [...document.changes, pushed] : document.changes });
    }
  }
  const project = documents.get(`project:${PROJECT}`) as unknown as ProjectTimelineDocument;
  return timelineOf(project, documents.get(`lab:${LAB}`) ?? null);
}

describe('access_intervals projection', () => {
  it('writes each touched document once per batch, at the position of its last event, whatever the number of events', () => {
    const intents = accessIntervalsProjection.handle(events) as Extract<WriteIntent, { kind: 'update' }>[];

    expect(intents.map(({ id, position: at }) => ({ id, at }))).toEqual([
      { id: `lab:${LAB}`, at: events[3].position },
      { id: `project:${PROJECT}`, at: events[5].position },
    ]);
    expect(intents[1].update.$set).toEqual({
      kind: 'project',
      project: PROJECT,
      lab: LAB,
      scheme: 'facility',
      createdAt: minute(0),
      createdPosition: events[1].position,
    });
  });

  it('keeps the change points of a project and of its lab, with who, when and why', () => {
    const timeline = documentsOf([events]);

    expect(timeline.changes).toEqual([
      { kind: 'base-level', position: events[1].position, at: minute(0), level: null, actor: 'olivia', event: 'initialized' },
      { kind: 'grant', position: events[1].position, at: minute(0), user: 'olivia', role: 'owner', actor: 'olivia', event: 'initialized' },
      { kind: 'grant', position: events[2].position, at: minute(1), user: 'manon', role: 'manager', actor: 'olivia', event: 'granted', reason: 'backup' },
      { kind: 'grant', position: events[4].position, at: minute(2), user: 'manon', role: 'member', actor: 'olivia', event: 'changed' },
      { kind: 'transfer', position: events[5].position, at: minute(3), actor: 'olivia', previousOwner: 'olivia', newOwner: 'mehdi', previousOwnerAfter: 'manager' },
    ]);
    // Lab events carry no decision time: their time is the event's.
    expect(timeline.membership).toEqual([
      { position: events[0].position, at: minute(0), user: 'olivia', member: true, actor: 'admin' },
      { position: events[3].position, at: minute(1), user: 'mehdi', member: true, actor: 'admin' },
    ]);
  });

  it('a batch redelivered with other boundaries (after a crash before its checkpoint) leaves each change point once', () => {
    expect(documentsOf([events.slice(0, 3), events])).toEqual(documentsOf([events]));
  });
});
