import type { Authorizer, Principal } from '@cairn/auth';
import { invalidField, notFound, type Capability, type CommentAddedData, type CommentTarget, type Mention } from '@cairn/contracts';
import { commandHandler, loadAggregate, type EventStore, newEntityId } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { commentThreadDecider, type CommentState } from '../domain';
import { newCommentOf, targetKey, type CommentDocument, type CommentsView, type LogbookReferences, type TargetKind } from '../projections';
import { People, type PersonRef } from './people';
import { threadIdOf, threadStream } from './streams';

/** What a comment route is on: `/api/jobs/:id/comments` or `/api/experiments/:id/comments`. */
export interface Target {
  kind: TargetKind;
  id: string;
}

export interface CommentView {
  id: string;
  projectId: string;
  on: CommentTarget;
  body: string;
  mentions: Mention[];
  /** 1 as first written; each edit adds one. */
  version: number;
  author: PersonRef;
  createdAt: string;
  editedAt?: string;
}

/** Comments on jobs and experiments of a project ("Add comments to jobs"; commenters "comment/annotate"). */
export class CommentsService {
  private readonly handle;
  private readonly people: People;

  constructor(
    private readonly store: EventStore,
    private readonly authorizer: Authorizer,
    private readonly view: CommentsView,
    private readonly references: LogbookReferences,
    /** Resolves once the models a command decides on (authorization, references) have caught up with the store. */
    private readonly decideFresh: () => Promise<void>,
  ) {
    this.handle = commandHandler(store, commentThreadDecider, threadStream);
    this.people = new People(authorizer.model);
  }

  /** The thread, oldest first, and how many comments it has. */
  async thread(principal: Principal, target: Target, page: { limit: number; cursor?: string }, minPosition?: number): Promise<Page<CommentView> & { count: number }> {
    await this.visibleProjectsOf(target, principal, minPosition);
    const key = targetKey(target.kind, target.id);
    const [comments, count] = await Promise.all([this.view.thread(key, page.limit, page.cursor), this.view.count(key)]);
    return { items: comments.items.map((comment) => this.commentView(target, comment)), nextCursor: comments.nextCursor, count };
  }

  /** The comment as it reads now, with every version of it, the first as written first. */
  async comment(principal: Principal, target: Target, commentId: string, minPosition?: number) {
    await this.visibleProjectsOf(target, principal, minPosition);
    const comment = await this.view.comment(targetKey(target.kind, target.id), commentId);
    if (!comment) throw commentNotFound(commentId);
    const versions = await this.view.versions(commentId);
    return { ...this.commentView(target, comment), versions: versions.map(({ version, body, mentions, at }) => ({ version, body, mentions, at })) };
  }

  /**
   * On a job: in the job's project. On an experiment: in `projectId` when given, else in the one project
   * linking it where the caller may comment (several such projects must be told apart by `projectId`).
   */
  async add(principal: Principal, target: Target, input: { body: string; projectId?: string }, minPosition?: number) {
    await this.decideFresh();
    const projects = await this.visibleProjectsOf(target, principal, minPosition);
    const projectId = await this.projectToCommentIn(principal, projects, input.projectId, minPosition);
    const commentId = newEntityId();
    const outcome = await this.handle(
      threadIdOf(target.kind, target.id),
      {
        type: 'AddComment',
        target: onTarget(target),
        projectId,
        commentId,
        body: input.body,
        directory: this.people.mentionableIn(projectId, input.body),
        actor: principal.userId,
      },
      { actor: principal.userId },
    );
    const added = outcome.events[0].data as CommentAddedData;
    return { position: outcome.position, comment: this.commentView(target, { _id: commentId, ...newCommentOf(added, outcome.position, outcome.time!) }) };
  }

  /** The author edits, while they still may comment in the comment's project. */
  async edit(principal: Principal, target: Target, commentId: string, input: { body: string }, minPosition?: number) {
    await this.decideFresh();
    await this.visibleProjectsOf(target, principal, minPosition);
    const thread = threadIdOf(target.kind, target.id);
    const existing = (await loadAggregate(this.store, threadStream(thread), commentThreadDecider)).state.comments.get(commentId);
    if (!existing) throw commentNotFound(commentId);
    await this.authorizer.requireConsistent(existing.projectId, principal.userId, 'comments.write', minPosition);
    const outcome = await this.handle(
      thread,
      { type: 'EditComment', commentId, body: input.body, directory: this.people.mentionableIn(existing.projectId, input.body), actor: principal.userId },
      { actor: principal.userId },
    );
    return { position: outcome.position, comment: this.stateView(commentId, outcome.state.comments.get(commentId)!) };
  }

  /**
   * The projects the target belongs to, as the logbook has seen them, once the caller can read one of
   * them: 404 for a target it does not know, and the very same for one the caller cannot see (its
   * comments are as hidden as the job or experiment itself).
   */
  private async visibleProjectsOf(target: Target, principal: Principal, minPosition?: number): Promise<string[]> {
    const projects =
      target.kind === 'job'
        ? [(await this.references.job(target.id))?.projectId].filter((projectId) => projectId !== undefined)
        : await this.references.projectsOfExperiment(target.id);
    const unknown = () =>
      notFound('comments.target-unknown', `there is no ${target.kind} ${target.id} in any project, or it is not known here yet`, { [`${target.kind}Id`]: target.id });
    if (projects.length === 0) throw unknown();
    await this.requireOnAny(projects, principal, 'project.read', minPosition, unknown);
    return projects;
  }

  /** Allowed on one of the projects: otherwise refused as for the first of them the caller can see (`unseen()` when none). */
  private async requireOnAny(projects: string[], principal: Principal, capability: Capability, minPosition?: number, unseen?: () => Error): Promise<string> {
    await this.authorizer.settle(minPosition);
    const allowed = projects.find((projectId) => this.authorizer.can(projectId, principal.userId, capability));
    if (allowed !== undefined) return allowed;
    const seen = projects.find((projectId) => this.authorizer.can(projectId, principal.userId, 'project.read')) ?? projects[0];
    await this.authorizer.requireConsistent(seen, principal.userId, capability, minPosition, unseen);
    return seen;
  }

  private async projectToCommentIn(principal: Principal, projects: string[], chosen: string | undefined, minPosition?: number): Promise<string> {
    if (chosen !== undefined) {
      if (!projects.includes(chosen)) throw invalidField('comments.target-not-in-project', 'projectId', 'is not a project this is part of');
      await this.authorizer.requireConsistent(chosen, principal.userId, 'comments.write', minPosition);
      return chosen;
    }
    const writable = projects.filter((projectId) => this.authorizer.can(projectId, principal.userId, 'comments.write'));
    if (writable.length > 1) {
      throw invalidField('comments.project-ambiguous', 'projectId', `it is part of several of your projects: name one of ${writable.join(', ')}`);
    }
    return this.requireOnAny(projects, principal, 'comments.write', minPosition);
  }

  private commentView(target: Target, comment: CommentDocument): CommentView {
    return {
      id: comment._id,
      projectId: comment.projectId,
      on: onTarget(target),
      body: comment.body,
      mentions: comment.mentions,
      version: comment.version,
      author: this.people.ref(comment.author),
      createdAt: comment.createdAt,
      ...(comment.editedAt === undefined ? {} : { editedAt: comment.editedAt }),
    };
  }

  /** An edit's answer: the comment as its thread's stream has it, without the times the read model keeps. */
  private stateView(commentId: string, comment: CommentState): Omit<CommentView, 'createdAt'> {
    const { projectId, target, body, mentions, version, author } = comment;
    return { id: commentId, projectId, on: target, body, mentions: [...mentions], version, author: this.people.ref(author) };
  }
}

function onTarget(target: Target): CommentTarget {
  return target.kind === 'job' ? { jobId: target.id } : { experimentId: target.id };
}

function commentNotFound(commentId: string) {
  return notFound('comments.comment-not-found', `there is no comment ${commentId} here`, { commentId });
}
