import { closedObject, type EmittedBy } from './schema-parts';
import { defineEvent, type EventDefinition } from '../event-definition';

/**
 * Events of the logbook context. Streams (one per aggregate instance):
 * - `logbook_logbook-<projectId>`: the project's logbook: entries added and revised, best jobs recorded.
 * - `logbook_thread-job-<jobId>` and `logbook_thread-experiment-<experimentId>`: the comment thread of one
 *   commented target, its comments added and edited.
 *
 * Entries and comments carry every field of the revision they make (title, body, job references, or
 * body and mentions), never a change against the previous one: a consumer that keeps only the latest
 * needs no history, and a line diff is computed where it is shown.
 */

export const ENTRY_TITLE_MAX_LENGTH = 200;
export const ENTRY_BODY_MAX_LENGTH = 50_000;
export const COMMENT_BODY_MAX_LENGTH = 10_000;
export const BEST_JOB_REASON_MAX_LENGTH = 500;
export const MAX_JOB_REFS = 50;
export const MAX_BEST_JOBS = 20;

export interface LogbookEntryAddedData {
  projectId: string;
  entryId: string;
  /** Always 1: the entry's first revision. */
  version: number;
  title: string;
  /** Markdown. */
  body: string;
  /** Jobs of the project the entry refers to. */
  jobRefs: string[];
  /** Created from the suggested template, with the owner and date filled in. */
  fromTemplate: boolean;
  actor: string;
}

/** A new revision of an entry: its whole content as of this revision. */
export interface LogbookEntryRevisedData {
  projectId: string;
  entryId: string;
  /** The revision's number: 2 for the first revision after the entry was added. */
  version: number;
  title: string;
  body: string;
  jobRefs: string[];
  actor: string;
}

export interface BestJob {
  jobId: string;
  /** Why this job is the best one so far ("view=all + cartoon style"). */
  reason: string;
}

/** The project's latest best job(s), replacing the previous record; the history of records is kept. */
export interface BestJobsRecordedData {
  projectId: string;
  jobs: BestJob[];
  actor: string;
}

/** What a comment is on: exactly one of a job or an experiment (a lab dataset linked to the project). */
export type CommentTarget = { jobId: string; experimentId?: never } | { experimentId: string; jobId?: never };

/** A person named with `@username` in a comment, resolved against the lab directory. */
export interface Mention {
  userId: string;
  username: string;
}

export type CommentAddedData = CommentTarget & {
  /** The project the comment was made in (a job's project; for an experiment, the caller's project that links it). */
  projectId: string;
  commentId: string;
  /** Always 1: the comment as first written. */
  version: number;
  /** Markdown, at most 10,000 characters. */
  body: string;
  /** Everyone the body mentions who is in the lab directory, so another system can notify them. */
  mentions: Mention[];
  actor: string;
};

/** The author changed their comment: its whole body and mentions as of this edit. */
export type CommentEditedData = CommentTarget & {
  projectId: string;
  commentId: string;
  /** 2 for the first edit. */
  version: number;
  body: string;
  mentions: Mention[];
  actor: string;
};

const id = { type: 'string', minLength: 1 } as const;
const title = { type: 'string', minLength: 1, maxLength: ENTRY_TITLE_MAX_LENGTH } as const;
const entryBody = { type: 'string', minLength: 1, maxLength: ENTRY_BODY_MAX_LENGTH } as const;
const jobRefs = { type: 'array', items: id, maxItems: MAX_JOB_REFS, uniqueItems: true } as const;
const commentBody = { type: 'string', minLength: 1, maxLength: COMMENT_BODY_MAX_LENGTH } as const;
const mentions = { type: 'array', uniqueItems: true, items: closedObject({ userId: id, username: id }) } as const;
const commentTarget = { jobId: id, experimentId: id };
/** Exactly one target: a job or an experiment. */
const oneTarget = { oneOf: [{ required: ['jobId'] }, { required: ['experimentId'] }] };

/** `aggregate` names the stream's aggregate where it is not the type's second segment (see EventRegistry). */
const inLogbookStream = { aggregate: 'logbook' } as const;
const inThreadStream = { aggregate: 'thread' } as const;

export const logbookEntryAddedV1 = {
  ...defineEvent<LogbookEntryAddedData>()({
    type: 'logbook.entry.added.v1',
    description: "Someone with logbook.write added a markdown entry to the project's logbook.",
    schema: closedObject({
      projectId: id,
      entryId: id,
      version: { const: 1 },
      title,
      body: entryBody,
      jobRefs,
      fromTemplate: { type: 'boolean' },
      actor: id,
    }),
  }),
  ...inLogbookStream,
};

export const logbookEntryRevisedV1 = {
  ...defineEvent<LogbookEntryRevisedData>()({
    type: 'logbook.entry.revised.v1',
    description: 'A logbook entry got a new revision (its whole title, body and job references); earlier revisions are kept.',
    schema: closedObject({ projectId: id, entryId: id, version: { type: 'integer', minimum: 2 }, title, body: entryBody, jobRefs, actor: id }),
  }),
  ...inLogbookStream,
};

export const bestJobsRecordedV1 = {
  ...defineEvent<BestJobsRecordedData>()({
    type: 'logbook.best-jobs.recorded.v1',
    description: "The project's latest best job(s) were recorded, each with a short reason; earlier records are kept.",
    schema: closedObject({
      projectId: id,
      jobs: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_BEST_JOBS,
        items: closedObject({ jobId: id, reason: { type: 'string', minLength: 1, maxLength: BEST_JOB_REASON_MAX_LENGTH } }),
      },
      actor: id,
    }),
  }),
  ...inLogbookStream,
};

export const commentAddedV1 = {
  ...defineEvent<CommentAddedData>()({
    type: 'logbook.comment.added.v1',
    description: 'Someone with comments.write commented on a job or an experiment; the people it mentions are listed by user id.',
    schema: {
      ...closedObject({ projectId: id, commentId: id, version: { const: 1 }, body: commentBody, mentions, actor: id }, commentTarget),
      ...oneTarget,
    },
  }),
  ...inThreadStream,
};

export const commentEditedV1 = {
  ...defineEvent<CommentEditedData>()({
    type: 'logbook.comment.edited.v1',
    description: 'The author of a comment edited it (its whole new body and mentions); earlier versions are kept.',
    schema: {
      ...closedObject({ projectId: id, commentId: id, version: { type: 'integer', minimum: 2 }, body: commentBody, mentions, actor: id }, commentTarget),
      ...oneTarget,
    },
  }),
  ...inThreadStream,
};

export const logbookEvents = [
  logbookEntryAddedV1,
  logbookEntryRevisedV1,
  bestJobsRecordedV1,
  commentAddedV1,
  commentEditedV1,
] as const satisfies readonly EventDefinition[];

/** The `{ type, data }` a decider emits for one definition. */

export type LogbookEvent = EmittedBy<typeof logbookEntryAddedV1 | typeof logbookEntryRevisedV1 | typeof bestJobsRecordedV1>;
export type CommentThreadEvent = EmittedBy<typeof commentAddedV1 | typeof commentEditedV1>;
