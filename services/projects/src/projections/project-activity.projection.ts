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

/**
 * Fields of event data that the entry carries elsewhere, or that mean nothing to a reader of the feed;
 * markdown bodies (logbook entries, comments: up to 50,000 characters) are read where they were written.
 */
const UNDETAILED = new Set(['projectId', 'actor', 'at', 'lab', 'hash', 'prevHash', 'body']);

/**
 * The project page's "latest activity" and the activity feed: every event of any context that names a
 * project (`data.projectId`): the logbook's entries and best jobs, and its comments on the project's jobs
 * and experiments, as much as the other contexts' events.
 */
export const projectActivityProjection: Projection = {
  name: PROJECT_ACTIVITY,
  categories: ['projects_project', 'projects_filespace', 'access_project', 'jobs_job', 'logbook_logbook', 'logbook_thread'],
  // 2: comment threads read too, from the beginning.
  version: 2,
  indexes: [{ key: { projectId: 1, position: -1 } }],
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      const data = event.data as Record<string, unknown> | null;
      if (typeof data?.projectId !== 'string') return [];
      const document: Omit<ActivityDocument, '_id'> = {
        projectId: data.projectId,
        position: event.position,
        at: event.time,
        type: event.type,
        context: event.type.slice(0, event.type.indexOf('.')),
        ...(typeof data.actor === 'string' ? { actor: data.actor } : event.actorid ? { actor: event.actorid } : {}),
        details: Object.fromEntries(Object.entries(data).filter(([field]) => !UNDETAILED.has(field))),
      };
      return [{ kind: 'replace', id: event.id, position: event.position, document }];
    });
  },
};
