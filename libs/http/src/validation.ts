import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage, IS_OPTIONAL, type ValidatorOptions } from 'class-validator';
import { problem } from './problem';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The fields a DTO class marks `@IsOptional()`. */
function optionalFieldsOf(target: object): string[] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .filter((metadata) => metadata.name === IS_OPTIONAL)
    .map((metadata) => metadata.propertyName);
}

const isDtoInstance = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && value.constructor !== Object;

/**
 * `@IsOptional()` lets null through as if the field were absent, and then a null reaches the domain
 * (and its event schemas) as a value. An optional field is left out or has a value of its type.
 */
function nullsInOptionalFields(dto: Record<string, unknown>): ValidationError[] {
  const optional = new Set(optionalFieldsOf(dto));
  return Object.entries(dto).flatMap(([property, value]): ValidationError[] => {
    if (value === null && optional.has(property)) {
      return [{ property, value, constraints: { isNotNull: `${property} is left out or given a value, not null` }, children: [] }];
    }
    const nested = (Array.isArray(value) ? value : [value]).filter(isDtoInstance);
    const children = nested.flatMap((child) => nullsInOptionalFields(child));
    return children.length > 0 ? [{ property, value, constraints: {}, children }] : [];
  });
}

/** class-validator, plus the refusal of null in optional fields. */
class CairnValidationPipe extends ValidationPipe {
  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return [...errors, ...(isDtoInstance(object) ? nullsInOptionalFields(object) : [])];
  }
}

/** Bodies and queries are validated against their DTO classes; unknown fields are refused, not ignored. */
export function createValidationPipe(): ValidationPipe {
  return new CairnValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      const detail = fieldErrors.map((e) => e.message).join('; ');
      return new BadRequestException(problem(400, detail || 'The request is not valid.', { rule: 'validation', errors: fieldErrors }));
    },
  });
}
