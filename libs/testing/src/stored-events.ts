import {
  eventCatalogue,
  streamIdOf,
  type EventDataOf,
  type CairnEvent,
  type PublishedEventType,
} from '@cairn/contracts';

export interface StoredEventOptions {
  /** The aggregate's id; by default the data's `<aggregate>Id`, else its `projectId`, else its `lab`. */
  aggregateId?: string;
  /** ISO 8601; by default one minute after the previous event of the log. */
  time?: string;
  actorid?: string;
}

export interface StoredEventLog {
  /** The next event of the log (a `StoredEventOf<T>`): the next position, the next version of its stream. */
  event<T extends PublishedEventType>(type: T, data: EventDataOf<T>, options?: StoredEventOptions): CairnEvent<T, EventDataOf<T>>;
}

/**
 * Stored events as the event store hands them to consumers, for specifications: each event gets the
 * next global position (from `firstPosition`, default 1) and the next version of its stream, in the
 * order the events are built; its id names its position (`event-7`).
 */
export function storedEvents(options: { firstPosition?: number; firstTime?: string } = {}): StoredEventLog {
  const { registry } = eventCatalogue();
  let position = options.firstPosition ?? 1;
  let clock = Date.parse(options.firstTime ?? '2025-01-06T09:00:00.000Z');
  const streamVersions = new Map<string, number>();
  return {
    event(type, data, { aggregateId, time, actorid } = {}) {
      const context = registry.nameOf(type).context;
      const aggregate = registry.streamAggregateOf(type);
      const id = aggregateId ?? aggregateIdOf(type, aggregate, data);
      const streamid = streamIdOf({ context, aggregate, id });
      const streamversion = streamVersions.get(streamid) ?? 0;
      streamVersions.set(streamid, streamversion + 1);
      if (time !== undefined) clock = Date.parse(time);
      const stored = {
        specversion: '1.0' as const,
        id: `event-${position}`,
        source: `cairn/${context}`,
        type,
        subject: `${aggregate}/${id}`,
        time: new Date(clock).toISOString(),
        datacontenttype: 'application/json' as const,
        data,
        streamid,
        streamversion,
        position,
        ...(actorid !== undefined && { actorid }),
      };
      position += 1;
      clock += 60_000;
      return stored;
    },
  };
}

function aggregateIdOf(type: string, aggregate: string, data: object): string {
  const fields = new Map(Object.entries(data));
  const id = [`${aggregate}Id`, 'projectId', 'lab'].map((field) => fields.get(field)).find((value) => typeof value === 'string');
  if (typeof id !== 'string') throw new Error(`name the aggregate of this ${type} event: { aggregateId: '...' }`);
  return id;
}
