import { conflict, forbidden } from '@cairn/contracts';

/** What every command on an existing project knows about its caller (computed by the application layer). */
export interface Actor {
  actor: string;
  /** The caller's capabilities on this project under its role scheme. */
  actorCapabilities: readonly string[];
}

/** Refusals name the capability, e.g. rule `requires.deletion.approve.raw`. */
export function requireCapability({ actorCapabilities }: Actor, capability: string, action: string): void {
  if (!actorCapabilities.includes(capability)) {
    throw forbidden(`requires.${capability}`, `${action} needs the ${capability} capability on the project`, { capability });
  }
}

export function requireLabMember(actorIsLabMember: boolean, action: string): void {
  if (!actorIsLabMember) throw forbidden('labs.members-only', `only members of the lab may ${action}`);
}

export function projectDeleted(projectId: string) {
  return conflict('projects.project-deleted', `project ${projectId} was deleted and accepts no further changes`, { projectId });
}
