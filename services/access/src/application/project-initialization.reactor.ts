import { DomainError, type CairnEvent, type ProjectCreatedData } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { UnprocessableEvent } from '@cairn/messaging';
import type { Reactor } from '@cairn/runtime';
import { ChainHeads } from './chain-heads';
import { projectAccessCommands } from './project-access.service';

/**
 * "The project creator becomes Owner by default": each `projects.project.created.v1` initializes the
 * project's access stream (creator as owner, scheme, base level). The decider initializes a project
 * once, so a redelivered or repeated creation event appends nothing. A creation the decider refuses
 * (an unknown scheme, say) will never succeed: it goes straight to `cairn.dlq.access-project-initialization`
 * with the rule, and the projects after it are initialized without waiting. Infrastructure failures are
 * retried with backoff.
 */
export const projectInitializationReactor: Reactor = {
  name: 'access-project-initialization',
  categories: ['projects_project'],
  async react(events, runtime) {
    for (const event of events) {
      if (event.type === 'projects.project.created.v1') await initializeProjectAccess(runtime.store, ChainHeads.fromEnv(runtime.store, runtime.env), event as CairnEvent<string, ProjectCreatedData>);
    }
  },
};

async function initializeProjectAccess(store: EventStore, heads: ChainHeads, event: CairnEvent<string, ProjectCreatedData>): Promise<void> {
  try {
    await initialize(store, heads, event);
  } catch (error) {
    if (error instanceof DomainError) throw new UnprocessableEvent(`${error.rule}: ${error.message}`);
    throw error;
  }
}

function initialize(store: EventStore, heads: ChainHeads, event: CairnEvent<string, ProjectCreatedData>) {
  const { projectId, lab, scheme, baseLevel, createdBy, actor } = event.data;
  return projectAccessCommands(store, heads)(
    projectId,
    {
      type: 'InitializeProjectAccess',
      projectId,
      lab,
      scheme,
      ...(baseLevel !== undefined && { baseLevel }),
      creator: createdBy,
      // The project's creation time, so the access history starts when the project does.
      now: event.time,
    },
    { actor, causationid: event.id, correlationid: event.correlationid ?? event.id },
  );
}
