import type { StreamName } from '@cairn/contracts';
import { commandHandler, type EventStore, newEntityId } from '@cairn/event-store';
import { v5 as uuidv5 } from 'uuid';
import { experimentDecider } from '../domain/experiment';
import { fileSpaceDecider } from '../domain/file-space';
import { projectDecider } from '../domain/project';
import { stackDecider } from '../domain/stack';

/** Fixed namespace of project ids; changing it would change every project's id. */
const PROJECT_ID_NAMESPACE = '6f1b1f8e-3c0f-4f55-9d5e-2b7f4c1e8a90';

/**
 * A project's id is derived from its lab and slug (UUIDv5). So the `no-stream` append that creates the
 * project's stream is also the reservation of its slug in the lab: two projects can never share a slug,
 * with one atomic append and no read model to race and nothing to clean up after a crash. Slugs never
 * change after creation, and a deleted project keeps its slug (deletion frees nothing silently).
 */
export function projectIdOf(lab: string, slug: string): string {
  return uuidv5(`${lab}/${slug}`, PROJECT_ID_NAMESPACE);
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PROJECT_ID = new RegExp(`^${UUID}$`);
const DELETION_REQUEST_ID = new RegExp(`^(${UUID})\\.${UUID}$`);

/** A project id is a UUID; a slug is never shaped like one (see `slugProblem`). */
export function isProjectId(candidate: string): boolean {
  return PROJECT_ID.test(candidate);
}

/**
 * A deletion request's id starts with its project's, so an approval or a rejection finds the file space
 * that holds the request from the id alone: no read model to be behind.
 */
export function newDeletionRequestId(projectId: string): string {
  return `${projectId}.${newEntityId()}`;
}

/** The project a deletion request id names; undefined for an id of another shape. */
export function projectOfDeletionRequest(requestId: string): string | undefined {
  return DELETION_REQUEST_ID.exec(requestId)?.[1];
}

export const projectStream = (projectId: string): StreamName => ({ context: 'projects', aggregate: 'project', id: projectId });
export const experimentStream = (experimentId: string): StreamName => ({ context: 'projects', aggregate: 'experiment', id: experimentId });
export const fileSpaceStream = (projectId: string): StreamName => ({ context: 'projects', aggregate: 'filespace', id: projectId });
export const stackStream = (stackId: string): StreamName => ({ context: 'projects', aggregate: 'stack', id: stackId });

/** Commands on each aggregate of the service, by its id: the one load-decide-append of each. */
export const projectCommands = (store: EventStore) => commandHandler(store, projectDecider, projectStream);
export const experimentCommands = (store: EventStore) => commandHandler(store, experimentDecider, experimentStream);
export const fileSpaceCommands = (store: EventStore) => commandHandler(store, fileSpaceDecider, fileSpaceStream);
export const stackCommands = (store: EventStore) => commandHandler(store, stackDecider, stackStream);
