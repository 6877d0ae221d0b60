import { createInbox, nanos, type ConnectionOptions, type JsMsg, type Msg, type NatsConnection } from 'nats';
// The v2 client builds JetStream messages from raw ones internally only; pulls are made here by hand
// because its `fetch` cannot say "wait for the first message, then take whatever else is there".
import { toJsMsg } from 'nats/lib/jetstream/jsmsg';

export interface PullRequest {
  stream: string;
  consumer: string;
  batch: number;
  /**
   * Long poll: wait up to this long for the first message, then return at once with everything
   * available up to `batch` (`no_wait` with `expires`). Absent: answer immediately, possibly empty.
   */
  waitMs?: number;
  /** Priority group of a `pinned_client` consumer, and the pin this client holds (if any). */
  group?: string;
  pinId?: string;
}

export interface PullResult {
  messages: JsMsg[];
  /** The pin the server gave this client with the messages (pinned-client consumers). */
  pinId?: string;
  /** The server says another client holds the pin: this one is on standby. */
  pinLost: boolean;
  /**
   * Nothing came back, not even the 408 the server sends when the wait is over: the connection is down or
   * the server does not answer. Not the same as an empty batch.
   */
  unanswered: boolean;
}

/** The consumer or its stream is gone (deleted, or never created): re-create and pull again. */
export class ConsumerGoneError extends Error {
  constructor(consumer: string, detail: string) {
    super(`consumer ${consumer}: ${detail}`);
    this.name = 'ConsumerGoneError';
  }
}

const PIN_HEADER = 'Nats-Pin-Id';
/** Slack on top of the server's own expiry before this side gives up on a lost answer. */
const CLIENT_GRACE_MS = 2_000;

/**
 * One pull request on a pull consumer, answered by at most `batch` messages. The server ends an
 * answer short of `batch` with a 404 (nothing more now) or a 408 (expired) status message; 423 means
 * another client holds the pin; 409 "Consumer Deleted" or 503 (no responders) mean the consumer is gone.
 */
export async function pullBatch(nc: NatsConnection, request: PullRequest, signal?: AbortSignal): Promise<PullResult> {
  // Under the connection's own inbox prefix: its NATS identity may subscribe to nothing else.
  const inbox = createInbox((nc as NatsConnection & { options?: ConnectionOptions }).options?.inboxPrefix);
  const subscription = nc.subscribe(inbox);
  const body: Record<string, unknown> = { batch: request.batch, no_wait: true };
  if (request.waitMs !== undefined) body.expires = nanos(request.waitMs);
  if (request.group !== undefined) {
    body.group = request.group;
    if (request.pinId !== undefined) body.id = request.pinId;
  }
  const stop = () => subscription.unsubscribe();
  const timer = setTimeout(stop, (request.waitMs ?? 0) + CLIENT_GRACE_MS);
  signal?.addEventListener('abort', stop, { once: true });
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${request.stream}.${request.consumer}`, JSON.stringify(body), {
    reply: inbox,
  });

  const result: PullResult = { messages: [], pinLost: false, unanswered: true };
  try {
    for await (const message of subscription) {
      result.unanswered = false;
      const status = statusOf(message);
      if (status === undefined) {
        result.messages.push(toJsMsg(message));
        result.pinId = message.headers?.get(PIN_HEADER) || result.pinId;
        if (result.messages.length >= request.batch) break;
        continue;
      }
      if (status.code === 100) continue;
      if (status.code === 404 || status.code === 408) break;
      if (status.code === 423) {
        result.pinLost = true;
        break;
      }
      // 503: nobody answers on the consumer's subject, i.e. it does not exist (any more).
      if (status.code === 503 || (status.code === 409 && /deleted/i.test(status.description))) {
        throw new ConsumerGoneError(request.consumer, status.description);
      }
      if (status.code === 409) break; // leadership change, too many waiting pulls...: simply pull again
      throw new Error(`pull from ${request.stream} > ${request.consumer} refused: ${status.code} ${status.description}`);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
    subscription.unsubscribe();
  }
  return result;
}

function statusOf(message: Msg): { code: number; description: string } | undefined {
  const headers = message.headers;
  if (!headers || message.data.length > 0 || headers.code === 0) return undefined;
  return { code: headers.code, description: headers.description };
}
