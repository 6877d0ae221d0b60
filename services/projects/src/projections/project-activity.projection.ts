import type { ProjectScopedEventType, StoredEventOf } from '@cairn/contracts';
import { defineProjection, type WriteIntent } from '@cairn/read-models';

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

/**
 * Fields of event data that the entry carries elsewhere, or that mean nothing to a reader of the feed;
 * markdown bodies (logbook entries, comments: up to 50,000 characters) are read where they were written.
 */
const UNDETAILED = new Set(['projectId', 'actor', 'at', 'lab', 'hash', 'prevHash', 'body']);

/**
 * The project page's "latest activity" and the activity feed: every event of any context that names a
 * project (`data.projectId`). The type argument makes the compiler demand a handler for each such type,
 * so a context that publishes a new one adds it here (and bumps `version`, so the feed is rebuilt with
 * that type's earlier events).
 */
export const projectActivityProjection = defineProjection<ProjectScopedEventType>({
  name: PROJECT_ACTIVITY,
  version: 3,
  indexes: [{ key: { projectId: 1, position: -1 } }],
  on: {
    'projects.project.created.v1': activityEntry,
    'projects.project.updated.v1': activityEntry,
    'projects.project.deleted.v1': activityEntry,
    'projects.experiment.linked.v1': activityEntry,
    'projects.experiment.unlinked.v1': activityEntry,
    'projects.file.added.v1': activityEntry,
    'projects.file.added-to-experiment.v1': activityEntry,
    'projects.stack.annotated.v1': activityEntry,
    'projects.stack.annotation-edited.v1': activityEntry,
    'projects.deletion.requested.v1': activityEntry,
    'projects.deletion.approved.v1': activityEntry,
    'projects.deletion.rejected.v1': activityEntry,
    'projects.file.deleted.v1': activityEntry,
    'access.project.initialized.v1': activityEntry,
    'access.role.granted.v1': activityEntry,
    'access.role.changed.v1': activityEntry,
    'access.role.revoked.v1': activityEntry,
    'access.base-level.changed.v1': activityEntry,
    'access.ownership.transferred.v1': activityEntry,
    'access.invitation.sent.v1': activityEntry,
    'access.invitation.withdrawn.v1': activityEntry,
    'access.invitation.accepted.v1': activityEntry,
    'jobs.job.requested.v1': activityEntry,
    'jobs.job.started.v1': activityEntry,
    'jobs.job.progressed.v1': activityEntry,
    'jobs.job.output-added.v1': activityEntry,
    'jobs.job.succeeded.v1': activityEntry,
    'jobs.job.failed.v1': activityEntry,
    'jobs.job.cancel-requested.v1': activityEntry,
    'jobs.job.cancelled.v1': activityEntry,
    'logbook.entry.added.v1': activityEntry,
    'logbook.entry.revised.v1': activityEntry,
    'logbook.best-jobs.recorded.v1': activityEntry,
    'logbook.comment.added.v1': activityEntry,
    'logbook.comment.edited.v1': activityEntry,
  },
});

/** The entry an event makes in its project's activity: the feed's document, and what the live feed sends. */
export function activityEntryOf(event: StoredEventOf<ProjectScopedEventType>): Omit<ActivityDocument, '_id'> {
  const { data } = event;
  const actor = 'actor' in data && typeof data.actor === 'string' ? data.actor : event.actorid;
  return {
    projectId: data.projectId,
    position: event.position,
    at: event.time,
    type: event.type,
    context: event.type.slice(0, event.type.indexOf('.')),
    ...(actor !== undefined && { actor }),
    details: Object.fromEntries(Object.entries(data).filter(([field]) => !UNDETAILED.has(field))),
  };
}

function activityEntry(event: StoredEventOf<ProjectScopedEventType>): WriteIntent[] {
  return [{ kind: 'replace', id: event.id, position: event.position, document: activityEntryOf(event) }];
}
