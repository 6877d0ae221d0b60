import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MaxLength } from './constraints';
import { problem } from './problem';

/**
 * The largest position, version or sequence number a request may name: what a JSON number holds exactly,
 * and so what a stream position or a database skip can be. A larger one is a 400 naming the field.
 */
export const MAX_POSITION = Number.MAX_SAFE_INTEGER;

/** The furthest page a numbered list (`page`, `pageSize`) goes to: beyond, the skip would overflow the store's. */
export const MAX_PAGE_NUMBER = 100_000;

/** `limit` and `cursor` of every list endpoint (docs/api.md conventions). */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Opaque: the nextCursor of the previous page.', minLength: 1, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The JSON type of one position in a cursor: the type of the sort key it resumes after. */
export type CursorPosition = 'string' | 'number';

type PositionValue<P> = P extends 'string' ? string : P extends 'number' ? number : never;
type CursorValue<S> = S extends readonly CursorPosition[] ? { -readonly [K in keyof S]: PositionValue<S[K]> } : PositionValue<S>;

/**
 * The value behind an opaque cursor, checked against `shape`, the types of the list's sort keys: a
 * position of any other type (an object such as `{"$ne": null}` included) would reach the database as a
 * query operator, so any cursor this service did not make is a 400 on `cursor`.
 */
export function decodeCursor<const S extends CursorPosition | readonly CursorPosition[]>(cursor: string | undefined, shape: S): CursorValue<S> | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw notACursor();
  }
  if (!fitsShape(value, shape)) throw notACursor();
  return value as CursorValue<S>;
}

function fitsShape(value: unknown, shape: CursorPosition | readonly CursorPosition[]): boolean {
  if (typeof shape === 'string') return shape === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';
  return Array.isArray(value) && value.length === shape.length && shape.every((position, index) => fitsShape(value[index], position));
}

function notACursor() {
  return new BadRequestException(
    problem(400, 'cursor is not a cursor this list handed out.', {
      rule: 'validation',
      errors: [{ field: 'cursor', message: 'is not a cursor this list handed out' }],
    }),
  );
}
