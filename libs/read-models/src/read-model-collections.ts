import type { Collection, Db, Document } from 'mongodb';
import { POINTERS_COLLECTION, type PointerDocument } from './projection-state';

export interface ReadModelCollectionsOptions {
  /** How long a resolved pointer is trusted. A rebuild drops the old collection only later than this. */
  cacheMs?: number;
}

export const DEFAULT_POINTER_CACHE_MS = 1_000;

/**
 * How readers find a read model: through its pointer document, so that a rebuild can build a new
 * collection beside the live one and swap by rewriting one small document. Resolutions are cached
 * briefly; a swap reaches every reader within `cacheMs`.
 */
export class ReadModelCollections {
  private readonly cache = new Map<string, { collection: string; until: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly db: Db,
    options: ReadModelCollectionsOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? DEFAULT_POINTER_CACHE_MS;
  }

  /**
   * The collection readers of `name` use now. Before the projection first ran there is no pointer:
   * the bare name is returned, which never holds data (builds live in `<name>__v<N>_<build>`), so reads
   * come back empty.
   */
  async resolve<TSchema extends Document = Document>(name: string): Promise<Collection<TSchema>> {
    const cached = this.cache.get(name);
    if (cached && cached.until > Date.now()) return this.db.collection<TSchema>(cached.collection);
    const pointer = await this.db.collection<PointerDocument>(POINTERS_COLLECTION).findOne({ _id: name });
    if (!pointer) return this.db.collection<TSchema>(name);
    this.cache.set(name, { collection: pointer.collection, until: Date.now() + this.cacheMs });
    return this.db.collection<TSchema>(pointer.collection);
  }
}
