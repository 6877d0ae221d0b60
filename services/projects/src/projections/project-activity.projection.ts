import type { CairnEvent } from '@cairn/contracts';
import type { Projection, WriteIntent } from '@cairn/read-models';

export const PROJECT_ACTIVITY = 'project_activity';

/** One thing that happened in a project, in any context. */
export interface ActivityDocument {
  _id: string;
  projectId: string;
  position: number;
  at: string;
  /** The event type, e.g. `access.role.granted.v1`: clients word the entry from it. */
  type: string;
  context: string;
  actor?: string;
  /** The event's data without what every entry already says (project, actor, time) or what only auditors need (hashes). */
  details: Record<string, unknown>;
}

/** An entry as lists and the live feed answer it: by its event's id, without the project it is listed under. */
export function activityItemOf({ _id, projectId: _project, ...entry }: ActivityDocument) {
  return { id: _id, ...entry };
}

/** Fields of event data that the entry carries elsewhere, or that mean nothing to a reader of the feed. */
const UNDETAILED = new Set(['projectId', 'actor', 'at', 'lab', 'hash', 'prevHash']);

/** The entry an event makes in its project's activity; null for an event that names no project. */
export function activityEntryOf(event: CairnEvent): Omit<ActivityDocument, '_id'> | null {
  const data = event.data as Record<string, unknown> | null;
  if (typeof data?.projectId !== 'string') return null;
  return {
    projectId: data.projectId,
    position: event.position,
    at: event.time,
    type: event.type,
    context: event.type.slice(0, event.type.indexOf('.')),
    ...(typeof data.actor === 'string' ? { actor: data.actor } : event.actorid ? { actor: event.actorid } : {}),
    details: Object.fromEntries(Object.entries(data).filter(([field]) => !UNDETAILED.has(field))),
  };
}

/**
 * The project page's "latest activity" and the activity feed: every event of any context that names a
 * project (`data.projectId`). The jobs and logbook categories are read already, so their events appear
 * as soon as those services publish them.
 */
export const projectActivityProjection: Projection = {
  name: PROJECT_ACTIVITY,
  categories: ['projects_project', 'projects_filespace', 'access_project', 'jobs_job', 'logbook_logbook'],
  version: 1,
  indexes: [{ key: { projectId: 1, position: -1 } }],
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      const document = activityEntryOf(event);
      return document ? [{ kind: 'replace', id: event.id, position: event.position, document }] : [];
    });
  },
};
