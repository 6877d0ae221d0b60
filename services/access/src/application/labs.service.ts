import type { Principal } from '@cairn/auth';
import { slugify, type StreamName } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { labDecider, type DirectoryEntry } from '../domain';
import { labMemberViewOf } from '../projections/lab-members.projection';
import { signingHeads, type ChainHeads } from './chain-heads';
import { directoryEntryOf, type UserDirectory } from './user-directory';

export const labStream = (lab: string): StreamName => ({ context: 'access', aggregate: 'lab', id: lab });

const labCommands = (store: EventStore, heads?: ChainHeads) => signingHeads(store, labDecider, labStream, heads);

export interface LabCreated {
  id: string;
  slug: string;
  name: string;
  /** The creator administers the lab they create. */
  admin: true;
}

/**
 * Lab commands. A lab's id is its slug: the event store's `no-stream` append then guarantees that
 * two labs never share a slug, with no read model to race.
 */
export class LabsService {
  private readonly commands: ReturnType<typeof labCommands>;

  constructor(
    store: EventStore,
    private readonly directory: UserDirectory,
    heads?: ChainHeads,
  ) {
    this.commands = labCommands(store, heads);
  }

  async createLab(principal: Principal, name: string, slug?: string) {
    const creator = directoryEntryOf(principal);
    const lab = slug ?? slugify(name);
    const outcome = await this.commands(
      lab,
      { type: 'CreateLab', lab, name, slug: lab, creator, creatorIsFacilityAdmin: principal.isFacilityAdmin },
      { actor: principal.userId },
    );
    return { position: outcome.position, lab: { id: lab, slug: lab, name: name.trim(), admin: true } satisfies LabCreated };
  }

  async addMember(principal: Principal, lab: string, userRef: string, admin: boolean) {
    const member: DirectoryEntry = await this.directory.resolve(userRef);
    const outcome = await this.commands(lab, { type: 'AddLabMember', actor: principal.userId, member, admin }, { actor: principal.userId });
    return { position: outcome.position, member: labMemberViewOf({ lab, ...member, admin }) };
  }

  async removeMember(principal: Principal, lab: string, userRef: string, reason?: string) {
    const { userId } = await this.directory.resolve(userRef);
    const outcome = await this.commands(
      lab,
      { type: 'RemoveLabMember', actor: principal.userId, userId, ...(reason !== undefined && { reason }) },
      { actor: principal.userId },
    );
    return { position: outcome.position };
  }
}
