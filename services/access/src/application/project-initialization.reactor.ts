import type { CairnEvent, ProjectCreatedData } from '@cairn/contracts';
import { handleCommand, type EventStore } from '@cairn/event-store';
import type { Reactor } from '@cairn/runtime';
import { projectAccessDecider } from '../domain';
import { projectAccessStream } from './project-access.service';

/**
 * "The project creator becomes Owner by default": each `projects.project.created.v1` initializes the
 * project's access stream (creator as owner, scheme, base level). The decider initializes a project
 * once, so a redelivered or repeated creation event appends nothing. A creation the decider refuses
 * (an unknown scheme, say) is retried and then dead-lettered on `cairn.dlq.access-project-initialization`.
 */
export const projectInitializationReactor: Reactor = {
  name: 'access-project-initialization',
  categories: ['projects_project'],
  async react(events, runtime) {
    for (const event of events) {
      if (event.type === 'projects.project.created.v1') await initializeProjectAccess(runtime.store, event as CairnEvent<string, ProjectCreatedData>);
    }
  },
};

async function initializeProjectAccess(store: EventStore, event: CairnEvent<string, ProjectCreatedData>): Promise<void> {
  const { projectId, lab, scheme, baseLevel, createdBy, actor } = event.data;
  await handleCommand(
    store,
    projectAccessStream(projectId),
    projectAccessDecider,
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
    { actorid: actor, causationid: event.id, correlationid: event.correlationid ?? event.id },
  );
}
