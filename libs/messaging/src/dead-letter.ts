import {
  DiscardPolicy,
  headers as natsHeaders,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from 'nats';
import { addStreamIfMissing } from './streams';

export const DEAD_LETTER_STREAM = 'CAIRN_DLQ';
export const DEAD_LETTER_SUBJECT_PREFIX = 'cairn.dlq';

/** Headers a dead-lettered message carries besides the original's own (`content-type`, `cairn-*`) headers. */
export const DeadLetterHeaders = {
  reason: 'Cairn-Dlq-Reason',
  consumer: 'Cairn-Dlq-Consumer',
  stream: 'Cairn-Dlq-Stream',
  subject: 'Cairn-Dlq-Original-Subject',
  sequence: 'Cairn-Dlq-Original-Sequence',
  deliveries: 'Cairn-Dlq-Deliveries',
} as const;

/** `cairn.dlq.<consumer>` */
export function deadLetterSubject(consumer: string): string {
  return `${DEAD_LETTER_SUBJECT_PREFIX}.${consumer}`;
}

/** NATS header values are single lines of bounded length. */
const MAX_REASON_LENGTH = 2_000;

/**
 * Moves messages a consumer cannot process onto `cairn.dlq.<consumer>`, kept by the `CAIRN_DLQ`
 * stream (created on first use), then terminates them on their consumer. The dead letter is stored
 * before the original is terminated, so a crash in between leaves the message redeliverable rather
 * than lost; its own `Nats-Msg-Id` (consumer, stream, sequence) makes the repeat a server-side duplicate.
 */
export class DeadLetterPublisher {
  private streamReady?: Promise<void>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly consumer: string,
  ) {}

  async deadLetter(message: JsMsg, reason: string): Promise<void> {
    await this.ensureStream();
    const singleLine = reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_REASON_LENGTH);
    const headers = natsHeaders();
    for (const [key, values] of message.headers ?? []) {
      if (key.toLowerCase().startsWith('nats-')) continue;
      for (const value of values) headers.append(key, value);
    }
    headers.set('Nats-Msg-Id', `${this.consumer}:${message.info.stream}:${message.seq}`);
    headers.set(DeadLetterHeaders.reason, singleLine);
    headers.set(DeadLetterHeaders.consumer, this.consumer);
    headers.set(DeadLetterHeaders.stream, message.info.stream);
    headers.set(DeadLetterHeaders.subject, message.subject);
    headers.set(DeadLetterHeaders.sequence, String(message.seq));
    headers.set(DeadLetterHeaders.deliveries, String(message.info.deliveryCount));
    await this.js.publish(deadLetterSubject(this.consumer), message.data, { headers });
    message.term(singleLine);
  }

  private ensureStream(): Promise<void> {
    this.streamReady ??= ensureDeadLetterStream(this.jsm).catch((error: Error) => {
      this.streamReady = undefined;
      throw error;
    });
    return this.streamReady;
  }
}

async function ensureDeadLetterStream(jsm: JetStreamManager): Promise<void> {
  await addStreamIfMissing(jsm, {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(2 * 60 * 1000),
  });
}

/** How many messages `consumer` has dead-lettered, as the `CAIRN_DLQ` stream holds them (0 before the first). */
export async function deadLetterCount(jsm: JetStreamManager, consumer: string): Promise<number> {
  const subject = deadLetterSubject(consumer);
  const info = await jsm.streams.info(DEAD_LETTER_STREAM, { subjects_filter: subject }).catch((error: Error) => {
    if (/stream not found/i.test(error.message)) return undefined;
    throw error;
  });
  return info?.state.subjects?.[subject] ?? 0;
}
