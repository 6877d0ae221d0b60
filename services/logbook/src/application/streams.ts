import type { StreamName } from '@cairn/contracts';
import type { TargetKind } from '../projections';

/** `logbook_logbook-<projectId>`: one logbook per project. */
export const logbookStream = (projectId: string): StreamName => ({ context: 'logbook', aggregate: 'logbook', id: projectId });

/** `logbook_thread-<kind>-<id>`: one comment thread per commented job or experiment. */
export const threadStream = (threadId: string): StreamName => ({ context: 'logbook', aggregate: 'thread', id: threadId });

export const threadIdOf = (kind: TargetKind, id: string) => `${kind}-${id}`;
