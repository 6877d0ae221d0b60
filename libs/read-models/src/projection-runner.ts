import type { CairnEvent } from '@cairn/contracts';
import {
  ConsumerResetRequested,
  DurableEventConsumer,
  handleObserved,
  observeConsumer,
  type ConsistencyWaiter,
  type ConsumerLag,
  type DurableEventConsumerOptions,
  type ProgressSource,
} from '@cairn/messaging';
import { applyWriteIntents, highestAppliedPosition } from './guarded-writes';
import type { ProjectionContext } from './projection';
import { ProjectionState } from './projection-state';
import { DEFAULT_POINTER_CACHE_MS } from './read-model-collections';
import { rebuildProjection } from './rebuild';

/** Consumer settings a runner passes through (its name, categories and handler are the runner's). */
export type RunnerConsumerOptions = Omit<
  DurableEventConsumerOptions,
  'nc' | 'name' | 'categories' | 'handle' | 'resumePosition' | 'streamName' | 'subjectPrefix'
>;

export interface ProjectionRunnerOptions extends ProjectionContext {
  consumer?: RunnerConsumerOptions;
  /** Registers the runner, so that `Cairn-Min-Position` waits for it. */
  waiter?: ConsistencyWaiter;
  /** A retired collection is dropped this long after the runner noticed a swap (readers' pointer cache). */
  dropRetiredAfterMs?: number;
  hooks?: {
    /** Between a batch's writes and its checkpoint: where a crash hurts most (tests use it). */
    afterWrite?(events: CairnEvent[]): void | Promise<void>;
  };
}

/** The stored model is of a newer version than this code: an older replica must not write to it. */
export class ProjectionSupersededError extends Error {
  constructor(name: string, stored: number, own: number) {
    super(`projection ${name} is at version ${stored}; this process runs version ${own} and stops`);
    this.name = 'ProjectionSupersededError';
  }
}

/**
 * Keeps one read model up to date: consumes its categories with a durable consumer, applies each batch
 * with guarded writes, stores the checkpoint, then acknowledges. A crash anywhere in between replays
 * the batch, and the guards make the replay change nothing.
 *
 * Start-up: a projection that never ran here gets an empty collection; one whose stored version is
 * older than the code's is rebuilt first (the old model keeps serving meanwhile); a consumer that is
 * ahead of the checkpoint (read models restored from a backup, or wiped) is started over from it.
 */
export class ProjectionRunner implements ProgressSource {
  private applied = 0;
  private checkpointed = 0;
  /**
   * Events up to here may already be in the collection, written by this process in a batch that then
   * failed, or by a predecessor: their documents are read first, and what their `_position` shows
   * applied is left out. Events after it can only have been delivered to this process, so they are
   * written at once (see `ApplyWriteOptions`).
   */
  private guardThrough = 0;
  private target: string;
  private readonly listeners = new Set<(position: number) => void>();
  private unregister?: () => void;
  private unobserve?: () => void;
  private consumer!: DurableEventConsumer;

  private constructor(
    private readonly options: ProjectionRunnerOptions,
    private readonly state: ProjectionState,
    collection: string,
    position: number,
  ) {
    this.target = collection;
    this.applied = position;
    this.checkpointed = position;
  }

  static async start(options: ProjectionRunnerOptions): Promise<ProjectionRunner> {
    const { projection } = options;
    const state = new ProjectionState(options.db);
    let { checkpoint } = await state.initialize(projection);
    if (checkpoint.version > projection.version) {
      throw new ProjectionSupersededError(projection.name, checkpoint.version, projection.version);
    }
    if (checkpoint.version < projection.version) {
      await rebuildProjection({ ...options, validate: options.consumer?.validate, dropOldAfterMs: options.dropRetiredAfterMs });
      checkpoint = (await state.checkpoint(projection.name))!;
    }
    const pointer = await state.pointer(projection.name);
    if (pointer?.collection !== checkpoint.collection) {
      await state.point(projection.name, checkpoint.collection, checkpoint.version);
    }

    const runner = new ProjectionRunner(options, state, checkpoint.collection, checkpoint.position);
    runner.guardThrough = await highestAppliedPosition(options.db.collection(checkpoint.collection));
    runner.consumer = await DurableEventConsumer.create({
      ...options.consumer,
      nc: options.nc,
      name: runner.name,
      categories: projection.categories,
      streamName: options.streamName,
      subjectPrefix: options.subjectPrefix,
      onError: options.onError ?? options.consumer?.onError,
      handle: (events, signal) => handleObserved(runner.name, events, () => runner.apply(events, signal)),
      onActivated: (lag) => {
        runner.guardThrough = Math.max(runner.guardThrough, lag.lastDeliveredPosition);
      },
      resumePosition: async () => (await state.checkpoint(projection.name))?.position ?? 0,
    });
    if (await runner.consumer.hasSettledBeyond(checkpoint.position)) await runner.consumer.reset();
    runner.consumer.onProgress((position) => void runner.settled(position));
    runner.unregister = options.waiter?.register(runner);
    runner.unobserve = await observeConsumer(options.nc, runner.consumer);
    runner.consumer.start();
    return runner;
  }

  /** The consumer's name (the projection's, unless configured otherwise). */
  get name(): string {
    return this.options.consumerName ?? this.options.projection.name;
  }

  get categories(): string[] {
    return this.options.projection.categories;
  }

  get isActive(): boolean {
    return this.consumer.isActive;
  }

  /** Highest position this process has seen applied to the read model (or dead-lettered). */
  get appliedPosition(): number {
    return this.applied;
  }

  /** The collection this runner writes to. */
  get collection(): string {
    return this.target;
  }

  onProgress(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasPassed(position: number): Promise<boolean> {
    return this.consumer.hasSettledThrough(position);
  }

  lag(): Promise<ConsumerLag> {
    return this.consumer.lag();
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unobserve?.();
    await this.consumer.stop();
  }

  private async apply(events: CairnEvent[], signal?: AbortSignal): Promise<void> {
    const { projection, db, hooks } = this.options;
    const last = events[events.length - 1].position;
    try {
      await applyWriteIntents(db.collection(this.target), await projection.handle(events), {
        guardThrough: this.guardThrough,
        maxPerCommand: this.options.maxWritesPerCommand,
        signal,
      });
      await hooks?.afterWrite?.(events);
      if (!(await this.state.advance(projection.name, this.target, last))) await this.followSwap();
    } catch (error) {
      // Some of these writes may have happened: when the batch comes again, they must be guarded.
      this.guardThrough = Math.max(this.guardThrough, last);
      throw error;
    }
    this.checkpointed = Math.max(this.checkpointed, last);
    // Readers may see the batch now: written, and checkpointed in the live collection. Its acknowledgement
    // (a round trip to the server) need not hold up a read waiting for it.
    this.markApplied(last);
  }

  /**
   * A rebuild swapped the model while this batch was being written to the retired collection: continue
   * on the new one from its checkpoint (everything after it is consumed again), and drop the retired
   * collection once readers can no longer be using it, since these writes may have re-created it.
   */
  private async followSwap(): Promise<never> {
    const { projection } = this.options;
    const current = (await this.state.checkpoint(projection.name))!;
    if (current.version > projection.version) {
      void this.stop();
      throw new ProjectionSupersededError(projection.name, current.version, projection.version);
    }
    const retired = this.target;
    this.target = current.collection;
    this.applied = current.position;
    this.checkpointed = current.position;
    this.guardThrough = await highestAppliedPosition(this.options.db.collection(current.collection));
    setTimeout(
      () => void this.state.dropCollection(retired).catch((error: Error) => this.report(error)),
      this.options.dropRetiredAfterMs ?? 2 * DEFAULT_POINTER_CACHE_MS,
    ).unref();
    throw new ConsumerResetRequested(`read model ${projection.name} moved to ${current.collection}`);
  }

  /**
   * After every settled batch. Dead-lettered messages at the end of a batch move the position without
   * any write: the checkpoint follows, so that a restart does not take the consumer for being ahead.
   */
  private async settled(position: number): Promise<void> {
    if (!this.markApplied(position)) return;
    if (position <= this.checkpointed) return;
    this.checkpointed = position;
    await this.state.advance(this.options.projection.name, this.target, position).catch((error: Error) => this.report(error));
  }

  /** Moves `appliedPosition` forward and tells the listeners; false when it was there already. */
  private markApplied(position: number): boolean {
    if (position <= this.applied) return false;
    this.applied = position;
    for (const listener of this.listeners) listener(position);
    return true;
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else console.error(`[projection ${this.options.projection.name}]`, error.message);
  }
}
