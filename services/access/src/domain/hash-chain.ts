import { createHash } from 'node:crypto';
import type { DomainEvent } from '@cairn/contracts';

/**
 * The hash chain over a project's access stream: each event's data carries the previous event's hash
 * (`prevHash`) and its own `hash = sha256(prevHash + canonicalJson({ type, data without hash }))`.
 * Rewriting, dropping or reordering any event breaks every link after it.
 */

/** `prevHash` of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainLinks {
  prevHash: string;
  hash: string;
}

/** An event before it is sealed into the chain. */
export type Unsealed<E extends DomainEvent> = E extends DomainEvent<infer TType, infer TData>
  ? DomainEvent<TType, Omit<TData, keyof ChainLinks>>
  : never;

/**
 * JSON with object keys sorted at every depth and no whitespace, so equal data always hashes alike,
 * whatever order its keys were written in. Undefined object members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash an event must carry, from its type and its data (any `hash` member in it is ignored). */
export function hashOf(type: string, data: { prevHash: string }): string {
  const { hash: _ignored, ...withoutHash } = data as { prevHash: string; hash?: string };
  return createHash('sha256')
    .update(withoutHash.prevHash + canonicalJson({ type, data: withoutHash }))
    .digest('hex');
}

/** Links events after the one whose hash is `prevHash`, in order. */
export function sealChain<E extends DomainEvent<string, ChainLinks>>(prevHash: string, events: Unsealed<E>[]): E[] {
  const sealed: E[] = [];
  let previous = prevHash;
  for (const event of events) {
    const data = { ...(event.data as object), prevHash: previous };
    const hash = hashOf(event.type, data);
    sealed.push({ type: event.type, data: { ...data, hash } } as E);
    previous = hash;
  }
  return sealed;
}

export type ChainVerification =
  | { intact: true; length: number; head: string }
  | {
      intact: false;
      /** Index of the first event whose link is broken. */
      brokenAt: number;
      type: string;
      problem: 'prev-hash-mismatch' | 'hash-mismatch';
      expected: string;
      actual: string;
    };

/** Walks a stream from its first event; reports the first broken link. */
export function verifyChain(events: readonly DomainEvent<string, ChainLinks>[]): ChainVerification {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const broken = (problem: 'prev-hash-mismatch' | 'hash-mismatch', expected: string, actual: string) =>
      ({ intact: false, brokenAt: index, type: event.type, problem, expected, actual }) as const;
    if (event.data.prevHash !== previous) return broken('prev-hash-mismatch', previous, event.data.prevHash);
    const expected = hashOf(event.type, event.data);
    if (event.data.hash !== expected) return broken('hash-mismatch', expected, event.data.hash);
    previous = event.data.hash;
  }
  return { intact: true, length: events.length, head: previous };
}
