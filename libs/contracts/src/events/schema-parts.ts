import type { DomainEvent } from '../decider';
import type { EventDefinition } from '../event-definition';

/** A closed object schema: `required` properties must be present, `optional` ones may be; no others. */
export function closedObject(required: Record<string, unknown>, optional: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(required),
    properties: { ...required, ...optional },
  };
}

/** The `{ type, data }` a decider emits for an event definition. */
export type EmittedBy<D> = D extends EventDefinition<infer TType, infer TData> ? DomainEvent<TType, TData> : never;
