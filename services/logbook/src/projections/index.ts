import type { Projection } from '@cairn/read-models';
import { commentsViewProjection } from './comments-view.projection';
import { logbookReferencesProjection } from './logbook-references.projection';
import { logbookViewProjection } from './logbook-view.projection';

export * from './comments-view.projection';
export * from './logbook-references.projection';
export * from './logbook-view.projection';

/** Every read model the logbook service keeps. */
export const logbookProjections: Projection[] = [logbookViewProjection, commentsViewProjection, logbookReferencesProjection];
