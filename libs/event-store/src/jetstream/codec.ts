import { headers as natsHeaders, type MsgHdrs } from 'nats';
import {
  assertSafeToken,
  categoryOf,
  CLOUDEVENTS_JSON,
  CONTENT_TYPE_HEADER,
  eventHeaderName,
  HEADER_ATTRIBUTES,
  parseStreamId,
  type CairnEvent,
  type StreamName,
} from '@cairn/contracts';
import type { StoredEnvelope } from '../envelope';

/**
 * How a Cairn event is stored in JetStream. One message per event on the aggregate's subject; the
 * body is the CloudEvents envelope without `position`, because the position is the message's stream
 * sequence, known only once stored. It is the CloudEvents NATS binding's structured mode
 * (`content-type: application/cloudevents+json`); the `cairn-*` headers repeat the envelope's
 * attributes so that subscribers can route and filter without parsing bodies (see `@cairn/contracts`' wire).
 */
export const DEFAULT_SUBJECT_PREFIX = 'cairn.events';

export interface EncodedEvent {
  subject: string;
  headers: MsgHdrs;
  data: Uint8Array;
}

/** `cairn.events.<context>.<aggregate>.<id>` */
export function subjectOf(stream: StreamName, prefix = DEFAULT_SUBJECT_PREFIX): string {
  assertSafeToken('context', stream.context);
  assertSafeToken('aggregate', stream.aggregate);
  assertSafeToken('stream id', stream.id);
  return `${prefix}.${stream.context}.${stream.aggregate}.${stream.id}`;
}

/** Category `access_project` → `cairn.events.access.project.>`. */
export function categoryFilterSubjects(categories: string[], prefix = DEFAULT_SUBJECT_PREFIX): string[] {
  return categories.map((category) => {
    const match = /^([A-Za-z0-9-]+)_([A-Za-z0-9-]+)$/.exec(category);
    if (!match) throw new Error(`"${category}" is not a Cairn category (<context>_<aggregate>)`);
    return `${prefix}.${match[1]}.${match[2]}.>`;
  });
}

/** `cairn.events.access.project.<id>` → category `access_project` (the inverse of `subjectOf`'s first tokens). */
export function categoryOfSubject(subject: string, prefix = DEFAULT_SUBJECT_PREFIX): string {
  const [context, aggregate] = subject.slice(prefix.length + 1).split('.', 2);
  return categoryOf({ context, aggregate });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(envelope: StoredEnvelope, prefix = DEFAULT_SUBJECT_PREFIX): EncodedEvent {
  const headers = natsHeaders();
  headers.set('Nats-Msg-Id', envelope.id);
  headers.set(CONTENT_TYPE_HEADER, CLOUDEVENTS_JSON);
  for (const attribute of HEADER_ATTRIBUTES) {
    const value = envelope[attribute];
    if (value !== undefined) headers.set(eventHeaderName(attribute), String(value));
  }
  // W3C names, so that a subscriber's tracing library continues the trace from the headers alone.
  if (envelope.traceparent !== undefined) headers.set('traceparent', envelope.traceparent);
  if (envelope.tracestate !== undefined) headers.set('tracestate', envelope.tracestate);
  return {
    subject: subjectOf(parseStreamId(envelope.streamid), prefix),
    headers,
    data: encoder.encode(JSON.stringify(envelope)),
  };
}

/** A stored message whose body is not a Cairn envelope: redelivering it will not help. */
export class UndecodableEventError extends Error {
  constructor(
    readonly sequence: number,
    reason: string,
  ) {
    super(`message ${sequence} is not a Cairn event: ${reason}`);
    this.name = 'UndecodableEventError';
  }
}

/**
 * An event whose type names another context than the subject it was stored on (`access.role.granted.v1`
 * on `cairn.events.projects.…`): whoever stored it may publish there, but not for that context. Readers
 * refuse it; consumers dead-letter it.
 */
export class MisplacedEventError extends UndecodableEventError {
  constructor(sequence: number, type: string, subject: string) {
    super(sequence, `its type ${type} names another context than its subject ${subject}`);
    this.name = 'MisplacedEventError';
  }
}

/**
 * The context a subject belongs to: `<prefix>.<context>.<aggregate>.<id>`, counted from the end, since
 * ids and aggregates are single tokens and a prefix may have several.
 */
function contextOfSubject(subject: string): string | undefined {
  const tokens = subject.split('.');
  return tokens.length >= 4 ? tokens[tokens.length - 3] : undefined;
}

/**
 * Decodes a consumer's message (`msg.data, msg.seq, msg.subject`) and refuses (`MisplacedEventError`) an
 * event whose type's context is not its subject's: a consumer that follows several contexts must never
 * take a role grant from a subject that only another service may publish on.
 */
export function decodeConsumedEvent(data: Uint8Array, sequence: number, subject: string): CairnEvent {
  const event = decodeStoredEvent(data, sequence);
  const context = /^([^.]+)\./.exec(event.type)?.[1];
  if (context === undefined || context !== contextOfSubject(subject)) throw new MisplacedEventError(sequence, event.type, subject);
  return event;
}

/** Works for a consumer's `JsMsg` (`msg.data, msg.seq`) and a direct get's `StoredMsg` alike. */
export function decodeStoredEvent(data: Uint8Array, sequence: number): CairnEvent {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new UndecodableEventError(sequence, (error as Error).message);
  }
  if (!isStoredEnvelope(body)) {
    throw new UndecodableEventError(sequence, 'missing specversion, id, type, streamid or streamversion');
  }
  // The parsed object is ours alone: completing it in place spares a copy on every read.
  const event = body as CairnEvent;
  event.position = sequence;
  return event;
}

function isStoredEnvelope(body: unknown): body is StoredEnvelope {
  if (typeof body !== 'object' || body === null) return false;
  const envelope = body as Record<string, unknown>;
  return (
    envelope.specversion === '1.0' &&
    typeof envelope.id === 'string' &&
    typeof envelope.type === 'string' &&
    typeof envelope.streamid === 'string' &&
    typeof envelope.streamversion === 'number'
  );
}
