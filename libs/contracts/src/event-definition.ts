/**
 * One published event type: its name, the TypeScript shape of its data and the JSON Schema that
 * validates that data on publish and on consume. Published definitions never change: a new shape is a
 * new version (`...v2`) plus an upcaster from the old one.
 */
export interface EventDefinition<TType extends string = string, TData = unknown> {
  type: TType;
  /** One sentence for the AsyncAPI document: what happened. */
  description: string;
  /** JSON Schema (draft 2020-12 subset Ajv understands) of `data`. */
  schema: Record<string, unknown>;
  /** Phantom: carries TData for inference, never set at run time. */
  readonly __data?: TData;
}

export function defineEvent<TData>() {
  return <TType extends string>(definition: Omit<EventDefinition<TType, TData>, '__data'>): EventDefinition<TType, TData> =>
    definition as EventDefinition<TType, TData>;
}

/** The data type of an event definition. */
export type DataOf<D> = D extends EventDefinition<string, infer T> ? T : never;

/** Parse `<context>.<aggregate>.<fact>.v<N>`. */
export function parseEventType(type: string): { context: string; aggregate: string; fact: string; version: number } {
  const match = /^([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/.exec(type);
  if (!match) throw new Error(`"${type}" is not an event type name (<context>.<aggregate>.<fact>.v<N>)`);
  return { context: match[1], aggregate: match[2], fact: match[3], version: Number(match[4]) };
}
