import {
  capabilitiesOf,
  facilityScheme,
  labScheme,
  validateOnPublish,
  type Decider,
  type DomainEvent,
  type Role,
  type RoleScheme,
} from '@cairn/contracts';
import type { Actor } from '../guards';

/** The caller as the application layer describes them: their capabilities come from the real role schemes. */
export function actingAs(actor: string, scheme: RoleScheme, role: Role): Actor {
  return { actor, actorCapabilities: [...capabilitiesOf(scheme, role)] };
}

export const facility = (actor: string, role: 'viewer' | 'member' | 'manager' | 'owner') => actingAs(actor, facilityScheme, role);
export const lab = (actor: string, role: 'none' | 'viewer' | 'commenter' | 'experimenter' | 'owner') => actingAs(actor, labScheme, role);

/** The same decider, except that every event it emits must pass its published JSON Schema. */
export function publishing<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
): Decider<Command, State, Event> {
  return {
    ...decider,
    decide(command, state) {
      const events = decider.decide(command, state);
      for (const event of events) validateOnPublish(event);
      return events;
    },
  };
}
