import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from 'nats';
import { RecentLog } from '../log-index';
import { categoryOfSubject, DEFAULT_SUBJECT_PREFIX } from './codec';

export interface JetStreamLogTailOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subjectPrefix?: string;
  /** How many of the newest events the index keeps. */
  capacity?: number;
  onError?(error: Error): void;
}

/**
 * Follows the events stream from its head on with an ordered consumer that delivers headers only, and
 * records each event's position and category in a `RecentLog`. The consumer delivers every message of
 * the stream's subjects in order and without gaps (it starts over where it was on any gap), so
 * everything from the head at start up to the last delivered message has been seen.
 */
export class JetStreamLogTail {
  private stopping = false;
  private following: Promise<void> = Promise.resolve();

  private constructor(
    readonly index: RecentLog,
    private readonly messages: ConsumerMessages,
  ) {}

  static async start(options: JetStreamLogTailOptions): Promise<JetStreamLogTail> {
    const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    const head = (await options.jsm.streams.info(options.stream)).state.last_seq;
    const consumer = await options.js.consumers.get(options.stream, {
      filterSubjects: `${prefix}.>`,
      headers_only: true,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: head + 1,
    });
    const messages = await consumer.consume({ max_messages: 1000 });
    const tail = new JetStreamLogTail(new RecentLog(head, options.capacity), messages);
    tail.following = tail.follow(prefix, options.onError);
    return tail;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.messages.stop();
    await this.following;
  }

  private async follow(prefix: string, onError?: (error: Error) => void): Promise<void> {
    try {
      for await (const message of this.messages) this.index.seen(message.seq, categoryOfSubject(message.subject, prefix));
      if (!this.stopping) onError?.(new Error(`the tail's consumer ended at position ${this.index.position}`));
    } catch (error) {
      onError?.(error as Error);
    } finally {
      this.index.stopped();
    }
  }
}
