import type { ProjectAccessEvent } from '@cairn/contracts';
import { projectionSpec, storedEvents } from '@cairn/testing';
import type { Document } from 'mongodb';
import { changed, created, granted, history, LAB, minute, PROJECT, transferred } from '../domain/testing/project-access.fixtures';
import { accessIntervalsProjection, labTimelineId, projectTimelineId, timelineOf, type ProjectTimelineDocument } from './access-intervals.projection';

/** How access events become the documents of `access_intervals`: few writes, and change points kept once. */

const log = storedEvents();
const joined = (user: string, at: number) =>
  log.event('access.lab.member-added.v1', { lab: LAB, userId: user, username: user, displayName: user, admin: false, actor: 'admin' }, { time: minute(at) });
// Stored later than decided: a project's change points take the decision's time (`at`), not the event's.
const storedLate = ({ type, data }: ProjectAccessEvent) => log.event(type, data, { time: minute(9) });

const [initialized, grantedManon, changedManon, transferredToMehdi] = history(
  created('facility', 'olivia', null),
  granted('olivia', 'manon', null, 'manager', minute(1), { reason: 'backup' }),
  changed('olivia', 'manon', 'manager', 'member', minute(2)),
  transferred('olivia', 'mehdi', null, 'manager', minute(3)),
);
const events = [joined('olivia', 0), storedLate(initialized), storedLate(grantedManon), joined('mehdi', 1), storedLate(changedManon), storedLate(transferredToMehdi)];

/** The project's timeline as a reader of the model gets it. */
function timelineIn(documents: Document[]) {
  const byId = new Map(documents.map((document) => [document._id, document]));
  const project = byId.get(projectTimelineId(PROJECT));
  const lab = byId.get(labTimelineId(LAB));
  expect(project).toBeDefined();
  return timelineOf(project as ProjectTimelineDocument, lab ? { changes: lab.changes } : null);
}

describe('access_intervals projection', () => {
  it('writes each touched document once per batch, at the position of its last event, whatever the number of events', () => {
    const intents = accessIntervalsProjection.handle(events);
    expect(intents.map(({ kind, id, position }) => ({ kind, id, position }))).toEqual([
      { kind: 'update', id: labTimelineId(LAB), position: events[3].position },
      { kind: 'update', id: projectTimelineId(PROJECT), position: events[5].position },
    ]);
    projectionSpec(accessIntervalsProjection)
      .when(events)
      .then((documents) =>
        expect(documents.find((document) => document._id === projectTimelineId(PROJECT))).toEqual({
          _id: projectTimelineId(PROJECT),
          kind: 'project',
          project: PROJECT,
          lab: LAB,
          scheme: 'facility',
          createdAt: minute(0),
          createdPosition: events[1].position,
          changes: [expect.any(String)],
        }),
      );
  });

  it('keeps the change points of a project and of its lab, with who, when and why', () => {
    projectionSpec(accessIntervalsProjection)
      .when(events)
      .then((documents) => {
        const timeline = timelineIn(documents);
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
  });

  it('a batch redelivered with other boundaries (after a crash before its checkpoint) leaves each change point once', () => {
    let inOneBatch: unknown;
    projectionSpec(accessIntervalsProjection)
      .when(events)
      .then((documents) => (inOneBatch = timelineIn(documents)));
    projectionSpec(accessIntervalsProjection)
      .given(events.slice(0, 3))
      .when(events)
      .then((documents) => expect(timelineIn(documents)).toEqual(inOneBatch));
  });
});
