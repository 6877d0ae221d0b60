import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { ALL_MACHINES, machineKeyOf, RUNNER_ID_PATTERN } from '@cairn/contracts';
import { MAX_POSITION } from '@cairn/http';

/** The largest log chunk a runner may send in one report; it splits longer output. */
export const MAX_LOG_CHUNK_CHARACTERS = 64 * 1024;

/** What every report names: the job and the runner (held to the runner token's `sub`). */
class JobOfRunnerDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  jobId!: string;

  @IsString()
  @Matches(RUNNER_ID_PATTERN, { message: "runnerId must be 1 to 64 letters, digits, '_' or '-'" })
  runnerId!: string;
}

export class ClaimDto extends JobOfRunnerDto {}

export class AnnounceDto {
  @IsString()
  @Matches(RUNNER_ID_PATTERN, { message: "runnerId must be 1 to 64 letters, digits, '_' or '-'" })
  runnerId!: string;

  @IsArray()
  @ArrayMaxSize(ALL_MACHINES.length)
  @IsIn(ALL_MACHINES.map(machineKeyOf), { each: true })
  machines!: string[];
}

export class HeartbeatDto extends JobOfRunnerDto {}

export class LogDto extends JobOfRunnerDto {
  @IsInt()
  @Min(1)
  @Max(MAX_POSITION)
  seq!: number;

  @IsIn(['stdout', 'stderr'])
  stream!: 'stdout' | 'stderr';

  @IsString()
  @MaxLength(MAX_LOG_CHUNK_CHARACTERS)
  text!: string;
}

export class OutputDto extends JobOfRunnerDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  fileId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  path!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  size!: number;

  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hexadecimal digits' })
  sha256!: string;
}

export class ProgressDto extends JobOfRunnerDto {
  @IsNumber()
  @Min(0)
  @Max(1)
  fraction!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  message?: string;
}

export class FailureDto {
  @IsIn(['executor', 'system'])
  kind!: 'executor' | 'system';

  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  reason!: string;

  @IsOptional()
  @IsInt()
  exitCode?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  lastLogLines?: string[];
}

export class FinishedDto extends JobOfRunnerDto {
  @IsIn(['succeeded', 'failed', 'cancelled'])
  outcome!: 'succeeded' | 'failed' | 'cancelled';

  @ValidateIf((report: FinishedDto) => report.outcome === 'succeeded')
  @IsInt()
  exitCode?: number;

  @ValidateIf((report: FinishedDto) => report.outcome === 'failed')
  @ValidateNested()
  @Type(() => FailureDto)
  failure?: FailureDto;
}
