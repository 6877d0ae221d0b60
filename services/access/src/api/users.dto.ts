import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { Matches, MaxLength, PageQuery } from '@cairn/http';

export class UsersQuery extends PageQuery {
  @ApiProperty({ description: 'The lab whose members to search.', example: 'crystallography' })
  @IsString()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'lab must be a lab slug' })
  @MaxLength(60)
  lab!: string;

  @ApiPropertyOptional({ description: 'Prefix of a username, display name or e-mail address; all members when absent.', example: 'bo' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
