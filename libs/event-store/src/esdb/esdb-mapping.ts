import {
  ANY,
  excludeSystemEvents,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  type AppendExpectedRevision,
  type EventData,
  type Filter,
  type JSONType,
  type ReadPosition,
  type RecordedEvent,
} from '@eventstore/db-client';
import type { CairnEvent, StreamName } from '@cairn/contracts';
import { envelopeAttributes, type EnvelopeAttributes, type IdentifiedEvent } from '../envelope';
import type { ExpectedVersion } from '../port';

/** How Cairn's envelope and expectations map onto EventStoreDB's events, revisions and filters. */

/**
 * What an event keeps besides its id, type and data: the envelope attributes EventStoreDB has no field
 * for. `$correlationId`/`$causationId` are EventStoreDB's own conventions, used by its projections.
 */
export type EnvelopeMetadata = Pick<
  EnvelopeAttributes,
  'specversion' | 'source' | 'subject' | 'time' | 'datacontenttype' | 'actorid' | 'correlationid' | 'causationid' | 'traceparent' | 'tracestate'
> & { $correlationId?: string; $causationId?: string };

export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'no-stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream-exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

export function toEventData(stream: StreamName, event: IdentifiedEvent, time: string): EventData {
  // The stream id is where the event is written, not something to repeat in its metadata.
  const { id, type, data, streamid: _writtenTo, ...attributes } = envelopeAttributes(stream, event, time);
  const metadata: EnvelopeMetadata = {
    ...attributes,
    ...(attributes.correlationid === undefined ? {} : { $correlationId: attributes.correlationid }),
    ...(attributes.causationid === undefined ? {} : { $causationId: attributes.causationid }),
  };
  return jsonEvent({ id, type, data: asJson(data), metadata });
}

export function asJson(data: unknown): JSONType {
  if (typeof data === 'string' || (typeof data === 'object' && data !== null)) return data as JSONType;
  throw new Error(`event data must be a JSON object, array or string, not ${typeof data}`);
}

/** Events Cairn wrote, as opposed to system events and other writers' events sharing `$all`. */
export function isCairnEvent(event: RecordedEvent): boolean {
  if (event.streamId.startsWith('$') || event.type.startsWith('$') || !event.isJson) return false;
  const metadata = event.metadata as Partial<EnvelopeMetadata> | undefined;
  return metadata?.specversion === '1.0';
}

export function toCairnEvent(event: RecordedEvent): CairnEvent {
  if (!event.position) {
    throw new Error(`EventStoreDB gave no position for ${event.streamId}@${event.revision} (it needs 22.6 or later)`);
  }
  const metadata = event.metadata as EnvelopeMetadata;
  return {
    specversion: '1.0',
    id: event.id,
    source: metadata.source,
    type: event.type,
    subject: metadata.subject,
    time: metadata.time,
    datacontenttype: 'application/json',
    data: event.data,
    streamid: event.streamId,
    streamversion: Number(event.revision),
    position: Number(event.position.commit),
    ...(metadata.actorid === undefined ? {} : { actorid: metadata.actorid }),
    ...(metadata.correlationid === undefined ? {} : { correlationid: metadata.correlationid }),
    ...(metadata.causationid === undefined ? {} : { causationid: metadata.causationid }),
    ...(metadata.traceparent === undefined ? {} : { traceparent: metadata.traceparent }),
    ...(metadata.tracestate === undefined ? {} : { tracestate: metadata.tracestate }),
  };
}

/** Streams of category `access_project` are `access_project-<id>`. */
export function categoryPrefix(category: string): string {
  return `${category}-`;
}

export function filterFor(categories: string[] | undefined): Filter {
  return categories
    ? streamNameFilter({ prefixes: categories.map(categoryPrefix) })
    : excludeSystemEvents();
}

/**
 * Every event of a normal append has commit = prepare = its own log position, so this position names
 * exactly the event after which to go on.
 */
export function readPositionAfter(position: number): ReadPosition {
  return position > 0 ? { commit: BigInt(position), prepare: BigInt(position) } : START;
}
