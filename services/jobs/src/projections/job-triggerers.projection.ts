import type { Filter, IndexDescription } from 'mongodb';
import { defineProjection } from '@cairn/read-models';
import type { QueryShape } from './job-search.queries';

export const JOB_TRIGGERERS = 'job_triggerers';

/** Someone who has run at least one job in a project: whom the triggerer filter suggests. */
export interface JobTriggererDocument {
  /** `<projectId>/<userId>`: one document per project and person, however many jobs they ran. */
  _id: string;
  projectId: string;
  triggeredBy: string;
}

export const JOB_TRIGGERERS_INDEXES: IndexDescription[] = [{ key: { projectId: 1, triggeredBy: 1 } }];

/** Who ran jobs in these projects (the `{projectId, triggeredBy}` index serves it, and covers it: only `triggeredBy` is read). */
export function triggerersQuery(projectIds: readonly string[]): { filter: Filter<JobTriggererDocument>; projection: Record<string, 0 | 1>; shape: QueryShape } {
  return {
    filter: { projectId: projectIds.length === 1 ? projectIds[0] : { $in: [...projectIds] } },
    projection: { _id: 0, triggeredBy: 1 },
    shape: { equality: ['projectId'], sort: [], ranges: [], residual: [] },
  };
}

/** `job_triggerers`: the people who have run jobs, by project (`GET /api/jobs/triggerers`). */
export const jobTriggerersProjection = defineProjection({
  name: JOB_TRIGGERERS,
  version: 1,
  indexes: JOB_TRIGGERERS_INDEXES,
  on: {
    'jobs.job.requested.v1': ({ data, position }) => [
      { kind: 'replace', id: `${data.projectId}/${data.triggeredBy}`, position, document: { projectId: data.projectId, triggeredBy: data.triggeredBy } },
    ],
  },
});
