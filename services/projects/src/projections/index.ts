import type { Projection } from '@cairn/read-models';
import { deletionRequestsProjection } from './deletion-requests.projection';
import { experimentDirectoryProjection } from './experiment-directory.projection';
import { experimentFilesProjection } from './experiment-files.projection';
import { experimentStacksProjection } from './experiment-stacks.projection';
import { fileIndexProjection } from './file-index.projection';
import { projectActivityProjection } from './project-activity.projection';
import { projectDirectoryProjection } from './project-directory.projection';
import { runnerHoldsProjection } from './runner-holds.projection';
import { stackAnnotationsProjection } from './stack-annotations.projection';

export * from './deletion-requests.projection';
export * from './experiment-directory.projection';
export * from './experiment-files.projection';
export * from './experiment-stacks.projection';
export * from './file-index.projection';
export * from './project-activity.projection';
export * from './project-directory.projection';
export * from './runner-holds.projection';
export * from './stack-annotations.projection';

/** Every read model the projects service keeps. */
export const projectsProjections: Projection[] = [
  projectDirectoryProjection,
  experimentDirectoryProjection,
  fileIndexProjection,
  experimentFilesProjection,
  experimentStacksProjection,
  stackAnnotationsProjection,
  deletionRequestsProjection,
  projectActivityProjection,
  runnerHoldsProjection,
];
