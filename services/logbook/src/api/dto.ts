import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { ExpectedVersionDto } from '@cairn/http';
import { IsArray, IsBoolean, IsOptional, IsString } from 'class-validator';

// Lengths, blankness and the jobs referred to are the domain's rules (services/logbook/src/domain); these
// classes only say which fields exist and their types, so each refusal has one source.

export class CreateEntryDto {
  @ApiProperty({ example: 'GPU render of the lysozyme movie', description: 'At most 200 characters once trimmed.' })
  @IsString()
  title!: string;

  @ApiPropertyOptional({ description: 'Markdown, at most 50,000 characters; leave out with fromTemplate.' })
  @IsOptional()
  @IsString()
  body?: string;

  @ApiPropertyOptional({ type: [String], description: 'Ids of jobs of this project (at most 50).' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  jobRefs?: string[];

  @ApiPropertyOptional({ description: "Make the body from the guide's suggested template, the owner and date filled in." })
  @IsOptional()
  @IsBoolean()
  fromTemplate?: boolean;
}

/** Whatever is left out stays as it is; the version revised is required, here or as If-Match. */
export class ReviseEntryDto extends IntersectionType(PartialType(OmitType(CreateEntryDto, ['fromTemplate'] as const)), ExpectedVersionDto) {}

export class RecordBestJobsDto {
  @ApiProperty({ type: [String], description: 'The latest best job(s) of this project, at most 20.' })
  @IsArray()
  @IsString({ each: true })
  jobIds!: string[];

  @ApiProperty({ example: 'Best output: view=all + cartoon style', description: 'Short: at most 500 characters.' })
  @IsString()
  reason!: string;
}

export class AddCommentDto {
  @ApiProperty({ description: 'Markdown, at most 10,000 characters; @username mentions people of the lab.' })
  @IsString()
  body!: string;

  @ApiPropertyOptional({ description: 'For an experiment in several of your projects: the one you comment in.' })
  @IsOptional()
  @IsString()
  projectId?: string;
}

export class EditCommentDto {
  @ApiProperty({ description: 'Markdown, at most 10,000 characters.' })
  @IsString()
  body!: string;
}
