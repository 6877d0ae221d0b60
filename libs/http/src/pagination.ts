import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { problem } from './problem';

/** `limit` and `cursor` of every list endpoint (API.md conventions). */
export class PageQuery {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Opaque: the nextCursor of the previous page.' })
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

/** The value behind an opaque cursor; a cursor this service did not make is a 400 on `cursor`. */
export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString()) as T;
  } catch {
    throw new BadRequestException(
      problem(400, 'cursor is not a cursor this list handed out.', {
        rule: 'validation',
        errors: [{ field: 'cursor', message: 'is not a cursor this list handed out' }],
      }),
    );
  }
}
