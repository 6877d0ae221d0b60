import { capabilitiesOf, facilityScheme, labScheme, type Role, type RoleScheme } from '@cairn/contracts';
import type { Actor } from '../guards';

/** The caller as the application layer describes them: their capabilities come from the real role schemes. */
export function actingAs(actor: string, scheme: RoleScheme, role: Role): Actor {
  return { actor, actorCapabilities: [...capabilitiesOf(scheme, role)] };
}

export const facility = (actor: string, role: 'viewer' | 'member' | 'manager' | 'owner') => actingAs(actor, facilityScheme, role);
export const lab = (actor: string, role: 'none' | 'viewer' | 'commenter' | 'experimenter' | 'owner') => actingAs(actor, labScheme, role);
