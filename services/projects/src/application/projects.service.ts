import type { Principal } from '@cairn/auth';
import { DomainError, forbidden, notFound, slugify, type ProjectCreatedData } from '@cairn/contracts';
import { loadAggregate, type EventStore, type FreshState } from '@cairn/event-store';
import { encodeCursor, type Page } from '@cairn/http';
import { pageBy, pageByNumber, prefixOf, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import type { Collection, Filter } from 'mongodb';
import { projectDecider } from '../domain/project';
import { requireName } from '../domain/fields';
import { generateSlug, requireAvailableSlug } from '../domain/slug';
import {
  activityItemOf,
  EXPERIMENT_DIRECTORY,
  newProjectOf,
  PROJECT_ACTIVITY,
  PROJECT_DIRECTORY,
  type ActivityDocument,
  type ExperimentDocument,
  type ProjectDocument,
} from '../projections';
import type { AccessView } from './access-view';
import { isProjectId, projectCommands, projectIdOf, projectStream } from './streams';

export interface CreateProjectInput {
  lab: string;
  name: string;
  description?: string;
  slug?: string;
  scheme: string;
  baseLevel?: string;
}

export interface ProjectView {
  id: string;
  lab: string;
  slug: string;
  name: string;
  description: string;
  scheme: string;
  baseLevel?: string;
  status: 'active' | 'deleted';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const LATEST_EXPERIMENTS = 5;
/** Up to this many readable projects, a list asks the directory for them by id (`$in`); beyond, it filters the lab's list. */
const LIST_BY_ID_MAX = 500;
const LIST_SCAN_BATCH = 200;
const LATEST_ACTIVITY = 10;
/** Auto-generated slugs try the next suffix when the lab's directory had not yet seen a taken one. */
const SLUG_ATTEMPTS = 20;

/** Projects: creation with a slug unique in the lab, edits and deletion by the owner, the list and the project page. */
export class ProjectsService {
  private readonly projectCommands: ReturnType<typeof projectCommands>;

  constructor(
    private readonly store: EventStore,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly fresh: FreshState,
    private readonly listByIdMax = LIST_BY_ID_MAX,
  ) {
    this.projectCommands = projectCommands(store);
  }

  /**
   * The slugs the directory knows may be behind (a slug taken a moment ago): the creation's `no-stream`
   * append is what reserves a slug, and a taken one makes it try the next.
   */
  async create(principal: Principal, input: CreateProjectInput) {
    await this.fresh.of(this.access);
    // Before any stream is read: a non-member learns nothing about the lab's slugs.
    if (!this.access.isLabMember(input.lab, principal.userId)) {
      throw forbidden('labs.members-only', `only members of the lab may create projects`);
    }
    const name = requireName(input.name);
    const taken = new Set(input.slug === undefined ? await this.slugsStartingWith(input.lab, slugify(name)) : []);
    for (let attempt = 1; ; attempt++) {
      const slug = input.slug ?? generateSlug(name, taken);
      const projectId = projectIdOf(input.lab, slug);
      try {
        const outcome = await this.projectCommands(
          projectId,
          {
            type: 'CreateProject',
            projectId,
            lab: input.lab,
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            slug,
            scheme: input.scheme,
            ...(input.baseLevel === undefined ? {} : { baseLevel: input.baseLevel }),
            actor: principal.userId,
            actorIsLabMember: true,
            takenSlugs: taken,
          },
          { actor: principal.userId },
        );
        const created = outcome.events[0].data as ProjectCreatedData;
        // Answered once the creator's ownership is known too, so that "my projects" read with this
        // position lists the project (the access service records it after the creation).
        const ownershipKnownAt = await this.access.positionKnowing(created.projectId);
        return { position: Math.max(outcome.position, ownershipKnownAt ?? 0), project: viewOf({ _id: created.projectId, ...newProjectOf(created, outcome.time!) }) };
      } catch (error) {
        if (!(error instanceof DomainError && error.rule === 'projects.project-exists')) throw error;
        // The project stream of this (lab, slug) exists: the slug is taken.
        if (input.slug !== undefined || attempt >= SLUG_ATTEMPTS) requireAvailableSlug(slug, new Set([slug]));
        taken.add(slug);
      }
    }
  }

  /** `expectedVersion`: the project's version the caller decided on (the project page's ETag). */
  async update(principal: Principal, projectId: string, changes: { name?: string; description?: string }, expectedVersion?: number) {
    await this.fresh.of(this.access);
    const outcome = await this.projectCommands(
      projectId,
      { type: 'UpdateProject', actor: principal.userId, actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId), ...changes },
      { actor: principal.userId, expectedVersion },
    );
    const { state } = outcome;
    return { position: outcome.position, project: { id: state.projectId, lab: state.lab, slug: state.slug, name: state.name, description: state.description } };
  }

  async delete(principal: Principal, projectId: string, expectedVersion?: number) {
    await this.fresh.of(this.access);
    const outcome = await this.projectCommands(
      projectId,
      { type: 'DeleteProject', actor: principal.userId, actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId) },
      { actor: principal.userId, expectedVersion },
    );
    return { position: outcome.position };
  }

  /**
   * The projects the caller may read, active ones, by name; `q` is a prefix of the name or the slug.
   * Someone who reads few projects gets them by id; someone who reads many (every project of a large lab
   * through its base level) gets the lab's list filtered as it is read, which costs about one page.
   */
  async list(principal: Principal, query: { lab?: string; q?: string; limit: number; cursor?: string }): Promise<Page<ProjectView>> {
    await this.access.settle();
    const readable = this.access.projectsReadableBy(principal.userId);
    const filter: Filter<ReadModelDocument> = {
      status: 'active',
      ...(query.lab === undefined ? {} : { lab: query.lab }),
      ...(query.q ? { $or: [{ nameLower: prefixOf(query.q) }, { slug: prefixOf(query.q) }] } : {}),
    };
    const directory = await this.collections.resolve<ReadModelDocument>(PROJECT_DIRECTORY);
    const page =
      readable.length <= this.listByIdMax
        ? await pageBy<ProjectDocument>(directory, { ...filter, _id: { $in: readable } }, 'nameLower', query.limit, query.cursor)
        : await this.readableInOrder(directory, filter, new Set(readable), query.limit, query.cursor);
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  /** Reads the filtered directory in name order, a batch at a time, keeping what the caller may read. */
  private async readableInOrder(
    directory: Collection<ReadModelDocument>,
    filter: Filter<ReadModelDocument>,
    readable: ReadonlySet<string>,
    limit: number,
    cursor?: string,
  ): Promise<Page<ProjectDocument>> {
    const items: ProjectDocument[] = [];
    let after = cursor;
    for (;;) {
      const batch = await pageBy<ProjectDocument>(directory, filter, 'nameLower', Math.max(limit + 1, LIST_SCAN_BATCH), after);
      for (const document of batch.items) {
        if (!readable.has(document._id)) continue;
        // One beyond the page says whether there is a next one.
        if (items.length === limit) return { items, nextCursor: encodeCursor([items[limit - 1].nameLower, items[limit - 1]._id]) };
        items.push(document);
      }
      if (batch.nextCursor === null) return { items, nextCursor: null };
      after = batch.nextCursor;
    }
  }

  /** `idOrSlug` is a project id, or a slug with its lab. */
  resolveId(idOrSlug: string, lab?: string): string {
    if (isProjectId(idOrSlug)) return idOrSlug;
    if (lab === undefined) throw notFound('projects.slug-needs-lab', `"${idOrSlug}" is not a project id; a slug needs ?lab=`);
    return projectIdOf(lab, idOrSlug);
  }

  /**
   * The project page: "a description of the project, latest experiments and activity within the
   * project, plus the users who have access to the project"; and the project's version. What an update
   * changes (name, description, status) is the project's stream at that version, not the directory,
   * which may not have applied the latest change yet: a client editing what it read sends an
   * `If-Match` that is true of what it saw.
   */
  async page(principal: Principal, projectId: string, minPosition?: number) {
    // The directory has passed the request's Cairn-Min-Position (the shared interceptor waited for it).
    const project = await (await this.collections.resolve<ReadModelDocument>(PROJECT_DIRECTORY)).findOne({ _id: projectId });
    // One the caller cannot see is answered exactly as one that does not exist: project ids can be guessed.
    const missing = () => notFound('projects.project-not-found', `no project ${projectId}`);
    if (!project) throw missing();
    await this.access.require(projectId, principal.userId, 'project.read', minPosition, missing);
    const { state, version } = await loadAggregate(this.store, projectStream(projectId), projectDecider);
    if (version === 'no-stream') throw notFound('projects.project-not-found', `no project ${projectId}`);
    const latestExperiments = (await (await this.collections.resolve<ReadModelDocument>(EXPERIMENT_DIRECTORY))
      .find({ projects: projectId })
      .sort({ createdAt: -1, _id: 1 })
      .limit(LATEST_EXPERIMENTS)
      .toArray()) as unknown as ExperimentDocument[];
    const activity = await this.activity(principal, projectId, LATEST_ACTIVITY);
    const page = {
      ...viewOf(project as unknown as ProjectDocument),
      name: state.name,
      description: state.description,
      status: state.status === 'deleted' ? 'deleted' : 'active',
      you: { ...this.access.explain(projectId, principal.userId), capabilities: this.access.capabilitiesOf(projectId, principal.userId) },
      latestExperiments: latestExperiments.map(({ _id, name, description, createdAt }) => ({ id: _id, name, description, createdAt })),
      latestActivity: activity.items,
      people: this.access.peopleWithAccess(projectId),
    };
    return { version, page };
  }

  /** Newest first, from every context; the caller must be able to read the project. */
  async activity(principal: Principal, projectId: string, limit: number, cursor?: string, minPosition?: number) {
    await this.access.require(projectId, principal.userId, 'project.read', minPosition);
    const page = await pageByNumber<ActivityDocument>(await this.collections.resolve<ReadModelDocument>(PROJECT_ACTIVITY), { projectId }, 'position', -1, limit, cursor);
    return { items: page.items.map(activityItemOf), nextCursor: page.nextCursor };
  }

  private async slugsStartingWith(lab: string, base: string): Promise<string[]> {
    const documents = await (await this.collections.resolve<ReadModelDocument>(PROJECT_DIRECTORY))
      .find({ lab, slug: prefixOf(base) }, { projection: { slug: 1 } })
      .toArray();
    return documents.map((document) => String(document.slug));
  }
}

function viewOf(document: ProjectDocument): ProjectView {
  const { _id, nameLower: _nameLower, _position, ...fields } = document as ProjectDocument & { _position?: number };
  return { id: _id, ...fields };
}
