import { randomBytes } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import { POSITION_FIELD } from './guarded-writes';
import type { Projection } from './projection';

export const CHECKPOINTS_COLLECTION = 'projection_checkpoints';
export const POINTERS_COLLECTION = 'projection_pointers';

/** Where a projection's writer is: the collection it builds and the last position applied to it. */
export interface CheckpointDocument {
  _id: string;
  collection: string;
  position: number;
  version: number;
  updatedAt: Date;
}

/** Which collection readers of a read model use. */
export interface PointerDocument {
  _id: string;
  collection: string;
  version: number;
  swappedAt: Date;
}

/** `<name>__v<version>_<build>`: every build of a read model gets a collection of its own. */
export function newCollectionName(projection: Pick<Projection, 'name' | 'version'>): string {
  return `${projection.name}__v${projection.version}_${buildId()}`;
}

/**
 * `<timestamp>_<random>`: names a build. A timestamp alone is not unique: two replicas that start in the
 * same millisecond would both build into one collection, and the one that lost the race drops it.
 */
export function buildId(): string {
  return `${Date.now()}_${randomBytes(4).toString('hex')}`;
}

/**
 * Checkpoints and pointers of the projections in one database. Both are single documents written
 * without transactions (FerretDB has none): a swap writes the checkpoint, then the pointer, and a
 * runner repairs a pointer left behind by a crash in between.
 */
export class ProjectionState {
  private readonly checkpoints: Collection<CheckpointDocument>;
  private readonly pointers: Collection<PointerDocument>;

  constructor(private readonly db: Db) {
    this.checkpoints = db.collection<CheckpointDocument>(CHECKPOINTS_COLLECTION);
    this.pointers = db.collection<PointerDocument>(POINTERS_COLLECTION);
  }

  checkpoint(name: string): Promise<CheckpointDocument | null> {
    return this.checkpoints.findOne({ _id: name });
  }

  pointer(name: string): Promise<PointerDocument | null> {
    return this.pointers.findOne({ _id: name });
  }

  /**
   * The projection's checkpoint, creating it (position 0, an empty new collection, the pointer to it)
   * when the projection has never run here; `created` says which.
   */
  async initialize(projection: Projection): Promise<{ checkpoint: CheckpointDocument; created: boolean }> {
    const existing = await this.checkpoint(projection.name);
    if (existing) return { checkpoint: existing, created: false };
    const collection = newCollectionName(projection);
    await this.prepareCollection(projection, collection);
    const checkpoint: CheckpointDocument = {
      _id: projection.name,
      collection,
      position: 0,
      version: projection.version,
      updatedAt: new Date(),
    };
    try {
      await this.checkpoints.insertOne(checkpoint);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
      // Another replica initialized it first: use theirs.
      await this.db.collection(collection).drop().catch(() => undefined);
      return { checkpoint: (await this.checkpoint(projection.name))!, created: false };
    }
    await this.point(projection.name, collection, projection.version);
    return { checkpoint, created: true };
  }

  /** Creates the collection with the projection's indexes, before anything is written to it. */
  async prepareCollection(projection: Projection, collection: string): Promise<void> {
    await this.db.createCollection(collection);
    await this.db
      .collection(collection)
      .createIndexes([{ key: { [POSITION_FIELD]: -1 }, name: POSITION_FIELD }, ...(projection.indexes ?? [])]);
  }

  /**
   * Moves the checkpoint forward to `position` if it still refers to `collection`. Returns false when
   * the read model was swapped underneath (a rebuild): the caller's writes went to a retired collection.
   */
  async advance(name: string, collection: string, position: number): Promise<boolean> {
    const result = await this.checkpoints.updateOne(
      { _id: name, collection, position: { $lt: position } },
      { $set: { position, updatedAt: new Date() } },
    );
    if (result.matchedCount > 0) return true;
    const current = await this.checkpoint(name);
    return current?.collection === collection;
  }

  /** A finished rebuild takes over: the writer continues on `collection` after `position`. */
  async swapCheckpoint(name: string, collection: string, position: number, version: number): Promise<string | undefined> {
    const previous = await this.checkpoints.findOneAndUpdate(
      { _id: name },
      { $set: { collection, position, version, updatedAt: new Date() } },
      { upsert: true, returnDocument: 'before' },
    );
    return previous?.collection;
  }

  /** Readers switch to `collection`. */
  async point(name: string, collection: string, version: number): Promise<void> {
    await this.pointers.updateOne(
      { _id: name },
      { $set: { collection, version, swappedAt: new Date() } },
      { upsert: true },
    );
  }

  async dropCollection(collection: string): Promise<void> {
    await this.db
      .collection(collection)
      .drop()
      .catch((error: Error) => {
        if (!/not found|ns not found/i.test(error.message)) throw error;
      });
  }
}
