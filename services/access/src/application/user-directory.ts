import type { Principal } from '@cairn/auth';
import { conflict, notFound } from '@cairn/contracts';
import type { Page } from '@cairn/http';
import { pageBy, prefixOf } from '@cairn/read-models';
import { MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
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
  private readonly recorded = new Map<string, string>();

  private constructor(private readonly users: Collection<UserDocument>) {}

  /** The directory with its search indexes in place. */
  static async open(db: Db): Promise<UserDirectory> {
    const users = db.collection<UserDocument>('user_directory');
    await users.createIndex({ usernameLower: 1 });
    await users.createIndex({ emailLower: 1 });
    await users.createIndex({ displayNameLower: 1 });
    return new UserDirectory(users);
  }

  /** Whether this process has recorded the caller with these very claims. */
  hasRecorded(principal: Principal): boolean {
    return this.recorded.get(principal.userId) === JSON.stringify(directoryEntryOf(principal));
  }

  /** Upserts the caller's claims; skipped when this process already recorded the same claims. */
  async recordSighting(principal: Principal): Promise<DirectoryEntry> {
    const entry = directoryEntryOf(principal);
    const fingerprint = JSON.stringify(entry);
    if (this.recorded.get(principal.userId) !== fingerprint) {
      const upsert = () =>
        this.users.updateOne(
          { _id: entry.userId },
          {
            $set: {
              ...entry,
              usernameLower: entry.username.toLowerCase(),
              displayNameLower: entry.displayName.toLowerCase(),
              ...(entry.email ? { emailLower: entry.email.toLowerCase() } : {}),
            },
            // An address the issuer no longer vouches for stops identifying them.
            ...(entry.email ? {} : { $unset: { email: '', emailLower: '' } }),
            $setOnInsert: { firstSeenAt: new Date() },
          },
          { upsert: true },
        );
      // A person's first requests at once all insert, and all but one meet the other's document: as an update now, it
      // finds it (the server does not retry that for us: MongoDB only in some cases, FerretDB never).
      await upsert().catch((error: unknown) => (error instanceof MongoServerError && error.code === 11000 ? upsert() : Promise.reject(error)));
      this.recorded.set(principal.userId, fingerprint);
    }
    return entry;
  }

  /**
   * A `userRef`: user id, username or e-mail address. Only verified addresses are recorded (see
   * `Principal.email`); one that two people hold identifies neither, and the answer says so rather than guess.
   */
  async resolve(userRef: string): Promise<DirectoryEntry> {
    const lower = userRef.toLowerCase();
    const byId = await this.users.findOne({ _id: userRef });
    if (byId) return entryOf(byId);
    const found = await this.users.find(lower.includes('@') ? { emailLower: lower } : { usernameLower: lower }, { limit: 2 }).toArray();
    if (found.length > 1) {
      throw conflict('directory.ambiguous-user', `more than one person has signed in with "${userRef}"; name them by username or user id`, { userRef });
    }
    if (found.length === 0) {
      throw notFound(
        'directory.unknown-user',
        `nobody with the user id, username or e-mail "${userRef}" has signed in to Cairn yet; ask them to sign in once`,
      );
    }
    return entryOf(found[0]);
  }

  /** Who has signed in with this verified address (any case): at most two, enough to tell one from many. */
  async holdersOf(email: string): Promise<string[]> {
    const found = await this.users.find({ emailLower: email.toLowerCase() }, { limit: 2, projection: { _id: 1 } }).toArray();
    return found.map((user) => user._id);
  }

  /** Which of these addresses (lower-cased) more than one person has signed in with. */
  async emailsHeldByMany(emails: string[]): Promise<Set<string>> {
    const held = await Promise.all(emails.map(async (email) => ((await this.holdersOf(email)).length > 1 ? [email.toLowerCase()] : [])));
    return new Set(held.flat());
  }

  /** The directory entries of these users, by user id; users never seen are left out. */
  async entriesOf(userIds: Iterable<string>): Promise<Map<string, DirectoryEntry>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    const found = await this.users.find({ _id: { $in: ids } }).toArray();
    return new Map(found.map((user) => [user.userId, entryOf(user)]));
  }

  /**
   * Autocomplete: people among `userIds` whose username, display name or e-mail starts with `prefix`
   * (case-insensitive), by username. Each alternative is an anchored regex on a lower-cased, indexed
   * field, which the database answers from the index rather than by a scan.
   */
  async search(userIds: Iterable<string>, prefix: string, limit: number, cursor?: string): Promise<Page<DirectoryEntry>> {
    const anchored = prefixOf(prefix);
    const filter: Filter<UserDocument> = {
      _id: { $in: [...new Set(userIds)] },
      ...(prefix !== '' && { $or: [{ usernameLower: anchored }, { displayNameLower: anchored }, { emailLower: anchored }] }),
    };
    const page = await pageBy<UserDocument, UserDocument>(this.users, filter, 'usernameLower', limit, cursor);
    return { items: page.items.map(entryOf), nextCursor: page.nextCursor };
  }
}

function entryOf(user: UserDocument): DirectoryEntry {
  return { userId: user.userId, username: user.username, displayName: user.displayName, ...(user.email ? { email: user.email } : {}) };
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
