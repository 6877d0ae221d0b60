import type { Projection } from '@cairn/read-models';
import { jobCommentsProjection } from './job-comments.projection';
import { jobSearchProjection } from './job-search.projection';
import { jobTemplatesProjection } from './job-templates.projection';
import { jobTriggerersProjection } from './job-triggerers.projection';
import { experimentLinksProjection, projectFilesProjection } from './project-files.projection';

export * from './job-comments.projection';
export * from './job-search.projection';
export * from './job-search.queries';
export * from './job-templates.projection';
export * from './job-triggerers.projection';
export * from './project-files.projection';

/** Every read model the jobs service keeps. */
export const jobsProjections: Projection[] = [jobSearchProjection, jobTemplatesProjection, projectFilesProjection, experimentLinksProjection, jobCommentsProjection, jobTriggerersProjection];
