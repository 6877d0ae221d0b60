import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import * as validator from 'class-validator';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import {
  ALL_MACHINES,
  ENVIRONMENT_IMAGE,
  ENVIRONMENT_MODULE,
  MACHINE_PERFORMANCES,
  MACHINE_TYPES,
  machineKeyOf,
  MAX_ENVIRONMENT_MODULES,
  type JobEnvironment,
  type JobLimits,
  type JobSandbox,
  type MachinePerformance,
  type MachineType,
} from '@cairn/contracts';
import { ArrayMaxSize, ArrayMinSize, IsISO8601, MAX_POSITION, Matches, MaxLength, MinLength, PageQuery } from '@cairn/http';
import { JOB_STATUSES, type JobStatus } from '../domain/job';
import { MAX_INPUTS } from '../domain/job-request';
import { INPUT_TYPE_AS_WRITTEN, MAX_TIME_LIMIT_SECONDS, TEMPLATE_VERSION } from '../domain/template';

const MACHINE_KEYS = ALL_MACHINES.map(machineKeyOf);
/** What the machine filter takes: a type alone (`gpu`: both performances) or a machine (`gpu/turbo`). */
const MACHINE_FILTERS = [...MACHINE_TYPES, ...MACHINE_KEYS];

/** `a,b` in a query string as a list of its values. */
const commaList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value);

/** The query string form of a list of `values` the validation takes: one or more, comma-separated (the document's terms for `commaList`). */
const commaListOf = (values: readonly string[]): string => {
  const value = `(?:${values.map((one) => one.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
  return `^ *${value}(?: *, *${value})* *$`;
};

export class MachineDto {
  @ApiProperty({ enum: MACHINE_TYPES })
  @IsIn([...MACHINE_TYPES])
  type!: MachineType;

  @ApiProperty({ enum: MACHINE_PERFORMANCES })
  @IsIn([...MACHINE_PERFORMANCES])
  performance!: MachinePerformance;
}

/** An optional limit: a whole number from 1. */
const Limit = (description: string, example: number) => applyDecorators(ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_POSITION, description, example }), IsOptional(), IsInt(), Min(1));

/** Per job, each within the runner's ceiling (`CAIRN_RUNNER_MAX_*`); a limit left out is the ceiling. */
export class SandboxLimitsDto implements JobLimits {
  @Limit("Resident memory of all the command's processes together, in bytes.", 2147483648)
  memoryBytes?: number;

  @Limit('Processes at once, threads included.', 64)
  processes?: number;

  @Limit('CPU seconds of all its processes together.', 3600)
  cpuSeconds?: number;

  @Limit('Files it may leave in its output folder.', 100)
  outputFiles?: number;

  @Limit('Total bytes of those files.', 1073741824)
  outputBytes?: number;
}

/** What a template's command may use in the runner's sandbox. */
export class SandboxDto implements JobSandbox {
  @ApiPropertyOptional({ default: false, description: 'The command reaches the network; without it, it has none, loopback included.' })
  @IsOptional()
  @IsBoolean()
  network?: boolean;

  @ApiPropertyOptional({ type: SandboxLimitsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SandboxLimitsDto)
  limits?: SandboxLimitsDto;
}

/** What a template's command needs of the site its runner runs on; a runner that cannot provide it fails the job (kind system). */
export class EnvironmentDto implements JobEnvironment {
  @ApiPropertyOptional({ description: 'Environment modules the runner loads before the command, in this order (`module load <name>`).', example: ['dials'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ENVIRONMENT_MODULES)
  @Matches(ENVIRONMENT_MODULE, { each: true, message: "each module must be a name of letters, digits, '.', '_', '+', '/' or '-'" })
  modules?: string[];

  @ApiPropertyOptional({ description: "A container image, by the name the runner's site configuration gives it; the site's command wrapper runs the command in it.", example: 'dials-3.12' })
  @IsOptional()
  @IsString()
  @Matches(ENVIRONMENT_IMAGE, { message: "image must be a name of letters, digits, '.', '_', '+', '/', ':', '@' or '-'" })
  image?: string;
}

export class RegisterTemplateDto {
  @ApiProperty({ example: 'Render Molecule' })
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  name!: string;

  @ApiProperty({ pattern: TEMPLATE_VERSION.source, example: '1.0.0' })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  version!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ type: 'object', selfRequired: true, required: ['type'], properties: { type: { type: 'string', enum: ['object'] } }, additionalProperties: true, description: 'JSON Schema (2020-12) of the parameters object; defaults fill what a run leaves out.', example: { type: 'object', properties: { width: { type: 'integer', default: 800 } } } })
  @IsObject()
  parameters!: Record<string, unknown>;

  @ApiProperty({ type: 'array', items: { type: 'string', pattern: INPUT_TYPE_AS_WRITTEN.source }, description: 'Accepted input file types: extensions without the dot, or * for any file.', example: ['xyz', 'pdb'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  inputTypes!: string[];

  @ApiProperty({ enum: MACHINE_KEYS, isArray: true, example: ['cpu/standard', 'gpu/turbo'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(MACHINE_KEYS, { each: true })
  machineTypes!: string[];

  @ApiProperty({ description: 'Argument vector (never a shell string) with {{inputs}}, {{outputDir}}, {{workDir}}, {{parameters.<name>}}.', example: ['node', 'render.js', '{{inputs}}'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  command!: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_TIME_LIMIT_SECONDS, default: 3600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIME_LIMIT_SECONDS)
  timeLimitSeconds?: number;

  @ApiPropertyOptional({ type: SandboxDto, description: "What the command may use in the runner's sandbox; none: no network, the runner's limits." })
  @IsOptional()
  @ValidateNested()
  @Type(() => SandboxDto)
  sandbox?: SandboxDto;

  @ApiPropertyOptional({ type: EnvironmentDto, description: "What the command needs of the runner's site; none: nothing beyond the runner's own environment." })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EnvironmentDto)
  environment?: EnvironmentDto;

  @ApiPropertyOptional({ default: false, description: 'The command writes the same output bytes for the same inputs, parameters and version (no clock, randomness or thread order in what it writes).' })
  @IsOptional()
  @IsBoolean()
  deterministic?: boolean;
}

export class TemplatesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive prefix of the template name.' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  name?: string;
}

export class RunJobDto {
  @ApiProperty({ description: '"name@version", or "name" for the version registered last.', example: 'File Statistics@1.0.0' })
  @IsString()
  @MinLength(1)
  @MaxLength(130)
  template!: string;

  @ApiProperty({ description: 'File ids of the project, in the order the command receives them.' })
  @IsArray()
  @ArrayMaxSize(MAX_INPUTS)
  @IsString({ each: true })
  inputs!: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "Validated against the template's schema; errors name parameters.<name>." })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiProperty({ type: MachineDto })
  // @ValidateNested takes an array as a list of machines, and [] as valid: @IsObject refuses it, naming machine.
  @IsObject()
  @ValidateNested()
  @Type(() => MachineDto)
  machine!: MachineDto;
}

export class RerunJobDto {
  @ApiPropertyOptional({ description: 'Replace the inputs (file ids of the project).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_INPUTS)
  @IsString({ each: true })
  inputs?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Override parameters by name; the others stay as the original had them.' })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: MachineDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MachineDto)
  machine?: MachineDto;

  @ApiPropertyOptional({ description: 'Another version of the same template: "1.1.0" or "name@1.1.0".' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(130)
  template?: string;
}

export class JobSearchQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The triggerer: a user id or a username.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  triggeredBy?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive prefix of the template name.' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  template?: string;

  @ApiPropertyOptional({ type: String, pattern: commaListOf(JOB_STATUSES), description: 'One status or several, comma-separated.', example: 'running,queued' })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @validator.ArrayMinSize(1)
  @IsIn(JOB_STATUSES, { each: true })
  status?: JobStatus[];

  @ApiPropertyOptional({ type: String, pattern: commaListOf(MACHINE_FILTERS), description: 'A machine type (cpu, gpu) or machine (gpu/turbo); several comma-separated.' })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @validator.ArrayMinSize(1)
  @IsIn(MACHINE_FILTERS, { each: true })
  machine?: string[];

  @ApiPropertyOptional({ description: 'Requested at or after (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Requested before (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Words of the template name or of parameter values; all must match.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class LogsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_POSITION, description: 'Chunks after this sequence number.', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  after = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 500;
}

export class DiffQuery {
  @ApiProperty({ description: 'The job to compare with (of the same project).' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'against must be a job id' })
  against!: string;
}

/** Machine filters as the stored machine names they stand for. */
export function machinesOf(filters: readonly string[]): string[] {
  return [...new Set(filters.flatMap((filter) => (filter.includes('/') ? [filter] : MACHINE_KEYS.filter((key) => key.startsWith(`${filter}/`)))))];
}

export class TriggerersQuery {
  @ApiProperty({ description: 'The start of their username or display name, or of a word of it (case-insensitive).', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 50, default: 8 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit = 8;
}
