import { EventDefinition, parseEventType } from './event-definition';

export class UnknownEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`"${type}" is not a registered event type`);
    this.name = 'UnknownEventTypeError';
  }
}

/**
 * A definition may name the aggregate whose stream holds its events when that is not the type's second
 * segment: `projects.file.added.v1` is appended to `projects_filespace-<id>`, so it declares
 * `aggregate: 'filespace'` (e.g. `{ ...defineEvent<FileAddedData>()({...}), aggregate: 'filespace' }`).
 */
interface StreamAggregateHint {
  aggregate?: string;
}

/** An event type's name split into its parts: `<context>.<aggregate>.<fact>.v<N>`. */
export interface EventTypeName {
  context: string;
  aggregate: string;
  fact: string;
  version: number;
}

/**
 * The catalogue of every event type the platform knows. Built once from the contexts' definition
 * arrays; refuses malformed names and duplicates at construction, so a bad catalogue fails at start-up
 * rather than on the first event.
 */
export class EventRegistry {
  private readonly byType = new Map<string, EventDefinition>();
  private readonly names = new Map<string, EventTypeName>();
  /** `<context>.<aggregate>.<fact>` → highest registered version. */
  private readonly latestVersions = new Map<string, number>();

  constructor(...definitionLists: ReadonlyArray<readonly EventDefinition[]>) {
    for (const definition of definitionLists.flat()) this.register(definition);
  }

  private register(definition: EventDefinition): void {
    const name = parseEventType(definition.type);
    if (this.byType.has(definition.type)) {
      throw new Error(`event type "${definition.type}" is defined twice`);
    }
    const streamAggregate = (definition as StreamAggregateHint).aggregate;
    if (streamAggregate !== undefined && !/^[a-z][a-z0-9]*$/.test(streamAggregate)) {
      throw new Error(`event type "${definition.type}" names the stream aggregate "${streamAggregate}": use lower-case letters and digits`);
    }
    this.byType.set(definition.type, definition);
    this.names.set(definition.type, name);
    const family = familyOf(name);
    this.latestVersions.set(family, Math.max(name.version, this.latestVersions.get(family) ?? 0));
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  get(type: string): EventDefinition | undefined {
    return this.byType.get(type);
  }

  /** Like `get`, but an unknown type is an error. */
  require(type: string): EventDefinition {
    const definition = this.byType.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  /** The parsed name of a registered type. */
  nameOf(type: string): EventTypeName {
    const name = this.names.get(type);
    if (!name) throw new UnknownEventTypeError(type);
    return name;
  }

  /** The aggregate whose stream (and NATS subject `cairn.events.<context>.<aggregate>.<id>`) carries the type. */
  streamAggregateOf(type: string): string {
    return (this.require(type) as StreamAggregateHint).aggregate ?? this.nameOf(type).aggregate;
  }

  /** Every definition, in registration order. */
  all(): readonly EventDefinition[] {
    return [...this.byType.values()];
  }

  /** The highest registered version of the same `<context>.<aggregate>.<fact>`. */
  latestVersionOf(type: string): string {
    const family = familyOf(this.nameOf(type));
    return `${family}.v${this.latestVersions.get(family)}`;
  }
}

function familyOf(name: EventTypeName): string {
  return `${name.context}.${name.aggregate}.${name.fact}`;
}
