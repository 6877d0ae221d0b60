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

/** Fills in the CloudEvents attributes of an event at its place in its stream. */
export function newEnvelope(
  stream: StreamName,
  event: IdentifiedEvent,
  streamversion: number,
  time: string,
): StoredEnvelope {
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
    streamversion,
    ...(event.actorid === undefined ? {} : { actorid: event.actorid }),
    ...(event.correlationid === undefined ? {} : { correlationid: event.correlationid }),
    ...(event.causationid === undefined ? {} : { causationid: event.causationid }),
  };
}
