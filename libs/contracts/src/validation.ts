import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CairnEvent, NewEvent, streamIdOf } from './envelope';
import { EventRegistry } from './registry';
import { Upcasters } from './upcasting';

/** Version 7 (time-ordered) UUIDs, lower case as `uuid`'s `v7()` writes them. */
export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const UUID_V7 = new RegExp(UUID_V7_PATTERN);
const NAME = '[a-z][a-z0-9-]*';
const STREAM_TOKEN = '[A-Za-z0-9-]+';
const ID_TOKEN = '[A-Za-z0-9_-]+';

/**
 * JSON Schema of the CloudEvents 1.0 envelope (structured mode) every Cairn event travels in. `data`
 * is checked separately against the schema of the event's type. Unknown extension attributes are
 * tolerated, as CloudEvents asks of consumers.
 */
export const CAIRN_EVENT_ENVELOPE_SCHEMA = {
  type: 'object',
  description: 'A Cairn event: a CloudEvents 1.0 envelope (JSON, structured mode) with flat Cairn extensions.',
  required: [
    'specversion',
    'id',
    'source',
    'type',
    'subject',
    'time',
    'datacontenttype',
    'data',
    'streamid',
    'streamversion',
    'position',
  ],
  properties: {
    specversion: { const: '1.0', description: 'CloudEvents specification version.' },
    id: {
      type: 'string',
      pattern: UUID_V7_PATTERN,
      description: 'UUIDv7; also the deduplication key (EventStoreDB event id, NATS Nats-Msg-Id).',
    },
    source: { type: 'string', pattern: `^cairn/${NAME}$`, description: 'cairn/<context>: the context that wrote it.' },
    type: {
      type: 'string',
      pattern: `^${NAME}\\.${NAME}\\.${NAME}\\.v[1-9][0-9]*$`,
      description: '<context>.<aggregate>.<fact>.v<N>',
    },
    subject: {
      type: 'string',
      pattern: `^${STREAM_TOKEN}/${ID_TOKEN}$`,
      description: '<aggregate>/<id>: the aggregate instance whose stream holds the event.',
    },
    time: { type: 'string', format: 'date-time', description: 'When the event was recorded (UTC).' },
    datacontenttype: { const: 'application/json' },
    data: { description: 'The fact itself; its schema depends on `type`.' },
    streamid: {
      type: 'string',
      pattern: `^${STREAM_TOKEN}_${STREAM_TOKEN}-${ID_TOKEN}$`,
      description: '<context>_<aggregate>-<id>: the event stream.',
    },
    streamversion: { type: 'integer', minimum: 0, description: '0-based version of the event inside its stream.' },
    position: {
      type: 'integer',
      minimum: 0,
      description: 'Global position in the store, monotonic across services: checkpoints and consistency tokens.',
    },
    correlationid: { type: 'string', minLength: 1, description: 'Id shared by everything one request caused.' },
    causationid: { type: 'string', minLength: 1, description: 'Id of the command or event that caused this one.' },
    actorid: { type: 'string', minLength: 1, description: 'User id (JWT `sub`) of the person who acted.' },
    // Not checked against the W3C format: a trace context a tracer cannot read is ignored, never a reason to refuse the fact.
    traceparent: {
      type: 'string',
      description: 'W3C trace context (`00-<trace id>-<span id>-<flags>`) of the append that recorded the event (CloudEvents distributed tracing extension).',
    },
    tracestate: { type: 'string', description: 'W3C trace state that goes with `traceparent`.' },
  },
} as const;

export type ConsumeResult = { ok: true; event: CairnEvent } | { ok: false; reason: string };

/** An event a producer was about to publish is not one the catalogue allows. */
export class EventValidationError extends Error {
  constructor(
    readonly type: string,
    readonly reason: string,
  ) {
    super(`event ${type} rejected: ${reason}`);
    this.name = 'EventValidationError';
  }
}

/**
 * Checks events against the catalogue. Every schema is compiled once, when the validator is built, so
 * a schema Ajv cannot compile fails at start-up.
 */
export class EventValidator {
  private readonly envelopeValidator: ValidateFunction;
  private readonly dataValidators = new Map<string, ValidateFunction>();

  constructor(
    private readonly registry: EventRegistry,
    private readonly upcasters: Upcasters = new Upcasters(),
  ) {
    upcasters.assertConsistentWith(registry);
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    this.envelopeValidator = ajv.compile(CAIRN_EVENT_ENVELOPE_SCHEMA);
    for (const definition of registry.all()) {
      try {
        this.dataValidators.set(definition.type, ajv.compile(definition.schema));
      } catch (error) {
        throw new Error(`schema of ${definition.type} does not compile: ${(error as Error).message}`);
      }
    }
  }

  /** A producer's check before appending: the type is known and the data matches its schema. Throws. */
  validateOnPublish(event: NewEvent): void {
    if (event.id !== undefined && !UUID_V7.test(event.id)) {
      throw new EventValidationError(event.type, `id "${event.id}" is not a UUIDv7`);
    }
    const reason = this.dataProblem(event.type, event.data);
    if (reason) throw new EventValidationError(event.type, reason);
  }

  /**
   * A consumer's check of whatever arrived: the envelope, its type, its data. A valid event comes back
   * upcast to the newest version of its type; an invalid one comes back with the reason to dead-letter
   * it under.
   */
  validateOnConsume(candidate: unknown): ConsumeResult {
    if (!this.envelopeValidator(candidate)) {
      return { ok: false, reason: `envelope: ${errorsText(this.envelopeValidator.errors)}` };
    }
    const event = candidate as CairnEvent;
    const reason = this.envelopeInconsistency(event) ?? this.dataProblem(event.type, event.data);
    if (reason) return { ok: false, reason };

    const upcast = this.upcasters.upcast(event);
    if (upcast !== event) {
      const upcastProblem = this.dataProblem(upcast.type, upcast.data);
      if (upcastProblem) return { ok: false, reason: `after upcasting ${event.type}: ${upcastProblem}` };
    }
    return { ok: true, event: upcast };
  }

  private dataProblem(type: string, data: unknown): string | undefined {
    const validate = this.dataValidators.get(type);
    if (!validate) return `unknown event type "${type}"`;
    return validate(data) ? undefined : `data of ${type}: ${errorsText(validate.errors)}`;
  }

  /** Cross-attribute rules a schema cannot express: source, type, subject and stream name agree. */
  private envelopeInconsistency(event: CairnEvent): string | undefined {
    const context = event.type.slice(0, event.type.indexOf('.'));
    if (event.source !== `cairn/${context}`) {
      return `source "${event.source}" does not match the context of type ${event.type}`;
    }
    const [aggregate, id] = event.subject.split('/');
    const expectedStream = streamIdOf({ context, aggregate, id });
    if (event.streamid !== expectedStream) {
      return `stream ${event.streamid} is not the stream of subject "${event.subject}" (${expectedStream})`;
    }
    return undefined;
  }
}

function errorsText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}
