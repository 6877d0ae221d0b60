import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import * as validator from 'class-validator';
import type { ValidationOptions } from 'class-validator';

/**
 * class-validator's rules that also write themselves into the OpenAPI document, so that the document says
 * exactly what the validation accepts (a generator of "valid" requests from it meets no 400). Import these
 * from `@cairn/http` instead of `class-validator`; they take the same arguments.
 *
 * `ApiProperty` merges into the property's other `ApiProperty`/`ApiPropertyOptional`, in either order.
 * A string rule applied to each element of an array (`each: true`) documents the array's string items.
 */
const documented = (rule: PropertyDecorator, constraint: Record<string, unknown>, options?: ValidationOptions): PropertyDecorator =>
  applyDecorators(rule, ApiProperty(options?.each ? { type: 'array', items: { type: 'string', ...constraint } } : constraint));

export const IsNotEmpty = (options?: ValidationOptions): PropertyDecorator => documented(validator.IsNotEmpty(options), { minLength: 1 }, options);

export const MinLength = (min: number, options?: ValidationOptions): PropertyDecorator => documented(validator.MinLength(min, options), { minLength: min }, options);

export const MaxLength = (max: number, options?: ValidationOptions): PropertyDecorator => documented(validator.MaxLength(max, options), { maxLength: max }, options);

export const ArrayMinSize = (min: number, options?: ValidationOptions): PropertyDecorator => documented(validator.ArrayMinSize(min, options), { minItems: min }, options);

export const ArrayMaxSize = (max: number, options?: ValidationOptions): PropertyDecorator => documented(validator.ArrayMaxSize(max, options), { maxItems: max }, options);

export const Matches = (pattern: RegExp, options?: ValidationOptions): PropertyDecorator => documented(validator.Matches(pattern, options), { pattern: pattern.source }, options);

/**
 * An ISO 8601 date-time (`2025-01-06T09:30:00Z`), documented as RFC 3339's `date-time`, a subset the rule
 * accepts, from the year 1000: the strict check reads a two-digit year as 19xx and refuses `0036-02-16`.
 */
export const IsISO8601 = (options?: Parameters<typeof validator.IsISO8601>[0], validationOptions?: ValidationOptions): PropertyDecorator =>
  documented(validator.IsISO8601(options, validationOptions), { format: 'date-time', pattern: '^[1-9]' }, validationOptions);

/** An e-mail address, documented as JSON Schema's `email` format. */
export const IsEmail = (options?: Parameters<typeof validator.IsEmail>[0], validationOptions?: ValidationOptions): PropertyDecorator =>
  documented(validator.IsEmail(options, validationOptions), { format: 'email' }, validationOptions);
