import type { Principal } from '@cairn/auth';
import type { EventStore } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import type { DirectoryEntry } from '../domain';
import { refusal } from '../domain/refusal';
import { loadLab } from './lab-facts';
import type { UserDirectory } from './user-directory';

/** Finding people of one lab, for the "add permission" form. */
export class LabPeopleService {
  constructor(
    private readonly store: EventStore,
    private readonly directory: UserDirectory,
  ) {}

  /** "The user field autocompletes by username or display name" (and e-mail), among the lab's members, for its members. */
  async autocomplete(principal: Principal, labId: string, prefix: string, limit: number, cursor?: string): Promise<Page<DirectoryEntry>> {
    const lab = await loadLab(this.store, labId);
    if (!lab) throw refusal('not-found', 'lab.unknown', `there is no lab "${labId}"`);
    if (!lab.members.has(principal.userId)) {
      throw refusal('forbidden', 'lab.members-search-members', `only members of lab ${labId} search its members`);
    }
    return this.directory.search(lab.members.keys(), prefix, limit, cursor);
  }
}
