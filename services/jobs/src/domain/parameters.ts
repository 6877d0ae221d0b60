import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { invalid, invalidField, type DomainError } from '@cairn/contracts';

/** A parameter's name also names a command placeholder (`{{parameters.<name>}}`) and a read-model field. */
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Strict: a keyword or format Ajv does not know is a mistake in the template, refused at registration. */
const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true });
addFormats(ajv);

/**
 * Compiled once per template version: a version never changes, so its `templateId@version` names one
 * schema for good.
 */
const compiled = new Map<string, ValidateFunction>();

export interface ParameterSchemaOwner {
  templateId: string;
  version: string;
  parameters: Record<string, unknown>;
}

/** The parameter names a schema declares (its top-level `properties`). */
export function parameterNamesOf(schema: Record<string, unknown>): string[] {
  const properties = schema.properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** The declared defaults, by parameter name. */
export function defaultsOf(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(properties).filter(([, property]) => property?.default !== undefined).map(([name, property]) => [name, property.default]));
}

/**
 * A template's parameter schema, refused with the reason unless it is a JSON Schema (2020-12) of an
 * object whose parameters are named like identifiers and whose defaults it accepts itself.
 */
export function requireParameterSchema(schema: unknown): Record<string, unknown> {
  const refuse = (message: string) => invalidField('jobs.template-parameters', 'parameters', message);
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw refuse('must be a JSON Schema object');
  const candidate = schema as Record<string, unknown>;
  if (candidate.type !== 'object') throw invalidField('jobs.template-parameters', 'parameters.type', 'must describe an object (type: "object"): parameters are named');
  const badName = parameterNamesOf(candidate).find((name) => !PARAMETER_NAME.test(name));
  if (badName !== undefined) throw refuse(`parameter "${badName}" must be named with letters, digits and '_' (not starting with a digit)`);
  // Ajv keeps every schema with an `$id` under that id: the next version declaring it again would not compile.
  if (JSON.stringify(candidate).includes('"$id"')) throw refuse('must not declare $id: a template version names its schema');
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(candidate);
  } catch (error) {
    throw refuse(`is not a valid JSON Schema: ${(error as Error).message}`);
  }
  const defaults = jsonCopy(defaultsOf(candidate));
  if (!validate(defaults)) throw refuse(`its defaults do not pass it: ${ajv.errorsText(validate.errors)}`);
  return candidate;
}

/**
 * The parameters as the template's schema accepts them, its defaults filled in; refused with one error
 * per field (`parameters.<name>`) otherwise. A name the schema does not declare is refused too: unknown
 * fields are never silently ignored.
 */
export function requireParameters(template: ParameterSchemaOwner, given: Record<string, unknown>): Record<string, unknown> {
  const parameters = jsonCopy(given);
  const known = new Set(parameterNamesOf(template.parameters));
  const errors = Object.keys(parameters)
    .filter((name) => !known.has(name))
    .map((name) => ({ field: `parameters.${name}`, message: 'is not a parameter of this template' }));
  const validate = validatorOf(template);
  if (!validate(parameters)) errors.push(...(validate.errors ?? []).map(fieldErrorOf).filter((error) => !errors.some((known) => known.field === error.field)));
  if (errors.length > 0) throw parametersRefused(errors);
  return parameters;
}

function parametersRefused(errors: { field: string; message: string }[]): DomainError {
  return invalid('jobs.parameters-invalid', errors.map(({ field, message }) => `${field}: ${message}`).join('; '), { errors });
}

function validatorOf(template: ParameterSchemaOwner): ValidateFunction {
  const key = `${template.templateId}@${template.version}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(template.parameters);
    compiled.set(key, validate);
  }
  return validate;
}

function fieldErrorOf(error: ErrorObject): { field: string; message: string } {
  const path = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') path.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
  const field = ['parameters', ...path].join('.');
  if (error.keyword === 'enum') return { field, message: `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}` };
  if (error.keyword === 'required') return { field, message: 'is required' };
  if (error.keyword === 'additionalProperties') return { field, message: 'is not a parameter of this template' };
  return { field, message: error.message ?? 'is not valid' };
}

/** Parameters are JSON (they travel in events): a copy Ajv may fill defaults into, leaving the caller's object alone. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
