import {
  conflict,
  forbidden,
  notFound,
  COMMENT_BODY_MAX_LENGTH,
  type CommentTarget,
  type CommentThreadEvent,
  type Decider,
  type Mention,
  mentionsIn,
  requireMarkdown,
  type LabDirectory,
} from '@cairn/contracts';

/**
 * The comments on one job or one experiment ("Add comments to jobs" in the facility guide; commenters
 * "comment/annotate" in the lab guide). Streams: `logbook_thread-job-<jobId>`,
 * `logbook_thread-experiment-<experimentId>`. Every edit is a new version of the comment; earlier ones
 * stay in the stream.
 */
export interface CommentThreadState {
  comments: ReadonlyMap<string, CommentState>;
}

export interface CommentState {
  projectId: string;
  target: CommentTarget;
  author: string;
  version: number;
  body: string;
  mentions: readonly Mention[];
}

export interface AddComment {
  type: 'AddComment';
  target: CommentTarget;
  projectId: string;
  commentId: string;
  body: string;
  directory: LabDirectory;
  actor: string;
}

export interface EditComment {
  type: 'EditComment';
  commentId: string;
  body: string;
  directory: LabDirectory;
  actor: string;
}

export type CommentCommand = AddComment | EditComment;

export const commentThreadDecider: Decider<CommentCommand, CommentThreadState, CommentThreadEvent> = {
  initialState: () => ({ comments: new Map() }),

  decide(command, state) {
    switch (command.type) {
      case 'AddComment': {
        if (state.comments.has(command.commentId)) throw conflict('comments.comment-exists', `comment ${command.commentId} already exists`);
        const body = requireMarkdown(command.body, 'body', COMMENT_BODY_MAX_LENGTH);
        return [
          {
            type: 'logbook.comment.added.v1',
            data: {
              ...command.target,
              projectId: command.projectId,
              commentId: command.commentId,
              version: 1,
              body,
              mentions: mentionsIn(body, command.directory),
              actor: command.actor,
            },
          },
        ];
      }
      case 'EditComment':
        return edit(command, state);
    }
  },

  evolve(state, event) {
    const { commentId, projectId, version, body, mentions, actor } = event.data;
    const target: CommentTarget = event.data.jobId !== undefined ? { jobId: event.data.jobId } : { experimentId: event.data.experimentId! };
    const previous = state.comments.get(commentId);
    const comment = { projectId, target, author: previous?.author ?? actor, version, body, mentions };
    return { comments: new Map(state.comments).set(commentId, comment) };
  },
};

/** "An author may edit their comment": nobody else may, whatever their role. The same body again changes nothing. */
function edit(command: EditComment, state: CommentThreadState): CommentThreadEvent[] {
  const comment = state.comments.get(command.commentId);
  if (!comment) throw notFound('comments.comment-not-found', `there is no comment ${command.commentId} here`, { commentId: command.commentId });
  if (comment.author !== command.actor) throw forbidden('comments.author-only', 'only the author of a comment may edit it', { commentId: command.commentId });
  const body = requireMarkdown(command.body, 'body', COMMENT_BODY_MAX_LENGTH);
  if (body === comment.body) return [];
  return [
    {
      type: 'logbook.comment.edited.v1',
      data: {
        ...comment.target,
        projectId: comment.projectId,
        commentId: command.commentId,
        version: comment.version + 1,
        body,
        mentions: mentionsIn(body, command.directory),
        actor: command.actor,
      },
    },
  ];
}
