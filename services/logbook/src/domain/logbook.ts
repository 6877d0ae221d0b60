import {
  conflict,
  invalidField,
  notFound,
  StaleVersionError,
  BEST_JOB_REASON_MAX_LENGTH,
  ENTRY_BODY_MAX_LENGTH,
  ENTRY_TITLE_MAX_LENGTH,
  MAX_BEST_JOBS,
  MAX_JOB_REFS,
  requireMarkdown,
  type BestJob,
  type Decider,
  type LogbookEvent,
} from '@cairn/contracts';
import { requireLine } from './fields';
import { requireJobsOfProject, type KnownJobs } from './job-references';
import { templateBody, type TemplateFill } from './template';

/**
 * A project's logbook (Step 5 of the facility guide): markdown entries, each with every revision kept,
 * and the latest best job(s). Stream: `logbook_logbook-<projectId>`.
 *
 * An entry's version counts its revisions (1 when added). Revising names the version the writer saw:
 * the entry's own, not the stream's, so writing one entry never makes another's copy stale.
 */
export interface LogbookState {
  entries: ReadonlyMap<string, EntryState>;
  bestJobs: readonly BestJob[];
}

export interface EntryState {
  version: number;
  title: string;
  body: string;
  jobRefs: readonly string[];
}

export interface AddEntry {
  type: 'AddEntry';
  projectId: string;
  entryId: string;
  title: string;
  /** Markdown; absent when the entry is made from the template. */
  body?: string;
  jobRefs?: readonly string[];
  /** Make the body from the suggested template, filled in with these. */
  template?: Omit<TemplateFill, 'bestJobs'>;
  knownJobs: KnownJobs;
  actor: string;
}

export interface ReviseEntry {
  type: 'ReviseEntry';
  projectId: string;
  entryId: string;
  /** The entry's version the writer revised (from `If-Match` or `expectedVersion`); required, but refused only after the fields. */
  expectedVersion?: number;
  /** What is absent stays as it is. */
  title?: string;
  body?: string;
  jobRefs?: readonly string[];
  knownJobs: KnownJobs;
  actor: string;
}

/** docs/api.md's `{ jobIds, reason }`: one reason, recorded with each job. */
export interface RecordBestJobs {
  type: 'RecordBestJobs';
  projectId: string;
  jobIds: readonly string[];
  reason: string;
  knownJobs: KnownJobs;
  actor: string;
}

export type LogbookCommand = AddEntry | ReviseEntry | RecordBestJobs;

export const logbookDecider: Decider<LogbookCommand, LogbookState, LogbookEvent> = {
  initialState: () => ({ entries: new Map(), bestJobs: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'AddEntry':
        return addEntry(command, state);
      case 'ReviseEntry':
        return reviseEntry(command, state);
      case 'RecordBestJobs':
        return recordBestJobs(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'logbook.entry.added.v1':
      case 'logbook.entry.revised.v1': {
        const { entryId, version, title, body, jobRefs } = event.data;
        return { ...state, entries: new Map(state.entries).set(entryId, { version, title, body, jobRefs }) };
      }
      case 'logbook.best-jobs.recorded.v1':
        return { ...state, bestJobs: event.data.jobs };
    }
  },
};

/** The fields are checked in their order (title, body, job references), so a refusal names the first bad one. */
function addEntry(command: AddEntry, state: LogbookState): LogbookEvent[] {
  const title = requireLine(command.title, 'title', ENTRY_TITLE_MAX_LENGTH);
  if (command.template && command.body !== undefined) {
    throw invalidField('logbook.template-or-body', 'body', 'give a body or fromTemplate, not both');
  }
  const body = command.template ? templateBody({ ...command.template, bestJobs: state.bestJobs }) : requireBody(command.body ?? '');
  const jobRefs = requireJobRefs(command.jobRefs ?? [], command);
  if (state.entries.has(command.entryId)) throw conflict('logbook.entry-exists', `entry ${command.entryId} already exists`);
  return [
    {
      type: 'logbook.entry.added.v1',
      data: {
        projectId: command.projectId,
        entryId: command.entryId,
        version: 1,
        title,
        body,
        jobRefs,
        fromTemplate: command.template !== undefined,
        actor: command.actor,
      },
    },
  ];
}

/**
 * The fields given are checked first, in their order, and only then the entry and the version named:
 * a caller who sent a bad field hears about it even when the version is missing or stale too.
 */
function reviseEntry(command: ReviseEntry, state: LogbookState): LogbookEvent[] {
  const title = command.title === undefined ? undefined : requireLine(command.title, 'title', ENTRY_TITLE_MAX_LENGTH);
  const body = command.body === undefined ? undefined : requireBody(command.body);
  const jobRefs = command.jobRefs === undefined ? undefined : requireJobRefs(command.jobRefs, command);
  const entry = state.entries.get(command.entryId);
  if (!entry) throw notFound('logbook.entry-not-found', `the logbook has no entry ${command.entryId}`, { entryId: command.entryId });
  if (command.expectedVersion === undefined) {
    throw invalidField('logbook.entry-version-required', 'expectedVersion', 'give the version you revised, or send If-Match with its ETag');
  }
  if (command.expectedVersion !== entry.version) {
    throw new StaleVersionError(
      'logbook.entry-version-stale',
      `entry ${command.entryId} is at version ${entry.version}, not ${command.expectedVersion}: someone revised it since; reload and try again`,
      command.expectedVersion,
      entry.version,
      { entryId: command.entryId },
    );
  }
  const revision = { title: title ?? entry.title, body: body ?? entry.body, jobRefs: jobRefs ?? [...entry.jobRefs] };
  const unchanged = revision.title === entry.title && revision.body === entry.body && sameList(revision.jobRefs, entry.jobRefs);
  if (unchanged) return [];
  return [
    {
      type: 'logbook.entry.revised.v1',
      data: { projectId: command.projectId, entryId: command.entryId, version: entry.version + 1, ...revision, actor: command.actor },
    },
  ];
}

/** A record the same as the current one (a retried call) records nothing. */
function recordBestJobs(command: RecordBestJobs, state: LogbookState): LogbookEvent[] {
  if (command.jobIds.length === 0) throw invalidField('logbook.best-jobs-required', 'jobIds', 'name at least one job');
  if (command.jobIds.length > MAX_BEST_JOBS) throw invalidField('logbook.too-many-best-jobs', 'jobIds', `name at most ${MAX_BEST_JOBS} jobs`);
  const reason = requireLine(command.reason, 'reason', BEST_JOB_REASON_MAX_LENGTH);
  const jobs = requireJobsOfProject(command.jobIds, command.projectId, command.knownJobs, 'jobIds').map((jobId) => ({ jobId, reason }));
  const same =
    jobs.length === state.bestJobs.length &&
    jobs.every((job, index) => job.jobId === state.bestJobs[index].jobId && job.reason === state.bestJobs[index].reason);
  if (same) return [];
  return [{ type: 'logbook.best-jobs.recorded.v1', data: { projectId: command.projectId, jobs, actor: command.actor } }];
}

function requireBody(body: string): string {
  return requireMarkdown(body, 'body', ENTRY_BODY_MAX_LENGTH);
}

function requireJobRefs(jobRefs: readonly string[], command: { projectId: string; knownJobs: KnownJobs }): string[] {
  if (jobRefs.length > MAX_JOB_REFS) throw invalidField('logbook.too-many-job-refs', 'jobRefs', `refer to at most ${MAX_JOB_REFS} jobs`);
  return requireJobsOfProject(jobRefs, command.projectId, command.knownJobs, 'jobRefs');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
