import type { AccessModel } from '@cairn/auth';
import type { Mention } from '@cairn/contracts';
import { mentionedNames, type LabDirectory } from '../domain';

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
    const names = new Set(mentionedNames(body));
    const lab = this.model.labOf(projectId);
    if (names.size === 0 || lab === undefined) return new Map();
    const directory = new Map<string, Mention>();
    for (const userId of this.model.labMembersOf(lab)) {
      const username = this.model.personOf(userId)?.username;
      if (username !== undefined && names.has(username.toLowerCase())) directory.set(username.toLowerCase(), { userId, username });
    }
    return directory;
  }
}
