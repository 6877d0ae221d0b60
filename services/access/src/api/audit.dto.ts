import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { IsISO8601, IsNotEmpty, Matches, MaxLength, PageQuery } from '@cairn/http';

/** An instant as docs/api.md writes times: ISO 8601 with its offset (`Z` for UTC), or a bare date (midnight UTC). */
function Instant(): PropertyDecorator {
  return (target, property) => {
    IsISO8601({ strict: true, strictSeparator: true }, { message: `${String(property)} must be an ISO 8601 date or time, e.g. 2025-01-06T09:30:00Z` })(target, property);
    Matches(/^\d{4}-\d{2}-\d{2}$|(Z|[+-]\d{2}:?\d{2})$/, {
      message: `${String(property)} must name its offset (Z for UTC, or ±hh:mm)`,
    })(target, property);
  };
}

const PROJECT = { description: 'Project id.', example: 'p-4f2a' };
const USER_REF = 'User id, username or e-mail address.';

export class AuditHistoryQuery extends PageQuery {
  @ApiPropertyOptional({ ...PROJECT, description: 'Only this project (with its lab’s membership changes when its scheme has a base level). Required unless you are a facility admin.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  project?: string;

  @ApiPropertyOptional({ description: `Only events naming this person. ${USER_REF}` })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({ description: `Only changes made by this person. ${USER_REF}` })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  actor?: string;

  @ApiPropertyOptional({ description: 'From this instant on (inclusive).', example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @Instant()
  from?: string;

  @ApiPropertyOptional({ description: 'Up to this instant (inclusive).', example: '2025-12-31T23:59:59Z' })
  @IsOptional()
  @Instant()
  to?: string;
}

export class AccessAtQuery {
  @ApiProperty(PROJECT)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  project!: string;

  @ApiPropertyOptional({ description: 'The instant asked about; now when absent.', example: '2025-03-01T12:00:00Z' })
  @IsOptional()
  @Instant()
  at?: string;
}

export class AuditedProjectQuery {
  @ApiProperty(PROJECT)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  project!: string;
}

export class AuditBundleQuery extends AuditedProjectQuery {
  @ApiPropertyOptional({ description: 'An instant whose "who had what, and why" the bundle answers; none when absent.', example: '2025-03-01T12:00:00Z' })
  @IsOptional()
  @Instant()
  at?: string;
}
