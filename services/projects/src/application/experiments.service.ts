import type { Principal } from '@cairn/auth';
import { forbidden, notFound, type ExperimentCreatedData } from '@cairn/contracts';
import { newEntityId, type EventStore, type FreshnessGate, type FreshState } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { pageBy, prefixOf, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import type { Filter } from 'mongodb';
import { EXPERIMENT_DIRECTORY, newExperimentOf, type ExperimentDocument } from '../projections';
import type { AccessView } from './access-view';
import { experimentCommands, experimentStream, projectCommands } from './streams';

export interface ExperimentView {
  id: string;
  lab: string;
  name: string;
  description: string;
  createdBy: string;
  createdAt: string;
  /** The projects it is in that the caller can read. */
  projects: string[];
}

/** What can be in a stream name; any other id names no experiment. */
const STREAM_ID = /^[A-Za-z0-9_-]+$/;

/** Lab experiments ("linked datasets"), a project's experiments page and the experiment manager's bulk add and remove. */
export class ExperimentsService {
  private readonly experimentCommands: ReturnType<typeof experimentCommands>;
  private readonly projectCommands: ReturnType<typeof projectCommands>;

  constructor(
    private readonly store: EventStore,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly fresh: FreshState,
    /** `experiment_directory` as the visibility check reads it. */
    private readonly directory: FreshnessGate,
  ) {
    this.experimentCommands = experimentCommands(store);
    this.projectCommands = projectCommands(store);
  }

  async create(principal: Principal, lab: string, input: { name: string; description?: string }) {
    await this.fresh.of(this.access);
    const experimentId = newEntityId();
    const outcome = await this.experimentCommands(
      experimentId,
      {
        type: 'CreateExperiment',
        experimentId,
        lab,
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        actor: principal.userId,
        actorIsLabMember: this.access.isLabMember(lab, principal.userId),
      },
      { actor: principal.userId },
    );
    const data = outcome.events[0].data as ExperimentCreatedData;
    return { position: outcome.position, experiment: viewOf({ _id: data.experimentId, ...newExperimentOf(data, outcome.time!) }, new Set()) };
  }

  /**
   * The lab's experiments the caller can see, by name, `q` a name prefix: "an experiment in no project
   * is visible to the whole lab; in one or more projects it is visible to those who can read any of them".
   */
  async listLab(principal: Principal, lab: string, query: { q?: string; limit: number; cursor?: string }): Promise<Page<ExperimentView>> {
    await this.access.settle();
    const isMember = this.access.isLabMember(lab, principal.userId);
    const readable = this.access.projectsReadableBy(principal.userId).filter((projectId) => this.access.labOf(projectId) === lab);
    if (!isMember && readable.length === 0) throw forbidden('labs.members-only', `only members of lab ${lab} see its experiments`);
    const filter: Filter<ReadModelDocument> = {
      lab,
      ...(query.q ? { nameLower: prefixOf(query.q) } : {}),
      $or: [...(isMember ? [{ projects: { $size: 0 } }] : []), { projects: { $in: readable } }],
    };
    const page = await pageBy<ExperimentDocument>(await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY), filter, 'nameLower', query.limit, query.cursor);
    const readableSet = new Set(readable);
    return { items: page.items.map((document) => viewOf(document, readableSet)), nextCursor: page.nextCursor };
  }

  /** "The experiments page in a project lists and paginates all the experiments in a project", newest first. */
  async listProject(principal: Principal, projectId: string, page: number, pageSize: number, minPosition?: number) {
    await this.access.require(projectId, principal.userId, 'project.read', minPosition);
    const collection = await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY);
    const filter = { projects: projectId };
    const [total, documents] = await Promise.all([
      collection.countDocuments(filter),
      collection
        .find(filter)
        .sort({ createdAt: -1, _id: 1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .toArray(),
    ]);
    const readable = new Set(this.access.projectsReadableBy(principal.userId));
    return { items: (documents as unknown as ExperimentDocument[]).map((document) => viewOf(document, readable)), page, pageSize, total };
  }

  /**
   * The experiment, if the caller can see it: "an experiment in no project is visible to the whole lab;
   * in one or more projects it is visible to those who can read any of them". A hidden experiment
   * answers exactly like a missing one (404), on every route of the experiment.
   */
  async requireVisible(principal: Principal, experimentId: string): Promise<ExperimentView> {
    await this.access.settle();
    const document = STREAM_ID.test(experimentId)
      ? ((await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY)).findOne({ _id: experimentId })) as ExperimentDocument | null)
      : null;
    const readable = (projectId: string) => this.access.can(projectId, principal.userId, 'project.read');
    const visible = document && (document.projects.length === 0 ? this.access.isLabMember(document.lab, principal.userId) : document.projects.some(readable));
    if (!document || !visible) throw notFound('experiments.not-found', `no experiment ${experimentId}`);
    return viewOf(document, new Set(document.projects.filter(readable)));
  }

  /**
   * Bulk add: every experiment of the call is added in one commit, or none (an unknown id refuses the call).
   * Only experiments the caller can see can be added, and an addition that would show one to more people
   * is refused with who would newly see what, unless `confirmWidening`, as a removal is. Who sees what is
   * as the store held it when the call arrived. An experiment the directory does not know yet is in no
   * project; its lab, which never changes, is read from its stream.
   */
  async link(principal: Principal, projectId: string, experimentIds: string[], confirmWidening: boolean) {
    await this.fresh.of(this.access, this.directory);
    const outcome = await this.projectCommands(
      projectId,
      {
        type: 'LinkExperiments',
        actor: principal.userId,
        actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
        experimentIds,
        experimentLabs: await this.labsOf(experimentIds),
        confirmWidening,
        audience: await this.audienceOf(projectId, experimentIds),
      },
      { actor: principal.userId },
    );
    return { position: outcome.position, linked: outcome.events.flatMap((event) => ('experimentIds' in event.data ? event.data.experimentIds : [])) };
  }

  /**
   * Bulk remove, in one commit. When an experiment would leave its last project the whole lab would
   * see it: the call is refused with who would newly see what, unless `confirmWidening`. Which projects
   * each experiment is in, and who reads them, are as the store held them when the call arrived: a link
   * made a moment ago is counted, a removal of a moment ago too.
   */
  async unlink(principal: Principal, projectId: string, experimentIds: string[], confirmWidening: boolean) {
    await this.fresh.of(this.access, this.directory);
    const outcome = await this.projectCommands(
      projectId,
      {
        type: 'UnlinkExperiments',
        actor: principal.userId,
        actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
        experimentIds,
        confirmWidening,
        audience: await this.audienceOf(projectId, experimentIds),
      },
      { actor: principal.userId },
    );
    return { position: outcome.position, unlinked: outcome.events.flatMap((event) => ('experimentIds' in event.data ? event.data.experimentIds : [])) };
  }

  /** Who sees the experiments today: the project's lab members, the projects each is in, and who reads those and this one. */
  private async audienceOf(projectId: string, experimentIds: unknown[]) {
    const lab = this.access.labOf(projectId);
    if (lab === undefined) throw notFound('project.unknown', `There is no project ${projectId}, or it is not known here yet.`);
    const projectsOf = new Map<string, string[]>();
    const documents = await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY))
      .find({ _id: { $in: experimentIds.filter((id): id is string => typeof id === 'string') } }, { projection: { projects: 1 } })
      .toArray();
    for (const document of documents) projectsOf.set(String(document._id), document.projects as string[]);
    const projects = new Set([projectId, ...[...projectsOf.values()].flat()]);
    const readersOf = new Map([...projects].map((id) => [id, this.access.readersOf(id)]));
    return { labMembers: this.access.labMembers(lab), projectsOf, readersOf };
  }

  /**
   * The lab of each experiment that exists. The read model answers for almost all; one created a moment
   * ago may not be in it yet, so the missing ones are read from their own streams.
   */
  private async labsOf(experimentIds: unknown[]): Promise<Map<string, string>> {
    const ids = [...new Set(experimentIds.filter((id): id is string => typeof id === 'string' && STREAM_ID.test(id)))];
    const labs = new Map<string, string>();
    const documents = await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY))
      .find({ _id: { $in: ids } }, { projection: { lab: 1 } })
      .toArray();
    for (const document of documents) labs.set(String(document._id), String(document.lab));
    for (const id of ids.filter((experimentId) => !labs.has(experimentId))) {
      const [created] = await this.store.readStream(experimentStream(id));
      if (created) labs.set(id, (created.data as ExperimentCreatedData).lab);
    }
    return labs;
  }
}

function viewOf(document: ExperimentDocument, readable: ReadonlySet<string>): ExperimentView {
  return {
    id: document._id,
    lab: document.lab,
    name: document.name,
    description: document.description,
    createdBy: document.createdBy,
    createdAt: document.createdAt,
    projects: document.projects.filter((projectId) => readable.has(projectId)),
  };
}
