import type {
  BestJob,
  BestJobsRecordedData,
  CairnEvent,
  LogbookEntryAddedData,
  LogbookEntryRevisedData,
} from '@cairn/contracts';
import type { Page } from '@cairn/http';
import type { Projection, ReadModelCollections, ReadModelDocument, WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { pageByNumber } from './pages';

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

/** One revision of an entry, kept whole: `_id` is `<entryId>/<version>`. */
export interface RevisionDocument {
  _id: string;
  kind: 'revision';
  projectId: string;
  entryId: string;
  version: number;
  title: string;
  body: string;
  jobRefs: string[];
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

export const revisionId = (entryId: string, version: number) => `${entryId}/${version}`;

// Each query of `LogbookView` has its index here (equality fields, then the sort).
const ENTRIES_NEWEST_FIRST = { key: { kind: 1, projectId: 1, addedPosition: -1 }, name: 'entries_newest_first' };
const REVISIONS_NEWEST_FIRST = { key: { kind: 1, entryId: 1, version: -1 }, name: 'revisions_newest_first' };
const BEST_JOBS_NEWEST_FIRST = { key: { kind: 1, projectId: 1, position: -1 }, name: 'best_jobs_newest_first' };

/**
 * The project logbook page: its entries, every revision of each, and the records of best jobs. One
 * collection for the three kinds, so that one projection writes an entry and its revision together.
 */
export const logbookViewProjection: Projection = {
  name: LOGBOOK_VIEW,
  categories: ['logbook_logbook'],
  version: 1,
  indexes: [ENTRIES_NEWEST_FIRST, REVISIONS_NEWEST_FIRST, BEST_JOBS_NEWEST_FIRST],
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      switch (event.type) {
        case 'logbook.entry.added.v1': {
          const data = event.data as LogbookEntryAddedData;
          const entry: Omit<EntryDocument, '_id'> = {
            kind: 'entry',
            projectId: data.projectId,
            title: data.title,
            body: data.body,
            jobRefs: data.jobRefs,
            version: data.version,
            fromTemplate: data.fromTemplate,
            createdBy: data.actor,
            createdAt: event.time,
            updatedBy: data.actor,
            updatedAt: event.time,
            addedPosition: event.position,
          };
          return [{ kind: 'replace', id: data.entryId, position: event.position, document: entry }, revisionWrite(event, data)];
        }
        case 'logbook.entry.revised.v1': {
          const data = event.data as LogbookEntryRevisedData;
          const changes = { title: data.title, body: data.body, jobRefs: data.jobRefs, version: data.version, updatedBy: data.actor, updatedAt: event.time };
          return [{ kind: 'update', id: data.entryId, position: event.position, update: { $set: changes }, upsert: false }, revisionWrite(event, data)];
        }
        case 'logbook.best-jobs.recorded.v1': {
          const data = event.data as BestJobsRecordedData;
          const record: Omit<BestJobsDocument, '_id'> = {
            kind: 'best-jobs',
            projectId: data.projectId,
            jobs: data.jobs,
            recordedBy: data.actor,
            recordedAt: event.time,
            position: event.position,
          };
          return [{ kind: 'replace', id: event.id, position: event.position, document: record }];
        }
        default:
          return [];
      }
    });
  },
};

function revisionWrite(event: CairnEvent, data: LogbookEntryAddedData | LogbookEntryRevisedData): WriteIntent {
  const revision: Omit<RevisionDocument, '_id'> = {
    kind: 'revision',
    projectId: data.projectId,
    entryId: data.entryId,
    version: data.version,
    title: data.title,
    body: data.body,
    jobRefs: data.jobRefs,
    by: data.actor,
    at: event.time,
  };
  return { kind: 'replace', id: revisionId(data.entryId, data.version), position: event.position, document: revision };
}

/** The queries the logbook's reads make of `logbook_view`. */
export class LogbookView {
  constructor(private readonly collections: ReadModelCollections) {}

  /** The entry, if it is one of this project's. */
  async entry(projectId: string, entryId: string): Promise<EntryDocument | undefined> {
    const document = await (await this.collection()).findOne({ _id: entryId });
    return document?.kind === 'entry' && document.projectId === projectId ? (document as unknown as EntryDocument) : undefined;
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
    return ((await (await this.collection()).findOne({ _id: revisionId(entryId, version) })) as unknown as RevisionDocument | null) ?? undefined;
  }

  /** Served by BEST_JOBS_NEWEST_FIRST. */
  async bestJobsRecords(projectId: string, limit: number, cursor?: string): Promise<Page<BestJobsDocument>> {
    return pageByNumber<BestJobsDocument>(await this.collection(), { kind: 'best-jobs', projectId }, 'position', -1, limit, cursor);
  }

  private collection(): Promise<Collection<ReadModelDocument>> {
    return this.collections.resolve<ReadModelDocument>(LOGBOOK_VIEW);
  }
}
