import { ApiProperty, ApiPropertyOptional, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { roleSchemes, SLUG_SCHEMA } from '@cairn/contracts';
import { ExpectedVersionDto, MAX_PAGE_NUMBER, MAX_POSITION, MaxLength, PageQuery } from '@cairn/http';
import { Transform, Type } from 'class-transformer';
import { MAX_STACK_FRAMES } from '../domain/stack';
import { IsArray, IsBoolean, IsIn, IsObject, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { DESCRIPTION_MAX_LENGTH, MAX_IDS_PER_CALL, NAME_MAX_LENGTH, REASON_MAX_LENGTH } from '../domain/fields';

// Lengths, blankness, slug format, schemes and roles are the domain's rules (services/projects/src/domain);
// these classes only say which fields exist and their types, so each refusal has one source. The
// documents state the domain's bounds from its own constants.

/** Not blank once trimmed (JavaScript's `\S` is exactly what `trim` keeps), and at most `max` long. */
const text = (max: number) => ({ type: String, pattern: '\\S', maxLength: max });
/** `requireIdList`: one id or more, none empty. */
const ID_LIST = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: MAX_IDS_PER_CALL } as const;

export class CreateProjectDto {
  @ApiProperty({ example: 'crystallography' })
  @IsString()
  lab!: string;

  @ApiProperty({ ...text(NAME_MAX_LENGTH), example: 'Lysozyme 2025 — phasing', description: 'At most 120 characters once trimmed.' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH, description: 'Markdown, at most 5000 characters.' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiPropertyOptional({ ...SLUG_SCHEMA, type: String, example: 'lysozyme-2025-phasing', description: 'Generated from the name (unique in the lab) when absent.' })
  @IsOptional()
  @IsString()
  slug?: string;

  @ApiProperty({ enum: Object.keys(roleSchemes) })
  @IsString()
  scheme!: string;

  @ApiPropertyOptional({ description: 'Lab scheme only: the level every lab member has (default none).', example: 'viewer' })
  @IsOptional()
  @IsString()
  baseLevel?: string;
}

/**
 * A project's creation body with `requireBaseLevel`'s rule: a scheme without base levels takes none, the
 * others one of their roles below the owner.
 */
export const CREATE_PROJECT_BODY: SchemaObject = {
  allOf: [
    { $ref: getSchemaPath(CreateProjectDto) },
    {
      oneOf: Object.entries(roleSchemes).map(([name, scheme]): SchemaObject =>
        scheme.hasBaseLevel
          ? { properties: { scheme: { enum: [name] }, baseLevel: { enum: scheme.roles.filter((role) => role !== scheme.ownerRole) } } }
          : { properties: { scheme: { enum: [name] } }, not: { required: ['baseLevel'] } },
      ),
    },
  ],
};

export class UpdateProjectDto extends ExpectedVersionDto {
  @ApiPropertyOptional(text(NAME_MAX_LENGTH))
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH })
  @IsOptional()
  @IsString()
  description?: string;
}

/** A change names what changes: a name, a description, or both (the decider refuses neither). */
export const UPDATE_PROJECT_BODY: SchemaObject = { allOf: [{ $ref: getSchemaPath(UpdateProjectDto) }, { anyOf: [{ required: ['name'] }, { required: ['description'] }] }] };

export class ListProjectsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  lab?: string;

  @ApiPropertyOptional({ description: 'Prefix of the name or the slug, any case.' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  q?: string;
}

export class ActivityQuery extends PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_POSITION,
    description: 'With Accept: text/event-stream: the newest position the caller has; entries after it come first, then live ones. Absent: only new entries.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  after?: number;
}

export class ProjectPageQuery {
  @ApiPropertyOptional({ description: 'Needed when the path names the project by slug.' })
  @IsOptional()
  @IsString()
  lab?: string;
}

export class CreateExperimentDto {
  @ApiProperty(text(NAME_MAX_LENGTH))
  @IsString()
  name!: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH })
  @IsOptional()
  @IsString()
  description?: string;
}

export class LabExperimentsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Prefix of the name, any case.' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  q?: string;
}

export class ProjectExperimentsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_NUMBER, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_NUMBER)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 20;
}

/** The body of adding experiments to a project and of removing them. */
export class LinkExperimentsDto {
  @ApiProperty({ ...ID_LIST, description: 'At most 1000 per call.' })
  @IsArray()
  @IsString({ each: true })
  experimentIds!: string[];

  @ApiPropertyOptional({ description: 'Go ahead although some experiments become visible to more people (the 409 said who).' })
  @IsOptional()
  @IsBoolean()
  confirmWidening?: boolean;
}

/** `processed/<jobId>/` names the folder `processed/<jobId>`, as a file browser's address does. */
const withoutTrailingSlashes = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\/+$/, '') : value);

export class FilesQuery extends PageQuery {
  @ApiPropertyOptional({ type: String, description: "A folder of the file space, e.g. raw or processed/<jobId> (a trailing / is ignored); '' or absent: the top." })
  @IsOptional()
  @Transform(withoutTrailingSlashes)
  @IsString()
  @MaxLength(1024)
  folder = '';
}

export class RequestDeletionDto {
  @ApiProperty(ID_LIST)
  @IsArray()
  @IsString({ each: true })
  fileIds!: string[];

  @ApiProperty(text(REASON_MAX_LENGTH))
  @IsString()
  reason!: string;
}

export class DecideDeletionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  reason?: string;
}

export class CreateStackDto {
  @ApiProperty({ ...text(NAME_MAX_LENGTH), example: 'Grid 7 focus series', description: 'At most 120 characters once trimmed.' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ type: [String], description: 'Image files of the experiment (PNG, JPEG, TIFF; every page of a multi-page TIFF), in frame order. Or jobId.' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  fileIds?: string[];

  @ApiPropertyOptional({ description: "A job whose image outputs, by path, are the frames; run in a project that links the experiment. Or fileIds." })
  @IsOptional()
  @IsString()
  jobId?: string;
}

export class RenameStackDto {
  @ApiProperty({ ...text(NAME_MAX_LENGTH), example: 'Focus series, grid 7' })
  @IsString()
  name!: string;
}

/** A bound only for the HTTP contract: the frame's own width and height bound a pin further. */
const MAX_PIXEL = 1_000_000;

export class AnnotationPinDto {
  @ApiProperty({ enum: ['point', 'rectangle'] })
  @IsIn(['point', 'rectangle'])
  kind!: 'point' | 'rectangle';

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_PIXEL, description: 'Pixels from the frame\'s left edge (of the rectangle\'s left side); less than the frame\'s width.' })
  @IsInt()
  @Min(0)
  @Max(MAX_PIXEL)
  x!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_PIXEL, description: 'Pixels from the frame\'s top edge (of the rectangle\'s top side); less than the frame\'s height.' })
  @IsInt()
  @Min(0)
  @Max(MAX_PIXEL)
  y!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PIXEL, description: 'A rectangle\'s, within the frame.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PIXEL)
  width?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PIXEL, description: 'A rectangle\'s, within the frame.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PIXEL)
  height?: number;
}

export class EditAnnotationDto {
  @ApiProperty({ description: 'Markdown, at most 10,000 characters; @username mentions people of the lab.' })
  @IsString()
  body!: string;

  @ApiPropertyOptional({ type: AnnotationPinDto, description: 'A point or a rectangle of the frame, in its pixels. Absent: the whole frame.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AnnotationPinDto)
  pin?: AnnotationPinDto;
}

export class AnnotateFrameDto extends EditAnnotationDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_STACK_FRAMES - 1, example: 0, description: 'The frame, from 0.' })
  @IsInt()
  @Min(0)
  @Max(MAX_STACK_FRAMES - 1)
  frame!: number;

  @ApiPropertyOptional({ description: 'For an experiment in several of your projects: the one you annotate through (its activity lists the annotation).' })
  @IsOptional()
  @IsString()
  projectId?: string;
}
