import type { Principal } from '@cairn/auth';
import { notFound } from '@cairn/contracts';
import type { Collection, Db } from 'mongodb';
import type { DirectoryEntry } from '../domain';

/** One person as the directory knows them; lower-cased copies serve anchored prefix searches. */
export interface UserDocument extends DirectoryEntry {
  _id: string;
  usernameLower: string;
  emailLower?: string;
  displayNameLower: string;
  firstSeenAt: Date;
}

/**
 * People known to Cairn, recorded from their token claims the first time they call the access service.
 * A lab admin adds people by username or e-mail, so they must have signed in once before.
 */
export class UserDirectory {
  private readonly users: Collection<UserDocument>;
  private readonly recorded = new Map<string, string>();
  readonly ready: Promise<void>;

  constructor(db: Db) {
    const users = db.collection<UserDocument>('user_directory');
    this.users = users;
    this.ready = (async () => {
      await users.createIndex({ usernameLower: 1 });
      await users.createIndex({ emailLower: 1 });
      await users.createIndex({ displayNameLower: 1 });
    })();
  }

  /** Upserts the caller's claims; skipped when this process already recorded the same claims. */
  async recordSighting(principal: Principal): Promise<DirectoryEntry> {
    const entry = directoryEntryOf(principal);
    const fingerprint = JSON.stringify(entry);
    if (this.recorded.get(principal.userId) !== fingerprint) {
      await this.users.updateOne(
        { _id: entry.userId },
        {
          $set: {
            ...entry,
            usernameLower: entry.username.toLowerCase(),
            displayNameLower: entry.displayName.toLowerCase(),
            ...(entry.email ? { emailLower: entry.email.toLowerCase() } : {}),
          },
          $setOnInsert: { firstSeenAt: new Date() },
        },
        { upsert: true },
      );
      this.recorded.set(principal.userId, fingerprint);
    }
    return entry;
  }

  /** A `userRef`: user id, username or e-mail address. */
  async resolve(userRef: string): Promise<DirectoryEntry> {
    const lower = userRef.toLowerCase();
    const found =
      (await this.users.findOne({ _id: userRef })) ??
      (await this.users.findOne(lower.includes('@') ? { emailLower: lower } : { usernameLower: lower }));
    if (!found) {
      throw notFound(
        'directory.unknown-user',
        `nobody with the user id, username or e-mail "${userRef}" has signed in to Cairn yet; ask them to sign in once`,
      );
    }
    return { userId: found.userId, username: found.username, displayName: found.displayName, ...(found.email ? { email: found.email } : {}) };
  }
}

/** How a principal's token claims read as a directory entry. */
export function directoryEntryOf(principal: Principal): DirectoryEntry {
  return {
    userId: principal.userId,
    username: principal.username,
    displayName: principal.name ?? principal.username,
    ...(principal.email ? { email: principal.email } : {}),
  };
}
