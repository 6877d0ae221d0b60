import { slugProblem, type Decider, type LabEvent } from '@cairn/contracts';
import { refusal } from './refusal';

/**
 * A lab: the tenant whose members get each lab-scheme project's base level, and the directory people are
 * found in (`access_lab-<labId>`). Lab admins manage its members.
 */

/** Who a person is in the directory: from their token's `sub`, `preferred_username`, `email`, `name`. */
export interface DirectoryEntry {
  userId: string;
  username: string;
  email?: string;
  displayName: string;
}

export interface LabMember extends DirectoryEntry {
  admin: boolean;
}

export interface Lab {
  lab: string;
  name: string;
  slug: string;
  /** By user id. */
  members: ReadonlyMap<string, LabMember>;
}

/** Null until the lab is created. */
export type LabState = Lab | null;

/** `POST /api/labs`; the slug is chosen (and made unique) by the application layer. */
export interface CreateLab {
  type: 'CreateLab';
  lab: string;
  name: string;
  slug: string;
  creator: DirectoryEntry;
  /** The `cairn_admin` claim of the creator's token. */
  creatorIsFacilityAdmin: boolean;
}

/** `POST /api/labs/:lab/members`. */
export interface AddLabMember {
  type: 'AddLabMember';
  actor: string;
  member: DirectoryEntry;
  admin: boolean;
}

/** `DELETE /api/labs/:lab/members/:userRef`. */
export interface RemoveLabMember {
  type: 'RemoveLabMember';
  actor: string;
  userId: string;
  reason?: string;
}

export type LabCommand = CreateLab | AddLabMember | RemoveLabMember;

const MAX_TEXT = 200;

export const labDecider: Decider<LabCommand, LabState, LabEvent> = {
  initialState: () => null,
  decide(command, state) {
    switch (command.type) {
      case 'CreateLab':
        return createLab(command, state);
      case 'AddLabMember':
        return addMember(command, requireLab(state));
      case 'RemoveLabMember':
        return removeMember(command, requireLab(state));
    }
  },
  evolve(state, event) {
    if (event.type === 'access.lab.created.v1') {
      return { lab: event.data.lab, name: event.data.name, slug: event.data.slug, members: new Map() };
    }
    if (!state) throw new Error(`${event.type} before access.lab.created.v1: the stream is corrupt`);
    const members = new Map(state.members);
    if (event.type === 'access.lab.member-added.v1') {
      members.set(event.data.userId, { ...directoryEntryOf(event.data), admin: event.data.admin });
    } else {
      members.delete(event.data.userId);
    }
    return { ...state, members };
  },
};

export function isAdminOf(lab: Lab, userId: string): boolean {
  return lab.members.get(userId)?.admin === true;
}

function createLab(command: CreateLab, state: LabState): LabEvent[] {
  if (!command.creatorIsFacilityAdmin) {
    throw refusal('forbidden', 'lab.create-needs-facility-admin', 'only a facility admin (cairn_admin) creates labs');
  }
  if (state) throw refusal('conflict', 'lab.already-exists', `lab ${command.lab} already exists`);
  const name = requireText('lab.name-required', 'the lab name', command.name);
  const slugIssue = slugProblem(command.slug);
  if (slugIssue) throw refusal('invalid', 'lab.slug-format', `the slug "${command.slug}" ${slugIssue}`);
  return [
    { type: 'access.lab.created.v1', data: { lab: command.lab, name, slug: command.slug, actor: command.creator.userId } },
    memberAdded(command.lab, command.creator, true, command.creator.userId),
  ];
}

function addMember(command: AddLabMember, lab: Lab): LabEvent[] {
  requireAdmin(lab, command.actor);
  if (lab.members.has(command.member.userId)) {
    throw refusal('conflict', 'lab.already-member', `${command.member.username} is already a member of ${lab.name}`);
  }
  return [memberAdded(lab.lab, command.member, command.admin, command.actor)];
}

function removeMember(command: RemoveLabMember, lab: Lab): LabEvent[] {
  requireAdmin(lab, command.actor);
  const member = lab.members.get(command.userId);
  if (!member) throw refusal('not-found', 'lab.not-a-member', `${command.userId} is not a member of ${lab.name}`);
  const admins = [...lab.members.values()].filter((candidate) => candidate.admin).length;
  if (member.admin && admins === 1) {
    throw refusal('conflict', 'lab.at-least-one-admin', `${member.username} is the last admin of ${lab.name}; nobody could add or remove members after them`);
  }
  return [
    {
      type: 'access.lab.member-removed.v1',
      data: {
        lab: lab.lab,
        ...directoryEntryOf(member),
        actor: command.actor,
        ...(command.reason !== undefined && { reason: command.reason }),
      },
    },
  ];
}

function memberAdded(lab: string, person: DirectoryEntry, admin: boolean, actor: string): LabEvent {
  const entry = {
    userId: person.userId,
    username: requireText('lab.member-username-required', 'the username', person.username),
    displayName: requireText('lab.member-display-name-required', 'the display name', person.displayName),
    ...(person.email !== undefined && { email: requireText('lab.member-email-required', 'an e-mail address, when given,', person.email) }),
  };
  return { type: 'access.lab.member-added.v1', data: { lab, ...entry, admin, actor } };
}

function directoryEntryOf(entry: DirectoryEntry): DirectoryEntry {
  return {
    userId: entry.userId,
    username: entry.username,
    displayName: entry.displayName,
    ...(entry.email !== undefined && { email: entry.email }),
  };
}

function requireLab(state: LabState): Lab {
  if (!state) throw refusal('not-found', 'lab.unknown', 'there is no such lab');
  return state;
}

function requireAdmin(lab: Lab, actor: string): void {
  if (!isAdminOf(lab, actor)) {
    throw refusal('forbidden', 'lab.admin-manages-members', `only an admin of ${lab.name} adds or removes its members`);
  }
}

function requireText(rule: string, what: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TEXT) {
    throw refusal('invalid', rule, `${what} must have 1 to ${MAX_TEXT} characters`);
  }
  return trimmed;
}
