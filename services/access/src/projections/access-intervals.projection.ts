import {
  schemeByName,
  type AccessChangeContext,
  type CairnEvent,
  type LabMemberAddedData,
  type LabMemberRemovedData,
  type ProjectAccessRecord,
  type Role,
} from '@cairn/contracts';
import { defineBatchedProjection, type WriteIntent } from '@cairn/read-models';
import type { Collection, Document } from 'mongodb';
import type { ProjectTimeline } from './point-in-time-access';

export const ACCESS_INTERVALS = 'access_intervals';

/**
 * A change point of a project's access: each starts an interval of someone's explicit permission, of
 * the base level, or (transfer) of both owners' permissions, which lasts until the next change point of
 * the same kind for the same person.
 */
export type ProjectAccessChange =
  | {
      kind: 'grant';
      position: number;
      at: string;
      user: string;
      /** Null: the explicit permission was removed (the base level applies again, if any). */
      role: Role | null;
      actor: string;
      event: 'initialized' | 'granted' | 'changed' | 'revoked';
      reason?: string;
      previewId?: string;
    }
  | {
      kind: 'base-level';
      position: number;
      at: string;
      /** Null in schemes without a base level. */
      level: Role | null;
      actor: string;
      event: 'initialized' | 'changed';
      reason?: string;
      previewId?: string;
    }
  | {
      kind: 'transfer';
      position: number;
      at: string;
      actor: string;
      previousOwner: string;
      newOwner: string;
      previousOwnerAfter: Role;
      reason?: string;
      previewId?: string;
    };

/** A change point of a lab's membership: it starts (or ends) a person's base-level access to the lab's projects. */
export interface LabMembershipChange {
  position: number;
  /** The event's time: lab events carry no decision time of their own. */
  at: string;
  user: string;
  member: boolean;
  actor: string;
  reason?: string;
}

/**
 * Two kinds of documents, each read by `_id` alone:
 * - `project:<id>`: the project's lab, scheme and creation, and its access change points;
 * - `lab:<id>`: the lab's membership change points, shared by all its projects.
 *
 * Base-level intervals are the product of three timelines (membership × base level × the absence of an
 * explicit permission): a member added to or removed from a lab changes the base-level intervals of
 * every project of that lab. Materializing that product would fan each membership event out to every
 * project of the lab, and needs the projection to read earlier state, which a pure projection that
 * can be rebuilt beside the live model cannot. So the model keeps the three timelines, each written by
 * its own events only, and `accessAt` intersects them when asked: one write per touched document per
 * batch, and two `_id` reads per question.
 *
 * `changes` holds one JSON array per batch that touched the document. FerretDB decodes and rewrites the
 * whole document on every update; with change points as nested objects, 100,000 of them took it over
 * ten times as long to write as with one string per batch (measured while building this model), and
 * reads decode less too. MongoDB is indifferent. A batch redelivered, or cut at other boundaries, may
 * repeat change points; readers keep one per position and kind.
 */
export interface ProjectTimelineDocument {
  _id: string;
  kind: 'project';
  project: string;
  lab: string;
  scheme: string;
  createdAt: string;
  createdPosition: number;
  changes: string[];
}

export interface LabTimelineDocument {
  _id: string;
  kind: 'lab';
  lab: string;
  changes: string[];
}

export const projectTimelineId = (project: string) => `project:${project}`;
export const labTimelineId = (lab: string) => `lab:${lab}`;

interface TimelineWrite {
  id: string;
  position: number;
  set: Record<string, unknown>;
  changes: (ProjectAccessChange | LabMembershipChange)[];
}

/** Who had which role on which project from when to when, and why: the model behind `GET /api/audit/access/at`. */
export const accessIntervalsProjection = defineBatchedProjection({
  name: ACCESS_INTERVALS,
  version: 1,
  on: {
    'access.project.initialized.v1': ({ data, position }): TimelineWrite[] => [
      {
        id: projectTimelineId(data.projectId),
        position,
        set: { kind: 'project', project: data.projectId, lab: data.lab, scheme: data.scheme, createdAt: data.at, createdPosition: position },
        changes: [
          { kind: 'base-level', position, at: data.at, level: data.baseLevel, actor: data.actor, event: 'initialized' },
          { kind: 'grant', position, at: data.at, user: data.user, role: data.after, actor: data.actor, event: 'initialized' },
        ],
      },
    ],
    'access.role.granted.v1': (event) => [grantChange(event, 'granted', event.data.after)],
    'access.role.changed.v1': (event) => [grantChange(event, 'changed', event.data.after)],
    'access.role.revoked.v1': (event) => [grantChange(event, 'revoked', null)],
    'access.base-level.changed.v1': ({ data, position }): TimelineWrite[] => [
      {
        id: projectTimelineId(data.projectId),
        position,
        set: {},
        changes: [{ kind: 'base-level', position, at: data.at, level: data.after, actor: data.actor, event: 'changed', ...context(data) }],
      },
    ],
    'access.ownership.transferred.v1': ({ data, position }): TimelineWrite[] => {
      const { previousOwner, newOwner, previousOwnerAfter } = data;
      return [
        {
          id: projectTimelineId(data.projectId),
          position,
          set: {},
          changes: [{ kind: 'transfer', position, at: data.at, actor: data.actor, previousOwner, newOwner, previousOwnerAfter, ...context(data) }],
        },
      ];
    },
    'access.lab.created.v1': ({ data, position }): TimelineWrite[] => [{ id: labTimelineId(data.lab), position, set: { kind: 'lab', lab: data.lab }, changes: [] }],
    'access.lab.member-added.v1': (event) => [membershipChange(event, true)],
    'access.lab.member-removed.v1': (event) => [membershipChange(event, false, event.data.reason)],
  },
  // One write per document per batch: FerretDB pays per document written, not per change point.
  combine(recorded: TimelineWrite[]): WriteIntent[] {
    const writes = new Map<string, TimelineWrite>();
    for (const { id, position, set, changes } of recorded) {
      const write = writes.get(id) ?? { id, position, set: {}, changes: [] };
      write.position = position;
      Object.assign(write.set, set);
      write.changes.push(...changes);
      writes.set(id, write);
    }
    return [...writes.values()].map(({ id, position, set, changes }) => ({
      kind: 'update',
      id,
      position,
      update: { $set: set, ...(changes.length > 0 && { $push: { changes: JSON.stringify(changes) } }) },
    }));
  },
});

function context(data: AccessChangeContext) {
  return { ...(data.reason !== undefined && { reason: data.reason }), ...(data.previewId !== undefined && { previewId: data.previewId }) };
}

function grantChange(
  { data, position }: CairnEvent<string, ProjectAccessRecord & AccessChangeContext & { user: string }>,
  event: 'granted' | 'changed' | 'revoked',
  role: Role | null,
): TimelineWrite {
  return {
    id: projectTimelineId(data.projectId),
    position,
    set: {},
    changes: [{ kind: 'grant', position, at: data.at, user: data.user, role, actor: data.actor, event, ...context(data) }],
  };
}

/** Lab events carry no decision time of their own: the event's time is when it happened. */
function membershipChange(
  { data, position, time }: CairnEvent<string, LabMemberAddedData | LabMemberRemovedData>,
  member: boolean,
  reason?: string,
): TimelineWrite {
  return {
    id: labTimelineId(data.lab),
    position,
    set: { kind: 'lab', lab: data.lab },
    changes: [{ position, at: time, user: data.userId, member, actor: data.actor, ...(reason !== undefined && { reason }) }],
  };
}

/** The change points stored in `chunks`, once each, in the order they happened. */
export function changesOf<T extends { position: number; kind?: string }>(chunks: readonly string[]): T[] {
  const byKey = new Map<string, T>();
  for (const chunk of chunks) {
    for (const change of JSON.parse(chunk) as T[]) byKey.set(`${change.position}/${change.kind ?? ''}`, change);
  }
  return [...byKey.values()].sort((a, b) => a.position - b.position);
}

/** A project's timeline as its document and its lab's document hold it. */
export function timelineOf(project: ProjectTimelineDocument, lab: Pick<LabTimelineDocument, 'changes'> | null): ProjectTimeline {
  return {
    project: project.project,
    lab: project.lab,
    scheme: schemeByName(project.scheme),
    createdAt: project.createdAt,
    createdPosition: project.createdPosition,
    changes: changesOf<ProjectAccessChange>(project.changes),
    membership: changesOf<LabMembershipChange>(lab?.changes ?? []),
  };
}

/** Reads of the access intervals model. */
export class AccessTimelines {
  constructor(private readonly collection: () => Promise<Collection<Document>>) {}

  /** A project's access timeline with its lab's membership; null for a project the model has not seen. */
  async projectTimeline(project: string): Promise<ProjectTimeline | null> {
    const collection = await this.collection();
    const document = (await collection.findOne({ _id: projectTimelineId(project) as never })) as ProjectTimelineDocument | null;
    // A document without a scheme has seen changes but not the project's initialization: a corrupt stream.
    if (!document?.scheme) return null;
    // Only base levels make lab membership matter.
    const lab = schemeByName(document.scheme).hasBaseLevel
      ? ((await collection.findOne({ _id: labTimelineId(document.lab) as never })) as LabTimelineDocument | null)
      : null;
    return timelineOf(document, lab);
  }
}
