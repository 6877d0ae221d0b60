import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MACHINE_PERFORMANCES, MACHINE_TYPES, type JobFailure, type JobInput, type Machine, type MachinePerformance, type MachineType } from '@cairn/contracts';
import type { LogChunk } from '../application/job-logs';
import type { JobsService, Person } from '../application/jobs.service';
import type { TemplateView } from '../application/templates.service';
import type { JobStatus } from '../domain/job';
import { EnvironmentDto, SandboxDto } from './dto';

// What the jobs service answers, for its OpenAPI document (and so the console's typed client). Each class
// implements the type the application returns, so the document cannot drift from the answers.

const STATUSES: JobStatus[] = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
const OBJECT = { type: 'object', additionalProperties: true } as const;

type JobItem = Awaited<ReturnType<JobsService['search']>>['items'][number];
type JobDetails = Awaited<ReturnType<JobsService['details']>>;
type RerunForm = Awaited<ReturnType<JobsService['rerunForm']>>;
type JobDiff = Awaited<ReturnType<JobsService['diff']>>;
type JobLineage = Awaited<ReturnType<JobsService['lineage']>>;

export class JobPersonDto implements Person {
  @ApiProperty({ example: 'u-bob' })
  id!: string;

  @ApiPropertyOptional({ example: 'bob' })
  username?: string;

  @ApiPropertyOptional({ example: 'Bob Brown' })
  displayName?: string;
}

export class TriggerersDto {
  @ApiProperty({ type: [JobPersonDto] })
  items!: JobPersonDto[];
}

export class MachineDto implements Machine {
  @ApiProperty({ enum: MACHINE_TYPES })
  type!: MachineType;

  @ApiProperty({ enum: MACHINE_PERFORMANCES })
  performance!: MachinePerformance;
}

export class JobItemDto implements JobItem {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ enum: STATUSES })
  status!: JobStatus;

  @ApiProperty({ description: 'When it was requested.' })
  createdAt!: string;

  @ApiPropertyOptional()
  startedAt?: string;

  @ApiPropertyOptional()
  endedAt?: string;

  @ApiPropertyOptional()
  runnerId?: string;

  @ApiPropertyOptional({ description: 'The job this one reruns.' })
  rerunOf?: string;

  @ApiProperty({ description: 'The first job of its chain of reruns (itself when it is no rerun).' })
  rootJobId!: string;

  @ApiProperty({ example: 'processed/0191e2f0-...' })
  outputFolder!: string;

  @ApiPropertyOptional({ enum: ['executor', 'system'], description: 'Failed: whose failure it is.' })
  failureKind?: 'executor' | 'system';

  @ApiProperty({ example: 'file-statistics@1.0.0' })
  template!: string;

  @ApiProperty()
  templateName!: string;

  @ApiProperty()
  templateVersion!: string;

  @ApiProperty({ type: MachineDto })
  machine!: MachineDto;

  @ApiProperty({ type: JobPersonDto })
  triggeredBy!: JobPersonDto;
}

export class JobInputDto implements JobInput {
  @ApiProperty()
  fileId!: string;

  @ApiProperty({ description: 'Its path in the file space when the job was requested.' })
  path!: string;
}

export class TimelineEntryDto {
  @ApiProperty({ enum: STATUSES })
  state!: JobStatus;

  @ApiProperty()
  at!: string;

  @ApiProperty({ type: 'object', properties: { userId: { type: 'string' }, runnerId: { type: 'string' } }, description: 'The person, or the runner, whose act or report changed it.' })
  by!: { userId: string } | { runnerId: string };

  @ApiProperty()
  message!: string;
}

export class FailureDto implements JobFailure {
  @ApiProperty({ enum: ['executor', 'system'], description: '`executor`: the command failed or ran past its limit; `system`: everything else.' })
  kind!: JobFailure['kind'];

  @ApiProperty()
  reason!: string;

  @ApiPropertyOptional()
  exitCode?: number;

  @ApiPropertyOptional({ type: [String], description: 'The last lines of the log.' })
  lastLogLines?: string[];
}

export class ProgressDto {
  @ApiProperty({ minimum: 0, maximum: 1 })
  fraction!: number;

  @ApiPropertyOptional()
  message?: string;
}

export class InputChangesDto {
  @ApiProperty({ type: [JobInputDto] })
  added!: JobInputDto[];

  @ApiProperty({ type: [JobInputDto] })
  removed!: JobInputDto[];

  @ApiPropertyOptional({ enum: [true], description: 'The same inputs in another order.' })
  reordered?: true;
}

export class MachineChangeDto {
  @ApiProperty({ type: MachineDto })
  from!: MachineDto;

  @ApiProperty({ type: MachineDto })
  to!: MachineDto;
}

export class VersionChangeDto {
  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;
}

export class JobChangesDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', properties: { from: {}, to: {} } },
    description: 'Each parameter that differs: `from` (absent when the earlier job lacked it) and `to`.',
  })
  parameters?: Record<string, { from?: unknown; to?: unknown }>;

  @ApiPropertyOptional({ type: InputChangesDto })
  inputs?: InputChangesDto;

  @ApiPropertyOptional({ type: MachineChangeDto })
  machine?: MachineChangeDto;

  @ApiPropertyOptional({ type: VersionChangeDto })
  templateVersion?: VersionChangeDto;
}

export class JobOutputDto {
  @ApiProperty()
  fileId!: string;

  @ApiProperty()
  path!: string;

  @ApiProperty()
  size!: number;

  @ApiProperty()
  sha256!: string;
}

export class LatestCommentDto {
  @ApiProperty()
  commentId!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty({ description: 'User id.' })
  author!: string;

  @ApiProperty()
  at!: string;
}

export class CommentsSummaryDto {
  @ApiProperty()
  count!: number;

  @ApiPropertyOptional({ type: LatestCommentDto })
  latest?: LatestCommentDto;
}

export class JobDetailsDto extends JobItemDto implements JobDetails {
  @ApiProperty({ type: [JobInputDto] })
  inputs!: JobInputDto[];

  @ApiProperty({ ...OBJECT, description: 'As validated against the template, defaults filled in.' })
  parameters!: Record<string, unknown>;

  @ApiProperty({ type: [TimelineEntryDto], description: 'Every change of status, oldest first.' })
  timeline!: TimelineEntryDto[];

  @ApiPropertyOptional({ type: FailureDto })
  failure?: FailureDto;

  @ApiPropertyOptional({ type: ProgressDto })
  progress?: ProgressDto;

  @ApiPropertyOptional({ type: JobChangesDto, description: 'A rerun: what differs from the job it reruns.' })
  changes?: JobChangesDto;

  @ApiProperty({ type: [JobOutputDto] })
  outputs!: JobOutputDto[];

  @ApiProperty({ type: CommentsSummaryDto })
  comments!: CommentsSummaryDto;
}

export class RerunTemplateDto {
  @ApiProperty({ example: 'file-statistics@1.0.0' })
  ref!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  version!: string;

  @ApiPropertyOptional({ description: 'The version registered last.' })
  latestVersion!: string | undefined;

  @ApiProperty({ type: [String], description: 'Every version, in registration order.' })
  versions!: string[];
}

export class RerunInputDto extends JobInputDto {
  @ApiPropertyOptional({ description: 'Where the file is now, when it moved.' })
  pathNow?: string;

  @ApiProperty({ description: 'Still in the project.' })
  present!: boolean;

  @ApiProperty({ description: 'Of a type the template accepts.' })
  acceptedType!: boolean;

  @ApiPropertyOptional({ enum: ['not-in-project', 'deleted', 'type-not-accepted'], description: 'Why it cannot be used as it is.' })
  problem?: 'not-in-project' | 'deleted' | 'type-not-accepted';
}

export class RerunParameterDto {
  @ApiProperty()
  name!: string;

  @ApiProperty({ ...OBJECT, description: "The parameter's JSON Schema." })
  schema!: unknown;

  @ApiPropertyOptional({ description: 'What the job ran with.' })
  value?: unknown;

  @ApiPropertyOptional({ description: "The template's default." })
  default?: unknown;

  @ApiProperty()
  differsFromDefault!: boolean;
}

export class RerunFormDto implements RerunForm {
  @ApiProperty()
  jobId!: string;

  @ApiProperty({ type: RerunTemplateDto })
  template!: RerunTemplateDto;

  @ApiProperty({ type: [RerunInputDto], description: "The original's inputs, each checked against the pinned template." })
  inputs!: RerunInputDto[];

  @ApiProperty({ type: [String], description: 'Lower-case extensions without the dot, or `*` for any file.' })
  acceptedInputTypes!: string[];

  @ApiProperty({ type: [RerunParameterDto] })
  parameters!: RerunParameterDto[];

  @ApiProperty({ type: MachineDto })
  machine!: MachineDto;

  @ApiProperty({ type: [String], example: ['cpu/standard', 'gpu/turbo'] })
  allowedMachines!: string[];
}

export class JobDiffDto implements JobDiff {
  @ApiProperty()
  jobId!: string;

  @ApiProperty()
  against!: string;

  @ApiProperty({ type: JobChangesDto })
  changes!: JobChangesDto;
}

export class LineageItemDto extends JobItemDto {
  @ApiPropertyOptional({ type: JobChangesDto, description: 'A rerun: what differs from the job it reruns (`rerunOf`).' })
  changes?: JobChangesDto;
}

export class JobLineageDto implements JobLineage {
  @ApiProperty({ description: 'The job asked about.' })
  jobId!: string;

  @ApiProperty({ description: 'The first job of its chain of reruns.' })
  rootJobId!: string;

  @ApiProperty({ type: [LineageItemDto], description: 'The root and every rerun under it, oldest first; each names the job it reruns (`rerunOf`), so the tree can be drawn.' })
  items!: LineageItemDto[];

  @ApiProperty({ description: 'The chain holds more jobs than one answer carries (500); the oldest are listed.' })
  truncated!: boolean;
}

export class CancelledJobDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: STATUSES })
  status!: JobStatus;
}

export class LogChunkDto implements LogChunk {
  @ApiProperty({ description: '1, 2, 3... per job, in the order the runner read them.' })
  seq!: number;

  @ApiProperty({ enum: ['stdout', 'stderr'] })
  stream!: 'stdout' | 'stderr';

  @ApiProperty()
  text!: string;

  @ApiProperty()
  at!: string;
}

export class LogPageDto {
  @ApiProperty({ type: [LogChunkDto] })
  items!: LogChunkDto[];

  @ApiProperty({ description: 'Pass as after for the next chunks.' })
  next!: number;

  @ApiProperty({ enum: STATUSES })
  status!: JobStatus;

  @ApiProperty({ description: 'The job has ended: no chunk comes after these.' })
  ended!: boolean;
}

export class TemplateDto implements TemplateView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'file-statistics@1.0.0', description: 'What a run names.' })
  ref!: string;

  @ApiProperty({ example: 'File Statistics' })
  name!: string;

  @ApiProperty({ example: '1.0.0' })
  version!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ ...OBJECT, description: 'JSON Schema of the parameters.' })
  parameters!: Record<string, unknown>;

  @ApiProperty({ type: [String] })
  inputTypes!: string[];

  @ApiProperty({ type: [String] })
  machineTypes!: string[];

  @ApiProperty({ type: [String] })
  command!: string[];

  @ApiProperty()
  timeLimitSeconds!: number;

  @ApiPropertyOptional({ type: SandboxDto, description: "What the command may use in the runner's sandbox; absent: no network, the runner's limits." })
  sandbox?: SandboxDto;

  @ApiPropertyOptional({ type: EnvironmentDto, description: "What the command needs of the runner's site; absent: nothing beyond the runner's own environment." })
  environment?: EnvironmentDto;

  @ApiProperty({ description: 'The command writes the same output bytes for the same inputs, parameters and version.' })
  deterministic!: boolean;

  @ApiProperty({ description: 'User id.' })
  registeredBy!: string;

  @ApiProperty()
  registeredAt!: string;
}
