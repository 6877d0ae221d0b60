import { RequestStrategy, type Msg, type NatsConnection } from 'nats';

/**
 * Reads by JetStream's direct get API (the stream has `allow_direct`). The `nats` v2 client wraps only
 * single gets and multi-last batches, so the batch read of one subject is a raw request here.
 */
export interface DirectReader {
  /** The last message stored on the subject, if any. */
  last(subject: string): Promise<Msg | undefined>;
  /** Every message on the subject from `fromSequence` on, in order. */
  readSubject(subject: string, fromSequence?: number): Promise<Msg[]>;
}

const PAGE_SIZE = 1000;
const TIMEOUT_MS = 5000;

export function directReader(nc: NatsConnection, streamName: string): DirectReader {
  const api = `$JS.API.DIRECT.GET.${streamName}`;

  return {
    async last(subject) {
      const reply = await nc.request(`${api}.${subject}`, undefined, { timeout: TIMEOUT_MS });
      if (reply.headers?.code === 404) return undefined;
      assertOk(reply, subject);
      return reply;
    },

    async readSubject(subject, fromSequence = 1) {
      const messages: Msg[] = [];
      let next = fromSequence;
      for (;;) {
        const request = JSON.stringify({ seq: next, next_by_subj: subject, batch: PAGE_SIZE });
        const replies = await nc.requestMany(api, request, {
          strategy: RequestStrategy.SentinelMsg,
          maxWait: TIMEOUT_MS,
        });
        let pending = 0;
        for await (const reply of replies) {
          const code = reply.headers?.code ?? 0;
          if (code === 404) return messages;
          if (reply.data.length === 0 && code === 204) {
            // End of batch: it tells how many matching messages the page did not include.
            pending = Number(reply.headers?.get('Nats-Num-Pending') ?? 0);
            break;
          }
          assertOk(reply, subject);
          messages.push(reply);
          next = sequenceOf(reply) + 1;
        }
        if (pending === 0) return messages;
      }
    },
  };
}

export function sequenceOf(message: Msg): number {
  return Number(message.headers?.get('Nats-Sequence'));
}

function assertOk(reply: Msg, subject: string): void {
  const code = reply.headers?.code ?? 0;
  if (code !== 0 && (code < 200 || code > 299)) {
    throw new Error(`direct get on ${subject} failed: ${code} ${reply.headers?.description ?? ''}`);
  }
}
