import type { BestJob, LogbookEntryAddedData, LogbookEntryRevisedData, StoredEventOf } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { defineProjection, pageByNumber, type ReadModelCollections, type ReadModelDocument, type WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { keepVersion, keptVersionId } from './kept-versions';
import { documentById } from './queries';

export const LOGBOOK_VIEW = 'logbook_view';

/** An entry as it reads now. */
export interface EntryDocument {
  _id: string;
  kind: 'entry';
  projectId: string;
  title: string;
  body: string;
  jobRefs: string[];
  version: number;
  fromTemplate: boolean;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** Orders the logbook: newest entry first. */
  addedPosition: number;
}

/** One revision of an entry, kept whole as its event tells it, with who made it and when: `_id` is `<entryId>/<version>`. */
export interface RevisionDocument extends Omit<LogbookEntryRevisedData, 'actor'> {
  _id: string;
  kind: 'revision';
  by: string;
  at: string;
}

/** One record of the latest best job(s); the newest is the current one. */
export interface BestJobsDocument {
  _id: string;
  kind: 'best-jobs';
  projectId: string;
  jobs: BestJob[];
  recordedBy: string;
  recordedAt: string;
  position: number;
}

export type LogbookViewDocument = EntryDocument | RevisionDocument | BestJobsDocument;

/** An entry as the logbook lists it when just added: what the projection writes, and the add command answers. */
export function newEntryOf(data: LogbookEntryAddedData, position: number, time: string): Omit<EntryDocument, '_id'> {
  return {
    kind: 'entry',
    projectId: data.projectId,
    title: data.title,
    body: data.body,
    jobRefs: data.jobRefs,
    version: data.version,
    fromTemplate: data.fromTemplate,
    createdBy: data.actor,
    createdAt: time,
    updatedBy: data.actor,
    updatedAt: time,
    addedPosition: position,
  };
}

// Each query of `LogbookView` has its index here (equality fields, then the sort).
const ENTRIES_NEWEST_FIRST = { key: { kind: 1, projectId: 1, addedPosition: -1 }, name: 'entries_newest_first' };
const REVISIONS_NEWEST_FIRST = { key: { kind: 1, entryId: 1, version: -1 }, name: 'revisions_newest_first' };
const BEST_JOBS_NEWEST_FIRST = { key: { kind: 1, projectId: 1, position: -1 }, name: 'best_jobs_newest_first' };

/**
 * The project logbook page: its entries, every revision of each, and the records of best jobs. One
 * collection for the three kinds, so that one projection writes an entry and its revision together.
 */
export const logbookViewProjection = defineProjection({
  name: LOGBOOK_VIEW,
  version: 1,
  indexes: [ENTRIES_NEWEST_FIRST, REVISIONS_NEWEST_FIRST, BEST_JOBS_NEWEST_FIRST],
  on: {
    'logbook.entry.added.v1': (event) => {
      const { data, position, time } = event;
      return [{ kind: 'replace', id: data.entryId, position, document: newEntryOf(data, position, time) }, revisionWrite(event)];
    },
    'logbook.entry.revised.v1': (event) => {
      const { data, position, time } = event;
      const changes = { title: data.title, body: data.body, jobRefs: data.jobRefs, version: data.version, updatedBy: data.actor, updatedAt: time };
      return [{ kind: 'update', id: data.entryId, position, update: { $set: changes }, upsert: false }, revisionWrite(event)];
    },
    'logbook.best-jobs.recorded.v1': ({ id, data, position, time }) => {
      const record: Omit<BestJobsDocument, '_id'> = {
        kind: 'best-jobs',
        projectId: data.projectId,
        jobs: data.jobs,
        recordedBy: data.actor,
        recordedAt: time,
        position,
      };
      return [{ kind: 'replace', id, position, document: record }];
    },
  },
});

function revisionWrite({ data, position, time }: StoredEventOf<'logbook.entry.added.v1' | 'logbook.entry.revised.v1'>): WriteIntent {
  const { projectId, entryId, version, title, body, jobRefs, actor } = data;
  const revision: Omit<RevisionDocument, '_id'> = { kind: 'revision', projectId, entryId, version, title, body, jobRefs, by: actor, at: time };
  return keepVersion(entryId, version, position, revision);
}

/** The queries the logbook's reads make of `logbook_view`. */
export class LogbookView {
  constructor(private readonly collections: ReadModelCollections) {}

  /** The entry, if it is one of this project's. */
  async entry(projectId: string, entryId: string): Promise<EntryDocument | undefined> {
    return documentById<EntryDocument>(await this.collection(), entryId, { kind: 'entry', projectId });
  }

  /** Served by ENTRIES_NEWEST_FIRST. */
  async entries(projectId: string, limit: number, cursor?: string): Promise<Page<EntryDocument>> {
    return pageByNumber<EntryDocument>(await this.collection(), { kind: 'entry', projectId }, 'addedPosition', -1, limit, cursor);
  }

  /** Served by REVISIONS_NEWEST_FIRST. */
  async revisions(entryId: string, limit: number, cursor?: string): Promise<Page<RevisionDocument>> {
    return pageByNumber<RevisionDocument>(await this.collection(), { kind: 'revision', entryId }, 'version', -1, limit, cursor);
  }

  async revision(entryId: string, version: number): Promise<RevisionDocument | undefined> {
    return documentById<RevisionDocument>(await this.collection(), keptVersionId(entryId, version), { kind: 'revision' });
  }

  /** Served by BEST_JOBS_NEWEST_FIRST. */
  async bestJobsRecords(projectId: string, limit: number, cursor?: string): Promise<Page<BestJobsDocument>> {
    return pageByNumber<BestJobsDocument>(await this.collection(), { kind: 'best-jobs', projectId }, 'position', -1, limit, cursor);
  }

  private collection(): Promise<Collection<ReadModelDocument>> {
    return this.collections.resolve<ReadModelDocument>(LOGBOOK_VIEW);
  }
}
