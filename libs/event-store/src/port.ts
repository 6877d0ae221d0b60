import type { CairnEvent, NewEvent, StreamName } from '@cairn/contracts';
import type { LogIndex } from './log-index';

/**
 * `no-stream`: the stream must not exist. `any`: no check (use only where order does not matter).
 * `stream-exists`: the stream must have at least one event. A number: the version of the stream's
 * last event (0-based), as returned by `readStream` or a previous `append`.
 */
export type ExpectedVersion = 'no-stream' | 'any' | 'stream-exists' | number;

export interface AppendResult {
  /** Version of the last event appended: the expected version for the next append. */
  nextVersion: number;
  /** Global position of the last event appended. */
  position: number;
  /** The `time` the store stamped on the commit's events (what readers and read models see). */
  time: string;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. 0 = from the beginning. */
  fromPosition?: number;
  /** Category names (`<context>_<aggregate>`); all when absent. */
  categories?: string[];
}

export interface SubscribeOptions extends ReadAllOptions {
  /** Called for each event in position order; the next is delivered only after the promise resolves. */
  onEvent(event: CairnEvent): Promise<void> | void;
  /** Called once history has been delivered and the subscription is live. */
  onCaughtUp?(position: number): void;
  onError?(error: Error): void;
}

export interface Subscription {
  /** Position of the last event handed to `onEvent` and completed. */
  readonly position: number;
  close(): Promise<void>;
}

/**
 * Where the log ends, and where the next event of some categories lies: what a model that follows those
 * categories asks to learn, without reading any event, whether it has everything the log holds.
 */
export interface PositionProbe {
  /**
   * Position of the newest event (0 when empty), as the log stood at the call or later: concurrent
   * callers may share one read, never one that began before they called.
   */
  headPosition(): Promise<number>;
  /** Position of the first event of these categories after `position`; undefined when there is none. */
  firstPositionAfter(position: number, categories: string[]): Promise<number | undefined>;
  /** What this process has seen of the log, which answers the same questions for recent ranges without a request. */
  readonly index?: LogIndex;
}

export interface EventStore extends PositionProbe {
  /**
   * Appends atomically (all or none) under one expected version: at least one event, at most 1,000
   * (JetStream's atomic batch limit). A retry with the same event ids returns the first result and
   * stores nothing twice.
   */
  append(stream: StreamName, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /** The stream's events in order; empty when the stream does not exist. */
  readStream(stream: StreamName, options?: { fromVersion?: number }): Promise<CairnEvent[]>;
  readAll(options?: ReadAllOptions): AsyncIterable<CairnEvent>;
  /** Catch-up subscription: history from `fromPosition`, then live events. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number | 'no-stream',
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}
