import { ErrorCode, NatsError } from 'nats';

/**
 * The event store cannot answer right now (a JetStream stream without a leader, a server cut off, an
 * append whose outcome the store could not learn in time). Nothing about the request is wrong: the same
 * request, retried shortly with its `Idempotency-Key`, is the honest next step, so services answer 503
 * with Retry-After.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** What the NATS client reports when the cluster cannot answer: no server listening, no answer in time, the connection gone. */
const UNAVAILABLE_CODES = new Set<string>([
  ErrorCode.NoResponders,
  ErrorCode.Timeout,
  ErrorCode.Disconnect,
  ErrorCode.ConnectionClosed,
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionTimeout,
  ErrorCode.JetStream408RequestTimeout,
]);
/** A JetStream API answer "503: JetStream system temporarily unavailable" (or a stream without quorum). */
const JETSTREAM_UNAVAILABLE = 503;

/** Whether `error` says the store (NATS JetStream) cannot answer at the moment, as opposed to refusing the request. */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof NatsError)) return false;
  return UNAVAILABLE_CODES.has(error.code) || error.jsError()?.code === JETSTREAM_UNAVAILABLE;
}
