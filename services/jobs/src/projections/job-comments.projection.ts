import { defineProjection } from '@cairn/read-models';

export const JOB_COMMENTS = 'job_comments';

/** A job's comment count and its latest comment (the logbook service owns comments). */
export interface JobCommentsDocument {
  _id: string;
  count: number;
  latest: { commentId: string; body: string; author: string; at: string };
}

/**
 * "Open a job to view: ... Comments": how many a job has and the latest, from the logbook's events.
 * The latest is shown as it was first written; its edits stay with the logbook service's thread.
 */
export const jobCommentsProjection = defineProjection({
  name: JOB_COMMENTS,
  version: 1,
  on: {
    'logbook.comment.added.v1': ({ data, position, time }) => {
      if (data.jobId === undefined) return [];
      const latest = { commentId: data.commentId, body: data.body, author: data.actor, at: time };
      return [{ kind: 'update', id: data.jobId, position, update: { $inc: { count: 1 }, $set: { latest } } }];
    },
  },
});
