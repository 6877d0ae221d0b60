import { RequestStrategy, type Msg, type NatsConnection } from 'nats';
import { StoreUnavailableError } from '../unavailable';

/**
 * Reads by JetStream's direct get API (the stream has `allow_direct`). The `nats` v2 client wraps only
 * single gets and multi-last batches, so the batch read of one subject is a raw request here.
 *
 * In a cluster any replica answers a direct get, and a follower may not have applied the latest writes
 * yet. Each read therefore names the lowest last sequence it accepts (`min_last_seq`, nats-server 2.12+):
 * a follower that is behind hands the read to the leader, so a read never goes back behind what
 * `minLastSequence` says this process has seen (its own appends included). A replica that has just
 * restarted has been seen to answer "nothing on this subject" all the same; so in a process that has
 * seen writes, "nothing" is believed only once the stream's leader confirms it.
 */
export interface DirectReader {
  /** The last message stored on the subject, if any. */
  last(subject: string): Promise<Msg | undefined>;
  /** Every message on the subject from `fromSequence` on, in order. */
  readSubject(subject: string, fromSequence?: number): Promise<Msg[]>;
}

const PAGE_SIZE = 1000;
const TIMEOUT_MS = 5000;

export function directReader(nc: NatsConnection, streamName: string, minLastSequence: () => number = () => 0): DirectReader {
  const api = `$JS.API.DIRECT.GET.${streamName}`;
  const floor = () => {
    const sequence = minLastSequence();
    return sequence > 0 ? { min_last_seq: sequence } : undefined;
  };

  /**
   * Throws unless the leader agrees that the subject had nothing from `fromSequence` up to `accepted`
   * (what the read asked for): a message stored after that is news the read could not have known of.
   */
  const confirmNothing = async (subject: string, fromSequence: number, accepted: { min_last_seq: number } | undefined) => {
    if (accepted === undefined) return;
    const reply = await nc.request(`$JS.API.STREAM.MSG.GET.${streamName}`, JSON.stringify({ last_by_subj: subject }), { timeout: TIMEOUT_MS });
    const answer = reply.json<{ message?: { seq: number }; error?: { code: number; description: string } }>();
    if (answer.error?.code === 404) return;
    if (answer.error) throw new StoreUnavailableError(`the leader of ${streamName} did not answer for ${subject}: ${answer.error.code} ${answer.error.description}`);
    const held = answer.message?.seq ?? 0;
    if (held >= fromSequence && held <= accepted.min_last_seq) throw new StoreUnavailableError(`a replica of ${streamName} answered nothing on ${subject}, which its leader holds`);
  };

  return {
    async last(subject) {
      const accepted = floor();
      const reply = await nc.request(`${api}.${subject}`, accepted && JSON.stringify(accepted), { timeout: TIMEOUT_MS });
      if (reply.headers?.code === 404) {
        await confirmNothing(subject, 1, accepted);
        return undefined;
      }
      assertOk(reply, subject);
      return reply;
    },

    async readSubject(subject, fromSequence = 1) {
      const messages: Msg[] = [];
      let next = fromSequence;
      for (;;) {
        const accepted = floor();
        const request = JSON.stringify({ seq: next, next_by_subj: subject, batch: PAGE_SIZE, ...accepted });
        const replies = await nc.requestMany(api, request, {
          strategy: RequestStrategy.SentinelMsg,
          maxWait: TIMEOUT_MS,
        });
        let pending: number | undefined;
        for await (const reply of replies) {
          const code = reply.headers?.code ?? 0;
          if (code === 404) {
            if (messages.length === 0) await confirmNothing(subject, next, accepted);
            return messages;
          }
          if (reply.data.length === 0 && code === 204) {
            // End of batch: it tells how many matching messages the page did not include.
            pending = Number(reply.headers?.get('Nats-Num-Pending') ?? 0);
            break;
          }
          assertOk(reply, subject);
          messages.push(reply);
          next = sequenceOf(reply) + 1;
        }
        // No end of batch within the wait (a replica cut off took the request): the page is incomplete, not empty.
        if (pending === undefined) throw new StoreUnavailableError(`direct get on ${subject}: no complete answer within ${TIMEOUT_MS} ms`);
        if (pending === 0) return messages;
      }
    },
  };
}

export function sequenceOf(message: Msg): number {
  return Number(message.headers?.get('Nats-Sequence'));
}

/** 408 (timed out), 412 (no replica reached the minimum last sequence in time), 503 (no leader). */
const UNAVAILABLE = new Set([408, 412, 503]);

function assertOk(reply: Msg, subject: string): void {
  const code = reply.headers?.code ?? 0;
  if (UNAVAILABLE.has(code)) throw new StoreUnavailableError(`direct get on ${subject}: ${code} ${reply.headers?.description ?? ''}`);
  if (code !== 0 && (code < 200 || code > 299)) {
    throw new Error(`direct get on ${subject} failed: ${code} ${reply.headers?.description ?? ''}`);
  }
}
