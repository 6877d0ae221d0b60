import { loadAggregate, type EventStore } from '@cairn/event-store';
import { labDecider, type Lab, type Person } from '../domain';
import { labStream } from './labs.service';

/**
 * A lab as its own stream says it is now. Decisions that depend on lab membership (who gets the base
 * level, who may be given a role) fold the stream rather than ask a read model, so they are never
 * decided on a membership that is already out of date. Null when the lab does not exist.
 */
export async function loadLab(store: EventStore, lab: string): Promise<Lab | null> {
  return (await loadAggregate(store, labStream(lab), labDecider)).state;
}

/** A person as the project access decider sees them. */
export function personIn(lab: Lab | null, userId: string): Person {
  return { id: userId, isLabMember: lab?.members.has(userId) ?? false };
}
