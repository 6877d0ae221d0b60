/**
 * The CloudEvents 1.0 envelope every Cairn event travels in, in the event store and on the bus.
 * Extensions are flat lower-case attributes, as CloudEvents requires.
 */
export interface CairnEvent<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  /** UUIDv7, also the deduplication key (ESDB event id, NATS `Nats-Msg-Id`). */
  id: string;
  /** `cairn/<context>` */
  source: string;
  /** `<context>.<aggregate>.<fact>.v<N>` */
  type: TType;
  /** `<aggregate>/<id>` */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: TData;
  /** `<context>_<aggregate>-<id>` */
  streamid: string;
  /** 0-based version of this event inside its stream. */
  streamversion: number;
  /** Global, monotonic across every service of one store; what checkpoints and consistency tokens use. */
  position: number;
  correlationid?: string;
  causationid?: string;
  actorid?: string;
  /** W3C trace context of the append that recorded the event (CloudEvents' distributed tracing extension). */
  traceparent?: string;
  tracestate?: string;
}

/** What a command handler hands to the store; the store fills in where and when. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  /** Pass a stable id to make a retried append idempotent; generated (UUIDv7) when absent. */
  id?: string;
  type: TType;
  data: TData;
  actorid?: string;
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
  tracestate?: string;
}

/** An aggregate's stream: one per aggregate instance. */
export interface StreamName {
  context: string;
  aggregate: string;
  id: string;
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

export function assertSafeToken(what: string, value: string): void {
  if (!SAFE_TOKEN.test(value)) {
    throw new Error(`${what} "${value}" may contain only letters, digits, '_' and '-'`);
  }
}

/** `access_project-<id>`: the category (`access_project`) is the EventStoreDB stream-name prefix. */
export function streamIdOf(stream: StreamName): string {
  return `${categoryOf(stream)}-${stream.id}`;
}

export function categoryOf(stream: Pick<StreamName, 'context' | 'aggregate'>): string {
  return `${stream.context}_${stream.aggregate}`;
}

export function parseStreamId(streamId: string): StreamName {
  // Aggregate names carry no hyphen, so the first hyphen after the category's '_' starts the id.
  const match = /^([A-Za-z0-9-]+)_([A-Za-z0-9]+)-([A-Za-z0-9_-]+)$/.exec(streamId);
  if (!match) throw new Error(`"${streamId}" is not a Cairn stream id (<context>_<aggregate>-<id>)`);
  return { context: match[1], aggregate: match[2], id: match[3] };
}
