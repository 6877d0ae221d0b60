import { DEFAULT_EVENTS_STREAM, DurableEventConsumer, type DurableEventConsumerOptions } from '@cairn/messaging';
import { applyWriteIntents } from './guarded-writes';
import type { ProjectionContext } from './projection';
import { buildId, newCollectionName, ProjectionState } from './projection-state';
import { DEFAULT_POINTER_CACHE_MS } from './read-model-collections';

export interface RebuildProgress {
  /** Position reached: everything up to here is in the new collection. */
  applied: number;
  /** The stream's head position (as last seen): where the rebuild is heading. */
  total: number;
  /** Events applied per second so far. */
  ratePerSecond: number;
  /** Events applied so far. */
  events: number;
}

export interface RebuildOptions extends ProjectionContext {
  /** Messages per pull (default 500: replays are bulk work). */
  batchSize?: number;
  validate?: DurableEventConsumerOptions['validate'];
  onProgress?(progress: RebuildProgress): void;
  /** The old collection is dropped this long after the swap (longer than readers cache the pointer). */
  dropOldAfterMs?: number;
}

export interface RebuildResult {
  collection: string;
  /** The checkpoint the live runner continues from. */
  position: number;
  events: number;
}

/**
 * Rebuilds a read model beside the live one: replays the projection's categories from position 0 into
 * a new collection `<name>__v<N>_<build>` through a private consumer (same decoding, validation and
 * dead-lettering as the live one), then swaps:
 * 1. the checkpoint names the new collection and the position the replay reached;
 * 2. the live durable consumer is deleted, so whoever runs the projection re-creates it from that
 *    checkpoint (a runner caught writing a batch to the old collection notices the checkpoint moved
 *    and starts over from it too);
 * 3. the pointer names the new collection: readers switch within their pointer cache time;
 * 4. the old collection is dropped once no reader can still be resolving to it.
 * Readers see the old model until step 3 and the complete new one after it, never a half-built one.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { nc, db, projection } = options;
  const state = new ProjectionState(db);
  const streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
  const jsm = await nc.jetstreamManager();
  const head = async () => (await jsm.streams.info(streamName)).state.last_seq;
  const collection = newCollectionName(projection);
  await state.prepareCollection(projection, collection);

  const started = Date.now();
  let events = 0;
  let applied = 0;
  let failedThrough = 0;
  let total = await head();
  const report = () =>
    options.onProgress?.({
      applied,
      total,
      ratePerSecond: Math.round(events / Math.max((Date.now() - started) / 1000, 0.001)),
      events,
    });

  const liveConsumer = options.consumerName ?? projection.name;
  const replay = await DurableEventConsumer.create({
    nc,
    name: `${liveConsumer}__rebuild_${buildId()}`,
    categories: projection.categories,
    streamName,
    subjectPrefix: options.subjectPrefix,
    batchSize: options.batchSize ?? 500,
    validate: options.validate,
    singleActive: false,
    // Left behind by a crashed rebuild, the server removes it by itself.
    inactiveThresholdMs: 10 * 60_000,
    onError: options.onError,
    handle: async (batch) => {
      const last = batch[batch.length - 1].position;
      // A fresh collection: only a batch that failed half-way can be in it already.
      await applyWriteIntents(db.collection(collection), await projection.handle(batch), {
        guardThrough: failedThrough,
        maxPerCommand: options.maxWritesPerCommand,
      }).catch((error: Error) => {
        failedThrough = Math.max(failedThrough, last);
        throw error;
      });
      events += batch.length;
      applied = Math.max(applied, last);
      report();
    },
  });

  let swapped = false;
  try {
    // Catch up until what remains is less than a batch; `reached` was the head before the last pass,
    // so every event up to it is in the new collection (later ones the live consumer applies again,
    // which the guards make harmless).
    let reached: number;
    do {
      reached = await head();
      total = Math.max(total, reached);
      await replay.processAvailable();
    } while ((await head()) - reached > (options.batchSize ?? 500));
    applied = Math.max(applied, reached);
    report();

    const retired = await state.swapCheckpoint(projection.name, collection, reached, projection.version);
    swapped = true;
    await jsm.consumers.delete(streamName, liveConsumer).catch((error: Error) => {
      if (!/not found/i.test(error.message)) throw error;
    });
    await state.point(projection.name, collection, projection.version);
    if (retired && retired !== collection) {
      await new Promise((resolve) => setTimeout(resolve, options.dropOldAfterMs ?? 2 * DEFAULT_POINTER_CACHE_MS));
      await state.dropCollection(retired);
    }
    return { collection, position: reached, events };
  } finally {
    await replay.delete();
    if (!swapped) await state.dropCollection(collection);
  }
}
