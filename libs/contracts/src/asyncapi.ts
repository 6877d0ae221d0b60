import { EventDefinition } from './event-definition';
import { EventRegistry } from './registry';
import { CAIRN_EVENT_ENVELOPE_SCHEMA } from './validation';
import {
  CLOUDEVENTS_JSON,
  CONTENT_TYPE_HEADER,
  earlierEventHeaderName,
  eventHeaderName,
  HEADER_ATTRIBUTES,
  REQUIRED_HEADER_ATTRIBUTES,
} from './wire';

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
  contentType: string;
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
    messageTraits: Record<string, { description: string; headers: JsonObject }>;
    messages: Record<string, AsyncApiMessage>;
  };
}

const ENVELOPE_SCHEMA_NAME = 'CairnEventEnvelope';
const HEADERS_TRAIT_NAME = 'CairnEventHeaders';

/** The version of Cairn whose services publish the structured form: the first message it stores begins it. */
export const STRUCTURED_FORM_SINCE = 'Cairn 0.2.0';

/**
 * What a subscriber replaying from the start meets before the structured form: JetStream never rewrites
 * a stored message. Said once here and in docs/subscribing.md.
 */
const EARLIER_FORM =
  `Messages stored before ${STRUCTURED_FORM_SINCE} have the same body, but no \`${CONTENT_TYPE_HEADER}\` header, and the ` +
  `attribute headers under \`ce-\` names (${HEADER_ATTRIBUTES.map((attribute) => `\`${earlierEventHeaderName(attribute)}\``).join(', ')}). ` +
  `The structured form begins, in each stream, at the first message whose \`${CONTENT_TYPE_HEADER}\` is \`${CLOUDEVENTS_JSON}\`: ` +
  `position 1 of a stream created by ${STRUCTURED_FORM_SINCE} or later, otherwise the first event stored after the upgrade. ` +
  `A reader that replays from the start reads the body (the same in both forms) and takes an attribute header from either name.`;

/**
 * The AsyncAPI 3.0 description of the event catalogue: one channel per aggregate stream
 * (`cairn.events.<context>.<aggregate>.{id}`), one message per event type whose payload is the
 * CloudEvents envelope (structured mode) with `data` narrowed to the type's schema, and the `cairn-*`
 * headers that repeat the envelope's attributes so subscribers can filter without parsing bodies.
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
      contentType: CLOUDEVENTS_JSON,
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
      version: '2.0.0',
      description:
        'Every fact the Cairn services publish on NATS JetStream (stream CAIRN_EVENTS), one message per event. ' +
        `Messages follow the CloudEvents 1.0 NATS binding in structured mode: the header \`${CONTENT_TYPE_HEADER}: ${CLOUDEVENTS_JSON}\`, ` +
        'the body the whole event in JSON, without `position`, which is the message\'s stream sequence. ' +
        'Headers named `cairn-<attribute>` repeat attributes for routing; no header is named `ce-*`, so binding readers do not take ' +
        `the message for binary mode. ${EARLIER_FORM} ` +
        'Published event versions never change; a new version comes with an upcaster.',
    },
    defaultContentType: CLOUDEVENTS_JSON,
    channels,
    operations,
    components: {
      schemas: { [ENVELOPE_SCHEMA_NAME]: wireEnvelopeSchema() },
      messageTraits: {
        [HEADERS_TRAIT_NAME]: {
          description: `The headers of the structured form, sent since ${STRUCTURED_FORM_SINCE}. ${EARLIER_FORM}`,
          headers: eventHeadersSchema(),
        },
      },
      messages,
    },
  };
}

/** The document as committed in `libs/contracts/asyncapi.json`. */
export function renderAsyncApiJson(definitions: readonly EventDefinition[]): string {
  return `${JSON.stringify(buildAsyncApiDocument(definitions), null, 2)}\n`;
}

/**
 * The envelope as the body carries it: everything but `position`, which is the message's stream sequence
 * (known only once stored), and which the store's readers add.
 */
function wireEnvelopeSchema(): JsonObject {
  const { position: _sequence, ...properties } = CAIRN_EVENT_ENVELOPE_SCHEMA.properties;
  return {
    ...CAIRN_EVENT_ENVELOPE_SCHEMA,
    description: `${CAIRN_EVENT_ENVELOPE_SCHEMA.description} The body has no \`position\`: an event's position is its message's stream sequence.`,
    required: CAIRN_EVENT_ENVELOPE_SCHEMA.required.filter((attribute) => attribute !== 'position'),
    properties,
  };
}

function eventHeadersSchema(): JsonObject {
  const attributes = CAIRN_EVENT_ENVELOPE_SCHEMA.properties;
  const properties: Record<string, JsonObject> = {
    [CONTENT_TYPE_HEADER]: { const: CLOUDEVENTS_JSON, description: 'The CloudEvents NATS binding\'s structured mode: the body is the whole event.' },
    'Nats-Msg-Id': { type: 'string', description: 'The event id: JetStream deduplicates a retried publish by it.' },
  };
  for (const attribute of HEADER_ATTRIBUTES) {
    properties[eventHeaderName(attribute)] = { type: 'string', description: `The envelope's \`${attribute}\`: ${attributes[attribute].description}` };
  }
  // W3C names, which tracing libraries read.
  for (const attribute of ['traceparent', 'tracestate'] as const) {
    properties[attribute] = { type: 'string', description: attributes[attribute].description };
  }
  return {
    type: 'object',
    required: [CONTENT_TYPE_HEADER, 'Nats-Msg-Id', ...REQUIRED_HEADER_ATTRIBUTES.map(eventHeaderName)],
    properties,
  };
}
