import { Field } from './forms';

/** The part of a parameter's JSON Schema a form is made from. */
export interface ParameterSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
}

/** A value as a person reads it: strings as written, the rest as JSON. */
export const valueWords = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

/** The parameters of a template's JSON Schema (an object schema), by name, in the template's order. */
export function parametersOf(schema: Record<string, unknown>): [string, ParameterSchema][] {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null ? (Object.entries(properties) as [string, ParameterSchema][]) : [];
}

/** What a value breaks of its schema, before the service says it: bounds and choices, in words. */
export function parameterIssue(schema: ParameterSchema, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) return `must be one of ${schema.enum.map(valueWords).join(', ')}`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'must be a number';
    if (schema.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
    if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
  }
  return undefined;
}

/** One parameter's control, from its JSON Schema: a number, a choice, a switch or text, with its hint and its error. */
export function ParameterField({ name, schema, value, onChange, error, note }: { name: string; schema: ParameterSchema; value: unknown; onChange(value: unknown): void; error?: string; note?: string }) {
  // Sentences, whether or not the template's description ends with a full stop.
  const bounds = [schema.minimum !== undefined && `at least ${schema.minimum}`, schema.maximum !== undefined && `at most ${schema.maximum}`].filter(Boolean).join(', ');
  const sentences = [schema.description?.replace(/\.$/, ''), bounds && `From the template: ${bounds}`, schema.default !== undefined && `Default ${valueWords(schema.default)}`, note];
  const hint = sentences.filter(Boolean).join('. ');
  return (
    <Field label={name} hint={hint ? `${hint}.` : undefined} error={error ?? parameterIssue(schema, value)}>
      {(control) => {
        if (schema.enum) {
          return (
            <select {...control} value={String(value)} onChange={(event) => onChange(schema.enum!.find((option) => String(option) === event.currentTarget.value))}>
              {schema.enum.map((option) => (
                <option key={String(option)} value={String(option)}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        }
        if (schema.type === 'integer' || schema.type === 'number') {
          return (
            <input
              {...control}
              type="number"
              step={schema.type === 'integer' ? 1 : 'any'}
              min={schema.minimum}
              max={schema.maximum}
              value={value === undefined ? '' : String(value)}
              onInput={(event) => onChange(event.currentTarget.value === '' ? undefined : Number(event.currentTarget.value))}
            />
          );
        }
        if (schema.type === 'boolean') return <input {...control} type="checkbox" checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
        return <input {...control} value={value === undefined ? '' : String(value)} onInput={(event) => onChange(event.currentTarget.value)} />;
      }}
    </Field>
  );
}
