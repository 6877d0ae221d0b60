import { Button, Field } from './forms';

/** The part of a parameter's JSON Schema a form is made from: scalars, and objects and arrays of them. */
export interface ParameterSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
  /** An object's fields, and those it must have. */
  properties?: Record<string, ParameterSchema>;
  required?: string[];
  /** An array's items, and how many it takes. */
  items?: ParameterSchema;
  minItems?: number;
  maxItems?: number;
}

/** A value as a person reads it: strings as written, the rest as JSON. */
export const valueWords = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

/** The parameters of a template's JSON Schema (an object schema), by name, in the template's order. */
export function parametersOf(schema: Record<string, unknown>): [string, ParameterSchema][] {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null ? (Object.entries(properties) as [string, ParameterSchema][]) : [];
}

/** A field's path as the service names it after `parameters.` (`points.0.x`), and as a message says it. */
const pathWords = (path: readonly (string | number)[]) => path.join('.');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a value breaks of its own schema, in words, leaving its fields and items to themselves; undefined when nothing. */
function ownIssue(schema: ParameterSchema, value: unknown): string | undefined {
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) return `must be one of ${schema.enum.map(valueWords).join(', ')}`;
  switch (schema.type) {
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
      if (schema.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
      return undefined;
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      if (schema.minLength !== undefined && value.length < schema.minLength) return `must be at least ${schema.minLength} characters long`;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return `must be at most ${schema.maxLength} characters long`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be yes or no';
    case 'object':
      return isObject(value) ? undefined : 'must be a group of fields';
    case 'array':
      if (!Array.isArray(value)) return 'must be a list';
      if (schema.minItems !== undefined && value.length < schema.minItems) return `must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return `must have at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`;
      return undefined;
    default:
      return undefined;
  }
}

/** The issue of one field as it is shown: `points.1.x must be at least 0`, so a nested field says where it is. */
function issueAt(schema: ParameterSchema, value: unknown, path: readonly (string | number)[], required: boolean): string | undefined {
  if (value === undefined) return required ? `${pathWords(path)} is required` : undefined;
  const issue = ownIssue(schema, value);
  return issue && `${pathWords(path)} ${issue}`;
}

/**
 * Everything a value breaks of its schema before the service says it (types, bounds, choices, required
 * fields, item counts), each naming its field's path, as the service names it after `parameters.`.
 */
export function parameterIssues(schema: ParameterSchema, value: unknown, path: readonly (string | number)[] = [], required = false): { field: string; message: string }[] {
  const own = path.length === 0 ? undefined : issueAt(schema, value, path, required);
  if (own) return [{ field: pathWords(path), message: own }];
  if (schema.type === 'object' && isObject(value)) {
    return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => parameterIssues(field, value[name], [...path, name], schema.required?.includes(name) ?? false));
  }
  if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    const items = schema.items;
    return value.flatMap((item, index) => parameterIssues(items, item, [...path, index], true));
  }
  return [];
}

/** What a new item of a list starts as: its default, else the simplest value of its type. */
export function newValueOf(schema: ParameterSchema): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).flatMap(([name, field]) => (field.default === undefined ? [] : [[name, structuredClone(field.default)]])));
    default:
      return '';
  }
}

interface FieldOfSchemaProps {
  /** Its label: the parameter's or field's name, or the list's name and the item's number. */
  label: string;
  /** Where it sits: `['points', 0, 'x']`. */
  path: (string | number)[];
  schema: ParameterSchema;
  value: unknown;
  onChange(value: unknown): void;
  /** The service's refusal of the field at a path (`points.0.x`), if any. */
  refusalAt?(path: string): string | undefined;
  note?: string;
  required?: boolean;
}

/**
 * One parameter's control, from its JSON Schema: a number, a choice, a switch or text, with its hint and
 * its error; an object as a group of its fields, an array as a list whose items can be added and removed.
 * Errors stand at the field they concern, naming its path when it is nested.
 */
export function ParameterField({ name, ...props }: Omit<FieldOfSchemaProps, 'label' | 'path'> & { name: string }) {
  return <FieldOfSchema label={name} path={[name]} {...props} />;
}

function FieldOfSchema({ label, path, schema, value, onChange, refusalAt, note, required = false }: FieldOfSchemaProps) {
  const refused = refusalAt?.(pathWords(path));
  const error = (refused && (path.length > 1 ? `${pathWords(path)} ${refused}` : refused)) ?? issueAt(schema, value, path, required);
  // Sentences, whether or not the template's description ends with a full stop.
  const bounds = [
    schema.minimum !== undefined && `at least ${schema.minimum}`,
    schema.maximum !== undefined && `at most ${schema.maximum}`,
    schema.minItems !== undefined && `at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`,
    schema.maxItems !== undefined && `at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(', ');
  const sentences = [schema.description?.replace(/\.$/, ''), required && 'Required', bounds && `From the template: ${bounds}`, schema.default !== undefined && `Default ${valueWords(schema.default)}`, note];
  const hint = sentences.filter(Boolean).join('. ');
  const child = (key: string | number, childLabel: string, childSchema: ParameterSchema, childValue: unknown, set: (next: unknown) => void, childRequired: boolean) => (
    <FieldOfSchema key={key} label={childLabel} path={[...path, key]} schema={childSchema} value={childValue} onChange={set} refusalAt={refusalAt} required={childRequired} />
  );

  if (schema.type === 'object' && schema.properties && !schema.enum) {
    const fields = isObject(value) ? value : {};
    return (
      <fieldset class="field parameter-group">
        <legend>{label}</legend>
        {hint && <p class="field-hint">{hint}.</p>}
        {Object.entries(schema.properties).map(([key, field]) =>
          child(key, key, field, key in fields ? fields[key] : field.default, (next) => onChange(withField(fields, key, next)), schema.required?.includes(key) ?? false),
        )}
        {error && <p class="field-error">{error}</p>}
      </fieldset>
    );
  }
  if (schema.type === 'array' && schema.items && !schema.enum) {
    const items = Array.isArray(value) ? value : [];
    const itemSchema = schema.items;
    const full = schema.maxItems !== undefined && items.length >= schema.maxItems;
    return (
      <fieldset class="field parameter-group">
        <legend>{label}</legend>
        {hint && <p class="field-hint">{hint}.</p>}
        {items.length === 0 && <p class="muted small">No items.</p>}
        <ol class="parameter-items">
          {items.map((item, index) => (
            <li key={index}>
              {child(index, `${label} ${index + 1}`, itemSchema, item, (next) => onChange(items.map((old, at) => (at === index ? next : old))), true)}
              <Button variant="quiet" onClick={() => onChange(items.filter((_, at) => at !== index))}>
                Remove {label} {index + 1}
              </Button>
            </li>
          ))}
        </ol>
        <Button onClick={() => onChange([...items, newValueOf(itemSchema)])} disabled={full}>
          Add to {label}
        </Button>
        {error && <p class="field-error">{error}</p>}
      </fieldset>
    );
  }
  return (
    <Field label={label} hint={hint ? `${hint}.` : undefined} error={error}>
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

/** The object with one field set, or left out when it is emptied (so the template's default applies). */
function withField(fields: Record<string, unknown>, key: string, next: unknown): Record<string, unknown> {
  const { [key]: _old, ...rest } = fields;
  return next === undefined ? rest : { ...rest, [key]: next };
}
