import type { CommentAddedData, Mention, StoredEventOf } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { defineProjection, pageByNumber, type ReadModelCollections, type ReadModelDocument, type WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { keepVersion } from './kept-versions';
import { documentById } from './queries';

export const COMMENTS_VIEW = 'comments_view';

export type TargetKind = 'job' | 'experiment';

/** `job/<jobId>` or `experiment/<experimentId>`: what a thread is on. */
export const targetKey = (kind: TargetKind, id: string) => `${kind}/${id}`;

/** A comment as it reads now. */
export interface CommentDocument {
  _id: string;
  kind: 'comment';
  target: string;
  projectId: string;
  author: string;
  body: string;
  mentions: Mention[];
  version: number;
  createdAt: string;
  /** When the latest edit was made; absent while there is none. */
  editedAt?: string;
  /** Orders the thread: oldest comment first. */
  addedPosition: number;
}

/** One version of a comment, kept whole: `_id` is `<commentId>/<version>`. */
export interface CommentVersionDocument {
  _id: string;
  kind: 'version';
  commentId: string;
  version: number;
  body: string;
  mentions: Mention[];
  at: string;
}

/** A comment as its thread lists it when just added: what the projection writes, and the add command answers. */
export function newCommentOf(data: CommentAddedData, position: number, time: string): Omit<CommentDocument, '_id'> {
  return {
    kind: 'comment',
    target: data.jobId !== undefined ? targetKey('job', data.jobId) : targetKey('experiment', data.experimentId),
    projectId: data.projectId,
    author: data.actor,
    body: data.body,
    mentions: data.mentions,
    version: data.version,
    createdAt: time,
    addedPosition: position,
  };
}

// Each query of `CommentsView` has its index here (equality fields, then the sort).
const THREAD_OLDEST_FIRST = { key: { kind: 1, target: 1, addedPosition: 1 }, name: 'thread_oldest_first' };
const VERSIONS_IN_ORDER = { key: { kind: 1, commentId: 1, version: 1 }, name: 'versions_in_order' };

/** The comment threads of jobs and experiments, with every version of every comment. */
export const commentsViewProjection = defineProjection({
  name: COMMENTS_VIEW,
  version: 1,
  indexes: [THREAD_OLDEST_FIRST, VERSIONS_IN_ORDER],
  on: {
    'logbook.comment.added.v1': (event) => {
      const { data, position, time } = event;
      return [{ kind: 'replace', id: data.commentId, position, document: newCommentOf(data, position, time) }, versionWrite(event)];
    },
    'logbook.comment.edited.v1': (event) => {
      const { data, position, time } = event;
      const changes = { body: data.body, mentions: data.mentions, version: data.version, editedAt: time };
      return [{ kind: 'update', id: data.commentId, position, update: { $set: changes }, upsert: false }, versionWrite(event)];
    },
  },
});

function versionWrite({ data, position, time }: StoredEventOf<'logbook.comment.added.v1' | 'logbook.comment.edited.v1'>): WriteIntent {
  const { commentId, version, body, mentions } = data;
  const kept: Omit<CommentVersionDocument, '_id'> = { kind: 'version', commentId, version, body, mentions, at: time };
  return keepVersion(commentId, version, position, kept);
}

/** The queries the comment routes make of `comments_view`. */
export class CommentsView {
  constructor(private readonly collections: ReadModelCollections) {}

  /** Served by THREAD_OLDEST_FIRST. */
  async thread(target: string, limit: number, cursor?: string): Promise<Page<CommentDocument>> {
    return pageByNumber<CommentDocument>(await this.collection(), { kind: 'comment', target }, 'addedPosition', 1, limit, cursor);
  }

  /** Served by THREAD_OLDEST_FIRST (equality on its first two fields). */
  async count(target: string): Promise<number> {
    return (await this.collection()).countDocuments({ kind: 'comment', target });
  }

  /** The comment, if it is on this target. */
  async comment(target: string, commentId: string): Promise<CommentDocument | undefined> {
    return documentById<CommentDocument>(await this.collection(), commentId, { kind: 'comment', target });
  }

  /** Served by VERSIONS_IN_ORDER: every version of the comment, the first as written first. */
  async versions(commentId: string): Promise<CommentVersionDocument[]> {
    return (await (await this.collection()).find({ kind: 'version', commentId }).sort({ version: 1 }).toArray()) as unknown as CommentVersionDocument[];
  }

  private collection(): Promise<Collection<ReadModelDocument>> {
    return this.collections.resolve<ReadModelDocument>(COMMENTS_VIEW);
  }
}
