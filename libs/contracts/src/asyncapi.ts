import { EventDefinition } from './event-definition';
import { EventRegistry } from './registry';
import { CAIRN_EVENT_ENVELOPE_SCHEMA } from './validation';

type JsonObject = Record<string, unknown>;
type Reference = { $ref: string };

export interface AsyncApiChannel {
  address: string;
  title: string;
  description: string;
  parameters: Record<string, { description: string }>;
  messages: Record<string, Reference>;
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Reference;
  summary: string;
  messages: Reference[];
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  traits: Reference[];
  payload: JsonObject;
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    schemas: Record<string, JsonObject>;
    messageTraits: Record<string, { headers: JsonObject }>;
    messages: Record<string, AsyncApiMessage>;
  };
}

const ENVELOPE_SCHEMA_NAME = 'CairnEventEnvelope';
const HEADERS_TRAIT_NAME = 'CloudEventHeaders';
/** Envelope attributes that have no header of their own: the body carries them. */
const BODY_ONLY_ATTRIBUTES = new Set(['data', 'datacontenttype']);
/** W3C trace context travels in the W3C headers, which tracing libraries read, not in `ce-*` ones. */
const W3C_TRACE_ATTRIBUTES = new Set(['traceparent', 'tracestate']);
/** CloudEvents' required attributes: every message has their headers. */
const REQUIRED_HEADER_ATTRIBUTES = ['specversion', 'id', 'source', 'type'];

/**
 * The AsyncAPI 3.0 description of the event catalogue: one channel per aggregate stream
 * (`cairn.events.<context>.<aggregate>.{id}`), one message per event type whose payload is the
 * CloudEvents envelope with `data` narrowed to the type's schema, and the `ce-*` headers that repeat
 * the envelope's attributes so subscribers can filter without parsing bodies.
 */
export function buildAsyncApiDocument(definitions: readonly EventDefinition[]): AsyncApiDocument {
  const registry = new EventRegistry(definitions);
  const channels: Record<string, AsyncApiChannel> = {};
  const operations: Record<string, AsyncApiOperation> = {};
  const messages: Record<string, AsyncApiMessage> = {};

  for (const definition of registry.all()) {
    const { context } = registry.nameOf(definition.type);
    const aggregate = registry.streamAggregateOf(definition.type);
    const channelName = `${context}.${aggregate}`;
    const channel = (channels[channelName] ??= {
      address: `cairn.events.${context}.${aggregate}.{id}`,
      title: `${context} ${aggregate} events`,
      description: `Every event of one ${aggregate} stream of the ${context} context (\`${context}_${aggregate}-<id>\`), in stream order.`,
      parameters: { id: { description: `Id of the ${aggregate}.` } },
      messages: {},
    });
    const operation = (operations[`${channelName}.publish`] ??= {
      action: 'send',
      channel: { $ref: `#/channels/${channelName}` },
      summary: `The ${context} service publishes the events of its ${aggregate} streams.`,
      messages: [],
    });

    channel.messages[definition.type] = { $ref: `#/components/messages/${definition.type}` };
    operation.messages.push({ $ref: `#/channels/${channelName}/messages/${definition.type}` });
    messages[definition.type] = {
      name: definition.type,
      title: definition.type,
      summary: definition.description,
      traits: [{ $ref: `#/components/messageTraits/${HEADERS_TRAIT_NAME}` }],
      payload: {
        allOf: [
          { $ref: `#/components/schemas/${ENVELOPE_SCHEMA_NAME}` },
          {
            type: 'object',
            properties: {
              type: { const: definition.type },
              source: { const: `cairn/${context}` },
              data: definition.schema,
            },
          },
        ],
      },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Cairn events',
      version: '1.0.0',
      description:
        'Every fact the Cairn services publish on NATS JetStream (stream CAIRN_EVENTS). Bodies are CloudEvents 1.0 ' +
        'in structured JSON mode; published event versions never change, a new version comes with an upcaster.',
    },
    defaultContentType: 'application/cloudevents+json',
    channels,
    operations,
    components: {
      schemas: { [ENVELOPE_SCHEMA_NAME]: CAIRN_EVENT_ENVELOPE_SCHEMA },
      messageTraits: { [HEADERS_TRAIT_NAME]: { headers: cloudEventHeadersSchema() } },
      messages,
    },
  };
}

/** The document as committed in `libs/contracts/asyncapi.json`. */
export function renderAsyncApiJson(definitions: readonly EventDefinition[]): string {
  return `${JSON.stringify(buildAsyncApiDocument(definitions), null, 2)}\n`;
}

function cloudEventHeadersSchema(): JsonObject {
  const attributes = CAIRN_EVENT_ENVELOPE_SCHEMA.properties as Record<string, { description?: string }>;
  const properties: Record<string, JsonObject> = {};
  for (const [attribute, schema] of Object.entries(attributes)) {
    if (BODY_ONLY_ATTRIBUTES.has(attribute)) continue;
    properties[W3C_TRACE_ATTRIBUTES.has(attribute) ? attribute : `ce-${attribute}`] = {
      type: 'string',
      description: schema.description ?? `The envelope's \`${attribute}\`.`,
    };
  }
  properties['Nats-Msg-Id'] = { type: 'string', description: 'The event id: JetStream deduplicates a retried publish by it.' };
  return {
    type: 'object',
    required: REQUIRED_HEADER_ATTRIBUTES.map((attribute) => `ce-${attribute}`),
    properties,
  };
}
