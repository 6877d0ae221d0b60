import { isDeepStrictEqual } from 'node:util';
import { ACCESS_INTERVALS, accessIntervalChangesOf } from '@cairn/access-service';
import { categoryOf, parseStreamId, type CairnEvent } from '@cairn/contracts';
import { ProjectionState, rebuildProjection, ReadModelCollections } from '@cairn/read-models';
import type { ServiceDefinition } from '@cairn/runtime';
import { waitUntil } from '@cairn/testing';
import type { Db, Document } from 'mongodb';
import type { NatsConnection } from 'nats';
import { isSuccess, type Operation } from './workload';

/** What a run did and what of it holds, Jepsen-style. */
export interface Verdict {
  operations: number;
  acknowledged: number;
  /** Acknowledged (2xx) but without its events in the store. */
  lost: string[];
  /** Whose events the store holds more than once (more than one commit of them). */
  duplicated: string[];
  /** Cut off or answered 5xx first, then answered 2xx by a retry with the same key. */
  recovered: number;
  /** Never answered but with 5xx or no answer, within the retry time. */
  unresolved: string[];
  /** Answers that should not happen under faults: 500s, a 503 without Retry-After, refusals of commands that are allowed. */
  wrongAnswers: string[];
  /** Streams whose versions are not 0, 1, 2... in the order of their positions. */
  brokenStreams: string[];
  answered503: number;
  cutOff: number;
}

const describe = (operation: Operation) => `${operation.id} (${operation.client}: ${operation.what})`;

/** Checks every operation against the events the store holds, and the answers against what faults may cause. */
export function judge(operations: Operation[], events: CairnEvent[]): Verdict {
  const brokenStreams: string[] = [];
  const versions = new Map<string, number>();
  for (const event of events) {
    const expected = (versions.get(event.streamid) ?? -1) + 1;
    if (event.streamversion !== expected) brokenStreams.push(`${event.streamid}: version ${event.streamversion} at position ${event.position}, expected ${expected}`);
    versions.set(event.streamid, event.streamversion);
  }
  const ownEvents = new Map<string, CairnEvent[]>();
  for (const event of events) {
    // A request's own events carry its id as correlation and cause; what reactors append in answer is caused by those events.
    if (event.correlationid === undefined || event.causationid !== event.correlationid) continue;
    ownEvents.set(event.correlationid, [...(ownEvents.get(event.correlationid) ?? []), event]);
  }
  const byPosition = new Map(events.map((event) => [event.position, event]));

  const verdict: Verdict = {
    operations: operations.length,
    acknowledged: 0,
    lost: [],
    duplicated: [],
    recovered: 0,
    unresolved: [],
    wrongAnswers: [],
    brokenStreams,
    answered503: 0,
    cutOff: 0,
  };
  for (const operation of operations) {
    const own = ownEvents.get(operation.id) ?? [];
    const commits = new Set(own.map((event) => `${event.streamid} ${event.time}`));
    if (commits.size > 1) verdict.duplicated.push(`${describe(operation)}: ${commits.size} commits`);
    for (const attempt of operation.attempts) {
      if (attempt.status === undefined) verdict.cutOff++;
      else if (attempt.status === 503) verdict.answered503++;
      if (attempt.status === 503 && attempt.retryAfter === undefined) verdict.wrongAnswers.push(`${describe(operation)}: 503 without Retry-After`);
      if (attempt.status !== undefined && attempt.status >= 500 && attempt.status !== 503) verdict.wrongAnswers.push(`${describe(operation)}: ${attempt.status}`);
    }
    const last = operation.attempts.at(-1);
    if (isSuccess(last)) {
      verdict.acknowledged++;
      if (operation.attempts.length > 1) verdict.recovered++;
      const landed = last?.position === undefined ? undefined : byPosition.get(last.position);
      if (own.length === 0 || landed?.correlationid !== operation.id) verdict.lost.push(`${describe(operation)}: answered ${last?.status} at position ${last?.position}, ${own.length} events of its own`);
    } else if (last?.status === undefined || last.status >= 500 || last.rule === 'idempotency.in-progress') {
      verdict.unresolved.push(`${describe(operation)}: last ${last?.status ?? last?.error}`);
    } else {
      verdict.wrongAnswers.push(`${describe(operation)}: refused ${last.status} ${last.rule ?? ''} after ${operation.attempts.length} tries`);
    }
  }
  return verdict;
}

/** The summary a release check pastes: one line per figure. */
export function summaryTable(title: string, verdict: Verdict, noQuorumMs: number, durationMs: number): string {
  const rows: [string, string | number][] = [
    ['operations', verdict.operations],
    ['acknowledged', verdict.acknowledged],
    ['lost', verdict.lost.length],
    ['duplicated', verdict.duplicated.length],
    ['recovered', verdict.recovered],
    ['unresolved', verdict.unresolved.length],
    ['wrong answers', verdict.wrongAnswers.length],
    ['broken streams', verdict.brokenStreams.length],
    ['tries answered 503', verdict.answered503],
    ['tries cut off', verdict.cutOff],
    ['time without quorum', `${(noQuorumMs / 1000).toFixed(1)} s`],
    ['run time', `${(durationMs / 1000).toFixed(0)} s`],
  ];
  return [title, ...rows.map(([name, value]) => `  ${name.padEnd(20)} ${value}`)].join('\n');
}

/**
 * Documents as their readers see them, where the stored form depends on how events were batched: an
 * access timeline keeps one JSON chunk per batch that touched it, which a rebuild batches differently.
 */
const READER_VIEWS: Record<string, (document: Document) => Document> = {
  [ACCESS_INTERVALS]: (document) => ({ ...document, changes: accessIntervalChangesOf(document.changes as string[]) }),
};

/** A read model's documents, in `_id` order, as its readers see them. */
async function documentsOf(db: Db, projection: string, collection: string): Promise<Document[]> {
  const documents = await db.collection(collection).find({}).sort({ _id: 1 }).toArray();
  const view = READER_VIEWS[projection];
  return view ? documents.map(view) : documents;
}

/**
 * Each read model of `service`, once it has applied every event of its categories, against a rebuild
 * from the store: the names of those that differ.
 */
export async function readModelsAgainstRebuilds(service: ServiceDefinition, db: Db, nc: NatsConnection, events: CairnEvent[]): Promise<string[]> {
  const differing: string[] = [];
  const state = new ProjectionState(db);
  const collections = new ReadModelCollections(db, { cacheMs: 0 });
  for (const projection of service.projections) {
    const categories = new Set(projection.categories);
    const last = Math.max(0, ...events.filter((event) => categories.has(categoryOf(parseStreamId(event.streamid)))).map((event) => event.position));
    await waitUntil(`${service.name}'s ${projection.name} applied position ${last}`, async () => ((await state.checkpoint(projection.name))?.position ?? 0) >= last, 120_000);
    const live = await documentsOf(db, projection.name, (await collections.resolve(projection.name)).collectionName);
    const rebuilt = await rebuildProjection({ nc, db, projection, dropOldAfterMs: 0 });
    const fromStore = await documentsOf(db, projection.name, rebuilt.collection);
    if (!isDeepStrictEqual(live, fromStore)) differing.push(`${service.name}: ${projection.name}: ${firstDifference(live, fromStore)}`);
  }
  return differing;
}

function firstDifference(live: unknown[], rebuilt: unknown[]): string {
  const index = live.findIndex((document, at) => !isDeepStrictEqual(document, rebuilt[at]));
  const at = index < 0 ? live.length : index;
  return `${live.length} documents live, ${rebuilt.length} rebuilt; first difference: live ${JSON.stringify(live[at])} rebuilt ${JSON.stringify(rebuilt[at])}`;
}
