import { v7 as uuidv7 } from 'uuid';
import { streamIdOf, type CairnEvent, type NewEvent, type StreamName } from '@cairn/contracts';

/** An envelope as the store writes it: everything but `position`, which only the store assigns. */
export type StoredEnvelope = Omit<CairnEvent, 'position'>;

export type IdentifiedEvent = NewEvent & { id: string };

/**
 * Fixes every event's id once per append, so that internal retries and the server's deduplication
 * all see the same events.
 */
export function identify(events: NewEvent[]): IdentifiedEvent[] {
  if (events.length === 0) throw new Error('append needs at least one event');
  return events.map((event) => ({ ...event, id: event.id ?? uuidv7() }));
}

/** Everything about an event but its place in its stream, which EventStoreDB assigns itself. */
export type EnvelopeAttributes = Omit<StoredEnvelope, 'streamversion'>;

/** Fills in the CloudEvents attributes of an event of a stream. */
export function envelopeAttributes(stream: StreamName, event: IdentifiedEvent, time: string): EnvelopeAttributes {
  return {
    specversion: '1.0',
    id: event.id,
    source: `cairn/${stream.context}`,
    type: event.type,
    subject: `${stream.aggregate}/${stream.id}`,
    time,
    datacontenttype: 'application/json',
    data: event.data,
    streamid: streamIdOf(stream),
    ...(event.actorid === undefined ? {} : { actorid: event.actorid }),
    ...(event.correlationid === undefined ? {} : { correlationid: event.correlationid }),
    ...(event.causationid === undefined ? {} : { causationid: event.causationid }),
    ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }),
    ...(event.tracestate === undefined ? {} : { tracestate: event.tracestate }),
  };
}

export function newEnvelope(
  stream: StreamName,
  event: IdentifiedEvent,
  streamversion: number,
  time: string,
): StoredEnvelope {
  return { ...envelopeAttributes(stream, event, time), streamversion };
}
