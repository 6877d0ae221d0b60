import type { AccessModel } from '@cairn/auth';
import type { LabDirectory } from '@cairn/contracts';

/** A person as answers name them: the user id, and the username and display name a lab directory recorded. */
export interface PersonRef {
  userId: string;
  username?: string;
  displayName?: string;
}

/** Who people are, from the access service's lab events as the authorization model keeps them. */
export class People {
  constructor(private readonly model: AccessModel) {}

  ref(userId: string): PersonRef {
    return { userId, ...this.model.personOf(userId) };
  }

  /** The project's owner(s) as the template names them: "Alice Ash (alice)". */
  ownersOf(projectId: string): string[] {
    const ownerRole = this.model.schemeOf(projectId)?.ownerRole;
    return this.model
      .accessListOf(projectId)
      .filter((entry) => entry.role === ownerRole)
      .map(({ userId }) => {
        const person = this.model.personOf(userId);
        if (!person) return userId;
        return person.displayName === person.username ? person.username : `${person.displayName} (${person.username})`;
      });
  }

  /** The members of the project's lab whose usernames the body mentions (lower-cased username → person). */
  mentionableIn(projectId: string, body: string): LabDirectory {
    return this.model.mentionableIn(projectId, body);
  }
}
