import type { Authorizer, Principal } from '@cairn/auth';
import { CAPABILITIES, cancelSubjectOf, invalidField, type CancelNotice, type Capability, type Machine } from '@cairn/contracts';
import { commandHandler, type EventStore, newEntityId } from '@cairn/event-store';
import { decodeCursor, type Page } from '@cairn/http';
import { pageOf, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import type { NatsConnection } from 'nats';
import { changesBetween } from '../domain/changes';
import { jobDecider, type JobCommand, type JobStatus } from '../domain/job';
import { checkInputs, type ProjectFile } from '../domain/job-request';
import { defaultsOf, parameterNamesOf } from '../domain/parameters';
import { parseTemplateRef, templateRefOf } from '../domain/template';
import {
  JOB_COMMENTS,
  JOB_SEARCH,
  JOB_TRIGGERERS,
  jobSearchQuery,
  jobSummaryOf,
  LINEAGE_LIMIT,
  lineageQuery,
  EXPERIMENT_LINKS,
  PROJECT_FILES,
  type ExperimentLinksDocument,
  type JobCommentsDocument,
  type JobSearchDocument,
  type JobSearchFilter,
  type JobTriggererDocument,
  type ProjectFileDocument,
  triggerersQuery,
} from '../projections';
import type { JobRecord } from './job-record';
import type { JobReader } from './job-reader';
import { jobStream } from './streams';
import type { TemplatesService } from './templates.service';

export interface RunInput {
  template: string;
  inputs: string[];
  parameters?: Record<string, unknown>;
  machine: Machine;
}

export interface RerunInput {
  inputs?: string[];
  parameters?: Record<string, unknown>;
  machine?: Machine;
  /** A version of the job's template (`1.1.0`), or `name@version` with the same name. */
  template?: string;
}

export type SearchInput = Omit<JobSearchFilter, 'projectIds' | 'triggeredBy'> & { triggeredBy?: string; limit: number; cursor?: string };

export interface Person {
  id: string;
  username?: string;
  displayName?: string;
}

/** Run, rerun, cancel, inspect and search jobs: what people do through the API. */
export class JobsService {
  private readonly handle;

  constructor(
    store: EventStore,
    private readonly reader: JobReader,
    private readonly authorizer: Authorizer,
    private readonly collections: ReadModelCollections,
    private readonly templates: TemplatesService,
    /** Before a decision: the authorization and files models have everything the store held when the command arrived. */
    private readonly fresh: () => Promise<void>,
    private readonly nc: NatsConnection,
  ) {
    this.handle = commandHandler(store, jobDecider, jobStream);
  }

  /** `POST /api/projects/:id/jobs`: the job is queued once the request is recorded (the work-queue reactor takes it from there). */
  async run(principal: Principal, projectId: string, input: RunInput) {
    await this.fresh();
    const template = await this.templates.resolve(input.template);
    const jobId = newEntityId();
    return this.request(principal, jobId, {
      type: 'RequestJob',
      jobId,
      projectId,
      template,
      files: await this.filesNamed(input.inputs, projectId),
      inputs: input.inputs,
      parameters: input.parameters ?? {},
      machine: input.machine,
      ...this.actor(principal, projectId),
    });
  }

  /** "It creates a new job with the caller as triggerer, rerunOf set, rootJobId the first of the chain, and a new output folder." */
  async rerun(principal: Principal, originalId: string, input: RerunInput) {
    await this.fresh();
    const original = await this.reader.readable(principal, originalId);
    const { request } = original;
    const template = await this.templates.resolve(this.rerunTemplateRef(request.template, input.template));
    const jobId = newEntityId();
    return this.request(principal, jobId, {
      type: 'RerunJob',
      jobId,
      projectId: request.projectId,
      template,
      files: await this.filesNamed(input.inputs ?? request.inputs.map((file) => file.fileId), request.projectId),
      original: request,
      overrides: input,
      ...this.actor(principal, request.projectId),
    });
  }

  /** "Cancelling a queued job ends it at once. Cancelling a running job is cancelling until the runner confirms." */
  async cancel(principal: Principal, jobId: string) {
    await this.fresh();
    const { request } = await this.reader.readable(principal, jobId);
    const outcome = await this.handle(jobId, { type: 'CancelJob', ...this.actor(principal, request.projectId) }, { actor: principal.userId });
    const asked = outcome.events.find((event) => event.type === 'jobs.job.cancel-requested.v1');
    // The runner learns it from its next heartbeat's answer as well; this only saves it the wait.
    if (asked?.type === 'jobs.job.cancel-requested.v1') {
      const notice: CancelNotice = { jobId };
      this.nc.publish(cancelSubjectOf(asked.data.runnerId), JSON.stringify(notice));
    }
    return { position: outcome.position, job: { id: jobId, status: outcome.state.status as JobStatus } };
  }

  /** `GET /api/jobs/:id`: "Job Details (inputs, parameters, machine type)", status and timeline, lineage, outputs, comments. */
  async details(principal: Principal, jobId: string, minPosition?: number) {
    const record = await this.reader.readable(principal, jobId, minPosition);
    const { request, state } = record;
    const comments = (await (await this.collections.resolve<ReadModelDocument>(JOB_COMMENTS)).findOne({ _id: jobId })) as JobCommentsDocument | null;
    const original = request.rerunOf === undefined ? undefined : await this.reader.load(request.rerunOf);
    return {
      ...this.summaryOf(record),
      inputs: request.inputs,
      parameters: request.parameters,
      machine: request.machine,
      timeline: record.timeline,
      ...(state.failure && { failure: state.failure }),
      ...(state.progress && { progress: state.progress }),
      ...(original && { changes: changesBetween(original.request, request) }),
      outputs: [...state.outputs.values()],
      comments: { count: comments?.count ?? 0, ...(comments && { latest: comments.latest }) },
    };
  }

  /**
   * "Review the step-by-step flow: Inputs (verify file types are correct), Parameters (tune for improved
   * results), Machine type/performance": the original's choices checked against its pinned template.
   */
  async rerunForm(principal: Principal, jobId: string, minPosition?: number) {
    const { request } = await this.reader.readable(principal, jobId, minPosition);
    const versions = await this.templates.versionsOf(request.template.name);
    const template = versions.versions.get(request.template.version)!;
    const fileIds = request.inputs.map((input) => input.fileId);
    const checks = checkInputs(template, request.projectId, fileIds, await this.filesNamed(fileIds, request.projectId));
    const defaults = defaultsOf(template.parameters);
    const schemas = (template.parameters.properties ?? {}) as Record<string, unknown>;
    return {
      jobId,
      template: { ref: templateRefOf(template), name: template.name, version: template.version, latestVersion: versions.latest, versions: [...versions.versions.keys()] },
      inputs: request.inputs.map((input, index) => ({
        ...input,
        ...(checks[index].path !== undefined && checks[index].path !== input.path && { pathNow: checks[index].path }),
        present: checks[index].problem !== 'not-in-project' && checks[index].problem !== 'deleted',
        acceptedType: checks[index].problem === undefined,
        ...(checks[index].problem && { problem: checks[index].problem }),
      })),
      acceptedInputTypes: template.inputTypes,
      parameters: parameterNamesOf(template.parameters).map((name) => ({
        name,
        schema: schemas[name],
        ...(name in request.parameters && { value: request.parameters[name] }),
        ...(name in defaults && { default: defaults[name] }),
        differsFromDefault: JSON.stringify(request.parameters[name]) !== JSON.stringify(defaults[name]),
      })),
      machine: request.machine,
      allowedMachines: template.machineTypes,
    };
  }

  /** `GET /api/jobs/:a/diff?against=:b`: "the same comparison for any two jobs of one project". */
  async diff(principal: Principal, jobId: string, againstId: string, minPosition?: number) {
    const job = await this.reader.readable(principal, jobId, minPosition);
    const against = await this.reader.load(againstId);
    if (!against || against.request.projectId !== job.request.projectId) {
      throw invalidField('jobs.diff-same-project', 'against', 'must be a job of the same project');
    }
    return { jobId, against: againstId, changes: changesBetween(against.request, job.request) };
  }

  /** A project's jobs (`projectId`), or those of every project the caller may read; newest first. */
  async search(principal: Principal, input: SearchInput & { projectId?: string }, minPosition?: number): Promise<Page<ReturnType<JobsService['itemOf']>>> {
    if (input.projectId !== undefined) await this.authorizer.requireConsistent(input.projectId, principal.userId, 'project.read', minPosition);
    else await this.authorizer.settle(minPosition);
    const projectIds = input.projectId !== undefined ? [input.projectId] : this.authorizer.projectsReadableBy(principal.userId);
    if (projectIds.length === 0) return { items: [], nextCursor: null };
    const { limit, cursor, triggeredBy, projectId: _route, ...filters } = input;
    const search: JobSearchFilter = {
      ...filters,
      projectIds,
      ...(triggeredBy !== undefined && { triggeredBy: this.authorizer.model.userIdOf(triggeredBy) ?? triggeredBy }),
    };
    const { filter, sort } = jobSearchQuery(search, decodeCursor(cursor, ['string', 'string']));
    const documents = (await (await this.collections.resolve<JobSearchDocument>(JOB_SEARCH)).find(filter).sort(sort).limit(limit + 1).toArray()) as JobSearchDocument[];
    const page = pageOf(documents, limit, (last) => [last.createdAt, last._id]);
    return { items: page.items.map((document) => this.itemOf(document)), nextCursor: page.nextCursor };
  }

  /**
   * `GET /api/jobs/:id/lineage`: the chain of reruns the job belongs to, from its root, oldest first;
   * each with who ran it, its status and what changed against the job it reruns. Readable as the job is.
   */
  async lineage(principal: Principal, jobId: string, minPosition?: number) {
    const job = await this.reader.readable(principal, jobId, minPosition);
    const { projectId, rootJobId } = job.request;
    const { filter, sort } = lineageQuery(projectId, rootJobId);
    const documents = (await (await this.collections.resolve<JobSearchDocument>(JOB_SEARCH)).find(filter).sort(sort).limit(LINEAGE_LIMIT).toArray()) as JobSearchDocument[];
    // What changed is read from the jobs' own streams, as the job page shows it: the read model keeps no requests.
    const records = new Map((await Promise.all(documents.map((document) => this.reader.load(document._id)))).flatMap((record) => (record ? [[record.request.jobId, record] as const] : [])));
    const items = await Promise.all(
      documents.map(async (document) => {
        const parentId = document.rerunOf;
        const parent = parentId === undefined ? undefined : (records.get(parentId) ?? (await this.reader.load(parentId)));
        const record = records.get(document._id);
        return { ...this.itemOf(document), ...(parent && record && { changes: changesBetween(parent.request, record.request) }) };
      }),
    );
    return { jobId, rootJobId, items, truncated: documents.length === LINEAGE_LIMIT };
  }

  /**
   * "Search by triggerer" across projects: the people who ran a job in a project the caller may read,
   * whose username or display name (or a word of it) begins with `text`, by name. Nobody else is named.
   */
  async triggerers(principal: Principal, text: string, limit: number, minPosition?: number): Promise<{ items: Person[] }> {
    await this.authorizer.settle(minPosition);
    const projectIds = this.authorizer.projectsReadableBy(principal.userId);
    if (projectIds.length === 0) return { items: [] };
    const { filter, projection } = triggerersQuery(projectIds);
    const documents = (await (await this.collections.resolve<JobTriggererDocument>(JOB_TRIGGERERS)).find(filter, { projection }).toArray()) as Pick<JobTriggererDocument, 'triggeredBy'>[];
    const asked = text.trim().toLowerCase();
    const begins = (name: string | undefined) => name !== undefined && [name, ...name.split(/\s+/)].some((part) => part.toLowerCase().startsWith(asked));
    const people = [...new Set(documents.map((document) => document.triggeredBy))].map((userId) => this.personOf(userId)).filter((person) => begins(person.username) || begins(person.displayName));
    const nameOf = (person: Person) => person.displayName ?? person.username ?? person.id;
    return { items: people.sort((a, b) => nameOf(a).localeCompare(nameOf(b))).slice(0, limit) };
  }

  private async request(principal: Principal, jobId: string, command: JobCommand) {
    const outcome = await this.handle(jobId, command, { actor: principal.userId });
    // The answer is the job's list item, as `job_search` will hold it once it has the event.
    return { position: outcome.position, job: this.summaryOf((await this.reader.load(jobId))!) };
  }

  private actor(principal: Principal, projectId: string): { actor: string; actorCapabilities: Capability[] } {
    return { actor: principal.userId, actorCapabilities: CAPABILITIES.filter((capability) => this.authorizer.can(projectId, principal.userId, capability)) };
  }

  /** A rerun's template: the original's, or another version of it (the decider refuses another name). */
  private rerunTemplateRef(original: { name: string; version: string }, asked?: string): string {
    if (asked === undefined) return templateRefOf(original);
    const { name, version } = parseTemplateRef(asked);
    return version === undefined ? `${original.name}@${name}` : `${name}@${version}`;
  }

  /**
   * The project files a request names, as the jobs service knows them. A file of an experiment counts as
   * a file of `projectId` while the project links the experiment.
   */
  private async filesNamed(fileIds: unknown[], projectId: string): Promise<Map<string, ProjectFile>> {
    const collection = await this.collections.resolve<ProjectFileDocument>(PROJECT_FILES);
    const links = await this.collections.resolve<ExperimentLinksDocument>(EXPERIMENT_LINKS);
    const ids = [...new Set(fileIds.filter((id): id is string => typeof id === 'string'))];
    // One `_id` lookup per file (and per experiment): the only query FerretDB answers from an index.
    const documents = await Promise.all(ids.map((_id) => collection.findOne({ _id })));
    const experimentIds = [...new Set(documents.flatMap((document) => (document?.experimentId === undefined ? [] : [document.experimentId])))];
    const linked = new Set((await Promise.all(experimentIds.map((_id) => links.findOne({ _id })))).flatMap((experiment) => (experiment?.projects.includes(projectId) ? [experiment._id] : [])));
    return new Map(
      documents.flatMap((document) => {
        if (!document) return [];
        const ofProject = document.experimentId !== undefined && linked.has(document.experimentId) ? projectId : document.projectId;
        return [[document._id, { fileId: document._id, projectId: ofProject, path: document.path, present: document.present }]];
      }),
    );
  }

  private summaryOf(record: JobRecord) {
    const { request, state } = record;
    return this.itemOf({
      _id: request.jobId,
      ...jobSummaryOf(request, record.requestedAt),
      status: state.status as JobStatus,
      ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
      ...(record.endedAt !== undefined && { endedAt: record.endedAt }),
      ...(state.runnerId !== undefined && { runnerId: state.runnerId }),
      ...(state.failure && { failureKind: state.failure.kind }),
    });
  }

  private itemOf(document: JobSearchDocument) {
    const { _id, _position, templateLower: _lower, searchTerms: _terms, triggeredBy, machine, templateName, templateVersion, ...fields } = document as JobSearchDocument & { _position?: number };
    const [type, performance] = machine.split('/');
    return {
      id: _id,
      ...fields,
      template: `${templateName}@${templateVersion}`,
      templateName,
      templateVersion,
      machine: { type, performance },
      triggeredBy: this.personOf(triggeredBy),
    };
  }

  /** A person as the directory knows them now; only the id when it knows them not. */
  personOf(userId: string): Person {
    const person = this.authorizer.model.personOf(userId);
    return { id: userId, ...(person && { username: person.username, displayName: person.displayName }) };
  }
}
