import type { NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';
import { DurableEventConsumer, handleObserved, observeConsumer, type ConsistencyWaiter, type ProgressSource } from '@cairn/messaging';
import type { ServiceRuntime } from './service-runtime';

/**
 * Background work a service does in answer to events (often other services'): "when a project is
 * created, initialize its access". Unlike a projection it writes through commands, not to a read model,
 * so it keeps no checkpoint of its own: its durable consumer's acknowledgements are its place.
 */
export interface Reactor {
  /** Durable consumer name: unique on the events stream, which every service shares; names `cairn.dlq.<name>` too. */
  name: string;
  /** `<context>_<aggregate>` categories it reacts to. */
  categories: string[];
  /**
   * Handles a batch in position order. Resolving acknowledges it; throwing has it redelivered with
   * backoff and in the end dead-lettered. Must be idempotent: a redelivered event must change nothing.
   */
  react(events: CairnEvent[], runtime: ServiceRuntime): Promise<void>;
}

export interface ReactorRunnerOptions {
  nc: NatsConnection;
  reactor: Reactor;
  runtime: ServiceRuntime;
  /** Registers the runner, so that `Cairn-Min-Position` waits until the reactor has acted on a position. */
  waiter?: ConsistencyWaiter;
  onError?(error: Error): void;
}

/** Runs one reactor on its durable consumer and reports its progress to the consistency waiter. */
export class ReactorRunner implements ProgressSource {
  private applied = 0;
  private unregister?: () => void;
  private unobserve?: () => void;

  private constructor(
    readonly name: string,
    readonly categories: string[],
    private readonly consumer: DurableEventConsumer,
  ) {}

  static async start(options: ReactorRunnerOptions): Promise<ReactorRunner> {
    const { reactor, runtime } = options;
    const consumer = await DurableEventConsumer.create({
      nc: options.nc,
      name: reactor.name,
      categories: reactor.categories,
      handle: (events) => handleObserved(reactor.name, events, () => reactor.react(events, runtime)),
      onError: options.onError,
    });
    const runner = new ReactorRunner(reactor.name, reactor.categories, consumer);
    consumer.onProgress((position) => {
      runner.applied = Math.max(runner.applied, position);
    });
    runner.unregister = options.waiter?.register(runner);
    runner.unobserve = await observeConsumer(options.nc, consumer);
    consumer.start();
    return runner;
  }

  get isActive(): boolean {
    return this.consumer.isActive;
  }

  /** Highest position this process has seen the reactor settle (act on, or dead-letter). */
  get appliedPosition(): number {
    return this.applied;
  }

  onProgress(listener: (position: number) => void): () => void {
    return this.consumer.onProgress(listener);
  }

  hasPassed(position: number): Promise<boolean> {
    return this.consumer.hasSettledThrough(position);
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unobserve?.();
    await this.consumer.stop();
  }
}
