import type { Authorizer, Principal } from '@cairn/auth';
import { notFound, type BestJob, type LogbookEntryAddedData } from '@cairn/contracts';
import { commandHandler, type EventStore, newEntityId } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { filledTemplate, lineDiff, logbookDecider, type EntryState, type KnownJobs, type LineDiff } from '../domain';
import { newEntryOf, type BestJobsDocument, type EntryDocument, type JobStatus, type LogbookReferences, type LogbookView } from '../projections';
import { People, type PersonRef } from './people';
import { logbookStream } from './streams';

export interface EntryView {
  id: string;
  title: string;
  body: string;
  jobRefs: string[];
  /** The entry's version: its ETag, and what a revision names as `expectedVersion`. */
  version: number;
  fromTemplate: boolean;
  createdBy: PersonRef;
  createdAt: string;
  updatedBy: PersonRef;
  updatedAt: string;
}

export interface RevisionView {
  version: number;
  title: string;
  body: string;
  jobRefs: string[];
  by: PersonRef;
  at: string;
  /** Against the previous revision's body; the first revision's is all added lines. */
  diff: LineDiff;
}

/** A best job as the logbook page shows it, kept current from the jobs service's events. */
export interface BestJobView extends BestJob {
  /** `name@version`; null while the logbook has not seen the job's request. */
  template: string | null;
  triggeredBy: PersonRef | null;
  status: JobStatus | null;
}

export interface BestJobsView {
  jobs: BestJobView[];
  recordedBy: PersonRef;
  recordedAt?: string;
}

export interface NewEntry {
  title: string;
  body?: string;
  jobRefs?: string[];
  fromTemplate?: boolean;
}

export interface EntryRevision {
  title?: string;
  body?: string;
  jobRefs?: string[];
}

/** A project's logbook (Step 5 of the facility guide): entries with their revisions, best jobs, the template. */
export class LogbookService {
  private readonly handle;
  private readonly people: People;

  constructor(
    store: EventStore,
    private readonly authorizer: Authorizer,
    private readonly view: LogbookView,
    private readonly references: LogbookReferences,
    /** Resolves once the models a command decides on (authorization, references) have caught up with the store. */
    private readonly decideFresh: () => Promise<void>,
    private readonly today: () => Date = () => new Date(),
  ) {
    this.handle = commandHandler(store, logbookDecider, logbookStream);
    this.people = new People(authorizer.model);
  }

  /** "entries newest first (paged), the pinned best jobs, the suggested template". */
  async page(principal: Principal, projectId: string, page: { limit: number; cursor?: string }, minPosition?: number) {
    await this.authorizer.requireConsistent(projectId, principal.userId, 'project.read', minPosition);
    const [entries, latest] = await Promise.all([this.view.entries(projectId, page.limit, page.cursor), this.view.bestJobsRecords(projectId, 1)]);
    const record = latest.items[0];
    return {
      projectId,
      entries: { items: entries.items.map((entry) => this.entryView(entry)), nextCursor: entries.nextCursor },
      bestJobs: record ? await this.bestJobsView(record) : null,
      template: { sections: filledTemplate(this.templateFill(projectId, record?.jobs ?? [])) },
    };
  }

  async entry(principal: Principal, projectId: string, entryId: string, minPosition?: number): Promise<EntryView> {
    await this.authorizer.requireConsistent(projectId, principal.userId, 'project.read', minPosition);
    return this.entryView(await this.requireEntry(projectId, entryId));
  }

  async addEntry(principal: Principal, projectId: string, input: NewEntry, minPosition?: number) {
    await this.writable(principal, projectId, minPosition);
    const outcome = await this.handle(
      projectId,
      {
        type: 'AddEntry',
        projectId,
        entryId: newEntityId(),
        title: input.title,
        ...(input.body === undefined ? {} : { body: input.body }),
        ...(input.jobRefs === undefined ? {} : { jobRefs: input.jobRefs }),
        ...(input.fromTemplate ? { template: this.templateFill(projectId, []) } : {}),
        knownJobs: await this.knownJobs(input.jobRefs ?? []),
        actor: principal.userId,
      },
      { actor: principal.userId },
    );
    const added = outcome.events[0].data as LogbookEntryAddedData;
    return { position: outcome.position, entry: this.entryView({ _id: added.entryId, ...newEntryOf(added, outcome.position, outcome.time!) }) };
  }

  /** A revision that changes nothing records nothing and answers the entry as it is. */
  async reviseEntry(principal: Principal, projectId: string, entryId: string, revision: EntryRevision, expectedVersion: number | undefined, minPosition?: number) {
    await this.writable(principal, projectId, minPosition);
    const outcome = await this.handle(
      projectId,
      { type: 'ReviseEntry', projectId, entryId, expectedVersion, ...revision, knownJobs: await this.knownJobs(revision.jobRefs ?? []), actor: principal.userId },
      { actor: principal.userId },
    );
    const current = outcome.state.entries.get(entryId)!;
    return { position: outcome.position, entry: { id: entryId, ...entryFields(current) } };
  }

  /** Newest first, each with its line diff against the revision before it. */
  async revisions(principal: Principal, projectId: string, entryId: string, page: { limit: number; cursor?: string }, minPosition?: number): Promise<Page<RevisionView>> {
    await this.authorizer.requireConsistent(projectId, principal.userId, 'project.read', minPosition);
    await this.requireEntry(projectId, entryId);
    const revisions = await this.view.revisions(entryId, page.limit, page.cursor);
    const oldest = revisions.items[revisions.items.length - 1];
    const beforeOldest = oldest && oldest.version > 1 ? await this.view.revision(entryId, oldest.version - 1) : undefined;
    const items = revisions.items.map((revision, index) => {
      const previous = index + 1 < revisions.items.length ? revisions.items[index + 1] : beforeOldest;
      return {
        version: revision.version,
        title: revision.title,
        body: revision.body,
        jobRefs: revision.jobRefs,
        by: this.people.ref(revision.by),
        at: revision.at,
        diff: lineDiff(previous?.body ?? '', revision.body),
      };
    });
    return { items, nextCursor: revisions.nextCursor };
  }

  async recordBestJobs(principal: Principal, projectId: string, input: { jobIds: string[]; reason: string }, minPosition?: number) {
    await this.writable(principal, projectId, minPosition);
    const outcome = await this.handle(
      projectId,
      { type: 'RecordBestJobs', projectId, jobIds: input.jobIds, reason: input.reason, knownJobs: await this.knownJobs(input.jobIds), actor: principal.userId },
      { actor: principal.userId },
    );
    const jobs = await this.bestJobViews(outcome.state.bestJobs);
    return { position: outcome.position, bestJobs: { jobs, recordedBy: this.people.ref(principal.userId) } satisfies BestJobsView };
  }

  /** "the history of these records is kept": newest first, the first one the current. */
  async bestJobsHistory(principal: Principal, projectId: string, page: { limit: number; cursor?: string }, minPosition?: number): Promise<Page<BestJobsView>> {
    await this.authorizer.requireConsistent(projectId, principal.userId, 'project.read', minPosition);
    const records = await this.view.bestJobsRecords(projectId, page.limit, page.cursor);
    return { items: await Promise.all(records.items.map((record) => this.bestJobsView(record))), nextCursor: records.nextCursor };
  }

  /** Writing decides on the authorization model and the references, so both have caught up with the store first. */
  private async writable(principal: Principal, projectId: string, minPosition?: number): Promise<void> {
    await this.decideFresh();
    await this.authorizer.requireConsistent(projectId, principal.userId, 'logbook.write', minPosition);
  }

  private async knownJobs(jobIds: readonly string[]): Promise<KnownJobs> {
    const jobs = await this.references.jobs(jobIds);
    return new Map([...jobs].map(([jobId, job]) => [jobId, job.projectId]));
  }

  private templateFill(projectId: string, bestJobs: readonly BestJob[]) {
    return { owners: this.people.ownersOf(projectId), date: this.today().toISOString().slice(0, 10), bestJobs };
  }

  private async requireEntry(projectId: string, entryId: string): Promise<EntryDocument> {
    const entry = await this.view.entry(projectId, entryId);
    if (!entry) throw notFound('logbook.entry-not-found', `the logbook has no entry ${entryId}`, { entryId });
    return entry;
  }

  private entryView(entry: EntryDocument): EntryView {
    return {
      id: entry._id,
      ...entryFields(entry),
      fromTemplate: entry.fromTemplate,
      createdBy: this.people.ref(entry.createdBy),
      createdAt: entry.createdAt,
      updatedBy: this.people.ref(entry.updatedBy),
      updatedAt: entry.updatedAt,
    };
  }

  private async bestJobsView(record: BestJobsDocument): Promise<BestJobsView> {
    return { jobs: await this.bestJobViews(record.jobs), recordedBy: this.people.ref(record.recordedBy), recordedAt: record.recordedAt };
  }

  private async bestJobViews(bestJobs: readonly BestJob[]): Promise<BestJobView[]> {
    const jobs = await this.references.jobs(bestJobs.map((job) => job.jobId));
    return bestJobs.map(({ jobId, reason }) => {
      const job = jobs.get(jobId);
      return {
        jobId,
        reason,
        template: job?.template ?? null,
        triggeredBy: job ? this.people.ref(job.triggeredBy) : null,
        status: job?.status ?? null,
      };
    });
  }
}

function entryFields(entry: Pick<EntryState, 'title' | 'body' | 'version'> & { jobRefs: readonly string[] }) {
  return { title: entry.title, body: entry.body, jobRefs: [...entry.jobRefs], version: entry.version };
}
