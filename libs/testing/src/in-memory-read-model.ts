import { isDeepStrictEqual } from 'node:util';
import { assertOneIntentPerDocumentAndEvent, POSITION_FIELD, type ReadModelUpdate, type WriteIntent } from '@cairn/read-models';
import type { Document } from 'mongodb';

/**
 * One read-model collection in memory, written as the projection runner writes MongoDB: every write is
 * guarded by the document's `_position` (it applies only to a document that has not seen its event
 * yet, and sets it), updates create missing documents unless `upsert: false`, and the update operators
 * mean what they mean in MongoDB. What this cannot reproduce faithfully it refuses, so a specification
 * never passes on semantics the database does not have.
 */
export class InMemoryReadModel {
  private readonly documents = new Map<string, Document>();

  apply(intents: WriteIntent[]): void {
    assertOneIntentPerDocumentAndEvent(intents);
    for (const intent of intents) this.applyOne(intent);
  }

  /** Every document in `_id` order (MongoDB's: by code unit, not by locale), without the runner's `_position`. */
  contents(): Document[] {
    return [...this.documents.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, document]) => document)
      .map(({ [POSITION_FIELD]: _applied, ...document }) => copy(document));
  }

  private applyOne(intent: WriteIntent): void {
    const current = this.documents.get(intent.id);
    const alreadyApplied = current !== undefined && typeof current[POSITION_FIELD] === 'number' && current[POSITION_FIELD] >= intent.position;
    if (alreadyApplied) return;
    switch (intent.kind) {
      case 'delete':
        this.documents.delete(intent.id);
        return;
      case 'replace':
        this.documents.set(intent.id, { _id: intent.id, ...copy(intent.document), [POSITION_FIELD]: intent.position });
        return;
      case 'update': {
        if (current === undefined && intent.upsert === false) return;
        const document = current ? copy(current) : { _id: intent.id };
        applyUpdate(document, intent.update, current === undefined);
        document[POSITION_FIELD] = intent.position;
        this.documents.set(intent.id, document);
        return;
      }
    }
  }
}

type Operator = keyof ReadModelUpdate;

function applyUpdate(document: Document, update: ReadModelUpdate, inserting: boolean): void {
  const unmodelled = Object.keys(update).filter((key) => !Object.hasOwn(OPERATORS, key));
  if (unmodelled.length > 0) throw new Error(`update operators the in-memory read model does not model: ${unmodelled.join(', ')}`);
  assertNoConflictingPaths(update);
  for (const operator of Object.keys(update).filter((key): key is Operator => Object.hasOwn(OPERATORS, key))) {
    for (const [path, value] of Object.entries(update[operator] ?? {})) {
      if (path === '_id' || path.startsWith('_id.')) throw new Error(`an update may not change _id (${operator} ${path})`);
      OPERATORS[operator](document, path, value, inserting);
    }
  }
}

const OPERATORS: Record<Operator, (document: Document, path: string, value: unknown, inserting: boolean) => void> = {
  $set: (document, path, value) => setPath(document, path, copy(value)),
  $setOnInsert: (document, path, value, inserting) => {
    if (inserting) setPath(document, path, copy(value));
  },
  $unset: (document, path) => unsetPath(document, path),
  $inc: (document, path, value) => {
    const current = getPath(document, path) ?? 0;
    if (typeof current !== 'number' || typeof value !== 'number') throw new Error(`$inc ${path}: only numbers`);
    setPath(document, path, current + value);
  },
  $max: (document, path, value) => {
    const current = getPath(document, path);
    if (current === undefined || compare(value, current, path) > 0) setPath(document, path, copy(value));
  },
  $min: (document, path, value) => {
    const current = getPath(document, path);
    if (current === undefined || compare(value, current, path) < 0) setPath(document, path, copy(value));
  },
  $push: (document, path, value) => {
    arrayAt(document, path, '$push').push(...eachOf(value, path, '$push'));
  },
  $addToSet: (document, path, value) => {
    const array = arrayAt(document, path, '$addToSet');
    for (const item of eachOf(value, path, '$addToSet')) if (!array.some((present) => isDeepStrictEqual(present, item))) array.push(item);
  },
  $pull: (document, path, value) => {
    // MongoDB's $pull takes a query for documents; an equal plain value is all that is modelled here.
    if (isRecord(value)) throw new Error(`$pull ${path}: the in-memory read model pulls plain values only`);
    const current = getPath(document, path);
    if (current === undefined) return;
    if (!Array.isArray(current)) throw new Error(`$pull ${path}: not an array`);
    setPath(document, path, current.filter((item) => !isDeepStrictEqual(item, value)));
  },
};

/** The values a $push or $addToSet adds: one, or those of `{ $each: [...] }` (other modifiers are refused). */
function eachOf(value: unknown, path: string, operator: string): unknown[] {
  if (isRecord(value) && !Array.isArray(value) && Object.keys(value).some((key) => key.startsWith('$'))) {
    const { $each, ...modifiers } = value;
    if (!Array.isArray($each) || Object.keys(modifiers).length > 0) throw new Error(`${operator} ${path}: only the $each modifier is modelled`);
    return copy($each);
  }
  return [copy(value)];
}

function arrayAt(document: Document, path: string, operator: string): unknown[] {
  const current = getPath(document, path);
  if (current === undefined) {
    const created: unknown[] = [];
    setPath(document, path, created);
    return created;
  }
  if (!Array.isArray(current)) throw new Error(`${operator} ${path}: not an array`);
  return current;
}

/** MongoDB refuses an update that names one path, or a path and its parent, in two operators. */
function assertNoConflictingPaths(update: ReadModelUpdate): void {
  const paths = Object.values(update).flatMap((fields) => Object.keys(fields ?? {}));
  for (const [index, path] of paths.entries()) {
    const conflict = paths.slice(index + 1).find((other) => other === path || other.startsWith(`${path}.`) || path.startsWith(`${other}.`));
    if (conflict !== undefined) throw new Error(`updating the path '${path}' would create a conflict at '${conflict}'`);
  }
}

function compare(a: unknown, b: unknown, path: string): number {
  const comparable = (value: unknown) => (value instanceof Date ? value.getTime() : value);
  const [x, y] = [comparable(a), comparable(b)];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  throw new Error(`$max/$min ${path}: only numbers, strings and dates of one kind are modelled`);
}

/**
 * A deep copy of a document value. Not `structuredClone`: its copies have the prototypes of the realm
 * it runs in, which Jest's is not, and `deepStrictEqual` compares prototypes.
 */
function copy<T>(value: T): T;
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof Date) return new Date(value.getTime());
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, copy(field)]));
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function getPath(document: Document, path: string): unknown {
  let value: unknown = document;
  for (const key of path.split('.')) {
    if (!isRecord(value)) return undefined;
    value = value[key];
  }
  return value;
}

function setPath(document: Document, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let target: Record<string, unknown> = document;
  for (const key of keys) {
    const next = target[key] ?? {};
    if (!isRecord(next)) throw new Error(`cannot create field '${last}' in element {${key}: ${JSON.stringify(next)}}`);
    target[key] = next;
    target = next;
  }
  target[last] = value;
}

function unsetPath(document: Document, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const container = keys.length === 0 ? document : getPath(document, keys.join('.'));
  if (isRecord(container)) delete container[last];
}
