import type { Principal } from '@cairn/auth';
import { forbidden, invalidField, notFound, type AnnotationPin, type StackAnnotatedData } from '@cairn/contracts';
import type { EventStore, FreshnessGate, FreshState } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import type { ReadModelCollections } from '@cairn/read-models';
import { v7 as uuidv7 } from 'uuid';
import { annotationById, annotationsPage, newAnnotationOf, type AnnotationDocument } from '../projections';
import type { AccessView } from './access-view';
import type { ExperimentsService, ExperimentView } from './experiments.service';
import type { StacksService } from './stacks.service';
import { stackCommands } from './streams';

/** An annotation as answers give it; `versions` (every version, oldest first) only when one annotation is asked for. */
export type AnnotationView = Omit<AnnotationDocument, '_id' | 'versions'> & { id: string; versions?: AnnotationDocument['versions'] };

export interface AnnotationInput {
  body: string;
  pin?: AnnotationPin;
}

/**
 * Annotations on frames of an experiment's stacks (lab guide: the Commenter "can see experiments in the
 * project and comment/annotate stacks"; the Viewer "cannot comment/annotate"). Seen by whoever sees the
 * experiment. Written through one project that links the experiment and that the caller reads: the one
 * the call names, or else the first where they hold `stacks.annotate`. Its capabilities decide, its lab
 * directory resolves the `@mentions`, and its activity lists the annotation.
 */
export class AnnotationsService {
  private readonly stackCommands: ReturnType<typeof stackCommands>;

  constructor(
    store: EventStore,
    private readonly access: AccessView,
    private readonly collections: ReadModelCollections,
    private readonly fresh: FreshState,
    private readonly experiments: ExperimentsService,
    private readonly stacks: StacksService,
    /** The read models a command reads: the experiment directory, the stacks, the annotations. */
    private readonly sources: FreshnessGate[],
  ) {
    this.stackCommands = stackCommands(store);
  }

  async annotate(principal: Principal, experimentId: string, stackId: string, input: AnnotationInput & { frame: number; projectId?: string }) {
    const experiment = await this.stackNow(principal, experimentId, stackId);
    const projectId = this.projectToWriteThrough(experiment, principal, input.projectId);
    const annotationId = uuidv7();
    const outcome = await this.stackCommands(
      stackId,
      {
        type: 'AnnotateFrame',
        annotationId,
        projectId,
        frame: input.frame,
        body: input.body,
        ...(input.pin === undefined ? {} : { pin: input.pin }),
        directory: this.access.mentionableIn(projectId, input.body),
        actor: principal.userId,
        actorCapabilities: this.access.capabilitiesOf(projectId, principal.userId),
      },
      { actor: principal.userId },
    );
    const { versions: _versions, ...annotation } = newAnnotationOf(outcome.events[0].data as StackAnnotatedData, outcome.time!);
    return { position: outcome.position, annotation: viewOf({ _id: annotationId, ...annotation }) };
  }

  /** The author's new version: the whole body, and the pin (absent: the whole frame). */
  async edit(principal: Principal, experimentId: string, stackId: string, annotationId: string, input: AnnotationInput) {
    await this.stackNow(principal, experimentId, stackId);
    const annotation = await this.requireAnnotation(stackId, annotationId);
    const outcome = await this.stackCommands(
      stackId,
      {
        type: 'EditAnnotation',
        annotationId,
        body: input.body,
        ...(input.pin === undefined ? {} : { pin: input.pin }),
        directory: this.access.mentionableIn(annotation.projectId, input.body),
        actor: principal.userId,
        actorCapabilities: this.access.capabilitiesOf(annotation.projectId, principal.userId),
      },
      { actor: principal.userId },
    );
    return { position: outcome.position };
  }

  /** The stack's annotations, oldest first. */
  async list(principal: Principal, experimentId: string, stackId: string, query: { limit: number; cursor?: string }): Promise<Page<AnnotationView>> {
    await this.stacks.show(principal, experimentId, stackId);
    const page = await annotationsPage(this.collections, stackId, query.limit, query.cursor);
    return { items: page.items.map(({ versions: _versions, ...annotation }) => viewOf(annotation)), nextCursor: page.nextCursor };
  }

  /** One annotation with every version its author wrote. */
  async show(principal: Principal, experimentId: string, stackId: string, annotationId: string): Promise<AnnotationView> {
    await this.stacks.show(principal, experimentId, stackId);
    return viewOf(await this.requireAnnotation(stackId, annotationId));
  }

  /** The experiment, seen by the caller as the store held it when the command arrived, with the stack in it. */
  private async stackNow(principal: Principal, experimentId: string, stackId: string): Promise<ExperimentView> {
    await this.fresh.of(this.access, ...this.sources);
    const experiment = await this.experiments.requireVisible(principal, experimentId);
    await this.stacks.show(principal, experimentId, stackId);
    return experiment;
  }

  private projectToWriteThrough(experiment: ExperimentView, principal: Principal, named: string | undefined): string {
    if (named !== undefined) {
      if (!experiment.projects.includes(named)) throw invalidField('stacks.project-not-linking', 'projectId', 'is not a project of yours that links the experiment');
      return named;
    }
    const linking = experiment.projects;
    if (linking.length === 0) throw forbidden('stacks.annotate-through-a-project', 'annotations are written through a project that links the experiment; this one is in none');
    return linking.find((projectId) => this.access.can(projectId, principal.userId, 'stacks.annotate')) ?? linking[0];
  }

  private async requireAnnotation(stackId: string, annotationId: string): Promise<AnnotationDocument> {
    const annotation = await annotationById(this.collections, annotationId);
    if (!annotation || annotation.stackId !== stackId) throw notFound('stacks.annotation-not-found', `no annotation ${annotationId} on the stack`);
    return annotation;
  }
}

/** The document's fields an answer gives (not the read model's own, such as its position). */
function viewOf(annotation: Omit<AnnotationDocument, 'versions'> & Partial<Pick<AnnotationDocument, 'versions'>>): AnnotationView {
  const { stackId, experimentId, projectId, frame, version, body, pin, mentions, author, createdAt, editedAt, versions } = annotation;
  return {
    id: annotation._id,
    stackId,
    experimentId,
    projectId,
    frame,
    version,
    body,
    ...(pin === undefined ? {} : { pin }),
    mentions,
    author,
    createdAt,
    ...(editedAt === undefined ? {} : { editedAt }),
    ...(versions === undefined ? {} : { versions }),
  };
}
