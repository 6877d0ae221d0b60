/**
 * How an event travels on NATS: the CloudEvents NATS binding's structured mode. The body is the whole
 * envelope in JSON and `content-type` says so. Cairn repeats the attributes subscribers route by in
 * `cairn-*` headers, never `ce-*` ones: a binding reader that sees `ce-*` headers takes the message for
 * binary mode, the headers for the attributes and the whole envelope for the event's data.
 */
export const CONTENT_TYPE_HEADER = 'content-type';
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** The envelope's attributes that each message also carries as a header (`cairn-<attribute>`). */
export const HEADER_ATTRIBUTES = [
  'id',
  'type',
  'source',
  'subject',
  'time',
  'streamid',
  'streamversion',
  'actorid',
  'correlationid',
  'causationid',
] as const;
export type HeaderAttribute = (typeof HEADER_ATTRIBUTES)[number];
/** Every message has these headers; the others only when the envelope has the attribute. */
export const REQUIRED_HEADER_ATTRIBUTES: readonly HeaderAttribute[] = ['id', 'type', 'source', 'subject', 'time', 'streamid', 'streamversion'];

export function eventHeaderName(attribute: HeaderAttribute): string {
  return `cairn-${attribute}`;
}

/**
 * The name messages stored before the structured form had for the same header. JetStream never rewrites
 * a stored message, so a replay from the start still meets them: readers look for both names.
 */
export function earlierEventHeaderName(attribute: HeaderAttribute): string {
  return `ce-${attribute}`;
}

/** What `nats`' `MsgHdrs` offers; its `get` answers '' for a header that is not there. */
export interface ReadableHeaders {
  get(name: string): string;
}

/** An attribute's header, from a message of either form; undefined when the message has neither. */
export function readEventHeader(headers: ReadableHeaders | undefined, attribute: HeaderAttribute): string | undefined {
  return headers?.get(eventHeaderName(attribute)) || headers?.get(earlierEventHeaderName(attribute)) || undefined;
}
