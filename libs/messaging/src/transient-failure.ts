import { isStoreUnavailable, NotCaughtUpError } from '@cairn/event-store';

/**
 * MongoDB driver errors that say the server was not reached or did not answer in time, whatever the
 * operation: the same operation can succeed once the server is back. Told apart by name rather than
 * `instanceof`, so that this library does not depend on the driver (and two copies of it both count).
 */
const MONGO_UNREACHABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
]);

/** Labels the driver or server puts on an error that retrying the operation may get past. */
const MONGO_TRANSIENT_LABELS = ['RetryableError', 'RetryableWriteError', 'ResetPool', 'PoolRequstedRetry', 'TransientTransactionError', 'SystemOverloadedError'];

/**
 * Server error codes of a server that is shutting down, stepping down or cut off (the driver's own list
 * of retryable read and write errors).
 */
const MONGO_TRANSIENT_CODES = new Set([6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

interface DriverErrorShape {
  name?: unknown;
  code?: unknown;
  errorLabels?: unknown;
  cause?: unknown;
  /** Where `MongoBulkWriteError` keeps the driver error it wraps (a lost connection in the middle of a bulk write). */
  errorResponse?: unknown;
}

/**
 * Whether a failure says a dependency (MongoDB, NATS) was unreachable or did not answer in time, as
 * opposed to the event or its handler being at fault (or a read model a handler's command decides on is
 * not caught up: 503 to an HTTP client): the same work succeeds once the dependency answers again, so it must be retried without limit rather than counted toward dead-lettering. An error that
 * wraps such a failure (`cause`, a bulk write's `errorResponse`) is one too.
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (!isObject(error) || depth > 4) return false;
  return isTransientItself(error) || isTransientFailure(error.cause, depth + 1) || isTransientFailure(error.errorResponse, depth + 1);
}

function isTransientItself(error: DriverErrorShape): boolean {
  // A read model the handler decides on is behind, typically because it is itself waiting for MongoDB.
  if (error instanceof NotCaughtUpError) return true;
  // NATS timeouts, disconnects, no responders, a JetStream without a leader; an append whose outcome is unknown.
  if (isStoreUnavailable(error)) return true;
  const name = typeof error.name === 'string' ? error.name : '';
  if (!name.startsWith('Mongo')) return false;
  if (MONGO_UNREACHABLE.has(name)) return true;
  const labels = Array.isArray(error.errorLabels) ? (error.errorLabels as unknown[]) : [];
  return labels.some((label) => MONGO_TRANSIENT_LABELS.includes(String(label))) || MONGO_TRANSIENT_CODES.has(Number(error.code));
}

function isObject(value: unknown): value is DriverErrorShape {
  return typeof value === 'object' && value !== null;
}
