import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

interface IdempotentRequest {
  key: string;
  /** When the key was first used: the time part of the event ids (event ids are UUIDv7). */
  firstTriedAt: number;
  /** Commits this request has made so far, per stream. */
  commits: Map<string, number>;
}

const requests = new AsyncLocalStorage<IdempotentRequest>();

/**
 * Runs `work` (a request's handling) as the request with this Idempotency-Key (`key` names the caller
 * too), first tried at `firstTriedAt` (ms). Its commits get event ids derived from both: a retry of the
 * request makes the same ids.
 */
export function withIdempotencyKey<T>(key: string, firstTriedAt: number, work: () => T): T {
  return requests.run({ key, firstTriedAt, commits: new Map() }, work);
}

/** The ids of one commit's events, the same in every try of the request that makes it. */
export interface CommitIdentity {
  idOf(index: number): string;
}

/**
 * The identity of the next commit to `streamId` in the request in hand, when it has an Idempotency-Key:
 * the n-th commit of a request to a stream has the same event ids in every retry of that request, so
 * the retry of a request whose first try was stored although its answer was lost (a JetStream leader
 * lost with the acknowledgement) finds that commit instead of deciding again.
 */
export function nextIdempotentCommit(streamId: string): CommitIdentity | undefined {
  const request = requests.getStore();
  if (!request) return undefined;
  const ordinal = request.commits.get(streamId) ?? 0;
  request.commits.set(streamId, ordinal + 1);
  return {
    idOf: (index) =>
      uuidv7({ msecs: request.firstTriedAt, random: createHash('sha256').update(`${request.key}\n${streamId}\n${ordinal}\n${index}`).digest().subarray(0, 16) }),
  };
}

/**
 * The id of an entity a command creates (a job, a logbook entry, a comment, a file, an experiment). In a
 * request with an Idempotency-Key the n-th new id is the same in every try, so a retry after a stored but
 * unanswered append commits to the same new stream and finds that commit, instead of creating a twin.
 */
export function newEntityId(): string {
  const request = requests.getStore();
  if (!request) return uuidv7();
  const ordinal = request.commits.get(NEW_ENTITY_IDS) ?? 0;
  request.commits.set(NEW_ENTITY_IDS, ordinal + 1);
  return uuidv7({ msecs: request.firstTriedAt, random: createHash('sha256').update(`${request.key}\nnew entity\n${ordinal}`).digest().subarray(0, 16) });
}

/** Counts the new ids of a request beside its commits per stream; never a stream id (those have a context and an aggregate). */
const NEW_ENTITY_IDS = 'new entity ids';
