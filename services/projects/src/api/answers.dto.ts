import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RoleSource } from '@cairn/auth';
import { CAPABILITIES, type Capability, type DeletionRequestedData, type DeletionRequestedFile, type FileKind } from '@cairn/contracts';
import type { PersonWithAccess } from '../application/access-view';
import type { ExperimentView } from '../application/experiments.service';
import type { ExperimentFileView, FileView } from '../application/files.service';
import type { StackView } from '../application/stacks.service';
import type { AnnotationView } from '../application/annotations.service';
import { AnnotationPinDto } from './dto';
import type { ProjectView } from '../application/projects.service';
import type { ActivityDocument, DeletionRequestDocument } from '../projections';

// What the projects service answers, for its OpenAPI document (and so the console's typed client). Each
// class implements the type the application returns, so the document cannot drift from the answers.

const KINDS: FileKind[] = ['raw', 'processed'];

export class ProjectDto implements ProjectView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'crystallography' })
  lab!: string;

  @ApiProperty({ example: 'lysozyme-2026' })
  slug!: string;

  @ApiProperty({ example: 'Lysozyme 2026' })
  name!: string;

  @ApiProperty({ description: 'Markdown.' })
  description!: string;

  @ApiProperty({ example: 'facility' })
  scheme!: string;

  @ApiPropertyOptional({ description: 'Lab scheme: the level every lab member has.', example: 'viewer' })
  baseLevel?: string;

  @ApiProperty({ enum: ['active', 'deleted'] })
  status!: 'active' | 'deleted';

  @ApiProperty({ description: 'User id of the creator.' })
  createdBy!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class UpdatedProjectDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  lab!: string;

  @ApiProperty()
  slug!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;
}

export class DeletedProjectDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['deleted'] })
  status!: 'deleted';
}

export class CallerAccessDto {
  @ApiProperty({ type: String, nullable: true, example: 'member' })
  role!: string | null;

  @ApiProperty({ enum: ['explicit', 'base-level', 'none'] })
  via!: RoleSource;

  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  capabilities!: Capability[];
}

export class ExperimentSummaryDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty()
  createdAt!: string;
}

export class ActivityDto implements Omit<ActivityDocument, '_id' | 'projectId'> {
  @ApiProperty({ description: 'The event id.' })
  id!: string;

  @ApiProperty({ description: 'The event’s position on the bus; newer is higher.' })
  position!: number;

  @ApiProperty()
  at!: string;

  @ApiProperty({ example: 'access.role.granted.v1', description: 'The event type: clients word the entry from it.' })
  type!: string;

  @ApiProperty({ example: 'access' })
  context!: string;

  @ApiPropertyOptional({ description: 'User id of who did it.' })
  actor?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data, less what the entry says already." })
  details!: Record<string, unknown>;
}

export class PersonWithAccessDto implements PersonWithAccess {
  @ApiProperty()
  userId!: string;

  @ApiPropertyOptional()
  username?: string;

  @ApiPropertyOptional()
  displayName?: string;

  @ApiProperty()
  role!: string;

  @ApiProperty({ enum: ['explicit', 'base-level'] })
  via!: Exclude<RoleSource, 'none'>;
}

export class ProjectPageDto extends ProjectDto {
  @ApiProperty({ type: CallerAccessDto, description: "The caller's role here and what it lets them do." })
  you!: CallerAccessDto;

  @ApiProperty({ type: [ExperimentSummaryDto], description: 'The newest experiments, at most 5.' })
  latestExperiments!: ExperimentSummaryDto[];

  @ApiProperty({ type: [ActivityDto], description: 'Newest first, from every service, at most 10.' })
  latestActivity!: ActivityDto[];

  @ApiProperty({ type: [PersonWithAccessDto], description: 'Explicit permissions first, then lab members through the base level.' })
  people!: PersonWithAccessDto[];
}

export class ExperimentDto implements ExperimentView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  lab!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ description: 'User id.' })
  createdBy!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ type: [String], description: 'The projects it is in that the caller can read.' })
  projects!: string[];
}

export class ProjectExperimentsDto {
  @ApiProperty({ type: [ExperimentDto] })
  items!: ExperimentDto[];

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;

  @ApiProperty()
  total!: number;
}

export class LinkedExperimentsDto {
  @ApiProperty({ type: [String] })
  linked!: string[];
}

export class UnlinkedExperimentsDto {
  @ApiProperty({ type: [String] })
  unlinked!: string[];
}

export class WideningDto {
  @ApiProperty()
  experimentId!: string;

  @ApiProperty({ type: [String], description: 'User ids of the people who do not see it now and would.' })
  newlyVisibleTo!: string[];
}

export class WideningProblemDto {
  @ApiProperty({ example: 'urn:cairn:problem:experiments.unlink-widens-visibility', description: 'experiments.link-widens-visibility when adding, experiments.unlink-widens-visibility when removing.' })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ example: 409 })
  status!: number;

  @ApiProperty()
  detail!: string;

  @ApiProperty()
  rule!: string;

  @ApiProperty({ type: [WideningDto], description: 'Each experiment that would become visible to more people, and to whom.' })
  widening!: WideningDto[];
}

export class ExperimentFileDto implements ExperimentFileView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  experimentId!: string;

  @ApiProperty({ description: 'The project it was uploaded through: its deletion requests are made and decided there, with that project’s rights.' })
  uploadedThrough!: string;

  @ApiProperty({ example: 'frames/f001.tif', description: 'Relative to the experiment.' })
  path!: string;

  @ApiProperty({ example: 'frames' })
  folder!: string;

  @ApiProperty({ example: 'f001.tif' })
  name!: string;

  @ApiProperty({ enum: KINDS, description: 'Always raw: uploads into an experiment are raw data.' })
  kind!: FileKind;

  @ApiProperty({ description: 'Bytes.' })
  size!: number;

  @ApiProperty()
  sha256!: string;

  @ApiProperty({ description: 'User id.' })
  addedBy!: string;

  @ApiProperty()
  addedAt!: string;
}

export class StackFrameDto {
  @ApiProperty()
  fileId!: string;

  @ApiProperty({ description: 'The page of the file, from 0 (multi-page TIFF); 0 for a single image.' })
  page!: number;
}

export class StackDto implements StackView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  experimentId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  frameCount!: number;

  @ApiProperty({ description: 'Pixels, every frame alike.' })
  width!: number;

  @ApiProperty({ description: 'Pixels, every frame alike.' })
  height!: number;

  @ApiProperty({ enum: ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] })
  pixelType!: string;

  @ApiProperty({ description: '1 grey, 2 grey and alpha, 3 colour, 4 colour and alpha.' })
  channels!: number;

  @ApiProperty({ type: [StackFrameDto], description: 'In order: frame n is the n-th (from 0).' })
  frames!: StackFrameDto[];

  @ApiPropertyOptional({ description: 'Made from this job’s image outputs.' })
  jobId?: string;

  @ApiProperty({ description: 'User id.' })
  createdBy!: string;

  @ApiProperty()
  createdAt!: string;
}

export class MentionDto {
  @ApiProperty()
  userId!: string;

  @ApiProperty()
  username!: string;
}

export class AnnotationVersionDto {
  @ApiProperty({ description: '1 as first written; each edit adds one.' })
  version!: number;

  @ApiProperty({ description: 'Markdown.' })
  body!: string;

  @ApiPropertyOptional({ type: AnnotationPinDto })
  pin?: AnnotationPinDto;

  @ApiProperty()
  at!: string;
}

export class AnnotationDto implements Omit<AnnotationView, 'pin' | 'versions'> {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  stackId!: string;

  @ApiProperty()
  experimentId!: string;

  @ApiProperty({ description: 'The project it was written through, whose activity lists it.' })
  projectId!: string;

  @ApiProperty({ description: 'The frame, from 0.' })
  frame!: number;

  @ApiProperty({ description: '1 as first written; each edit adds one.' })
  version!: number;

  @ApiProperty({ description: 'Markdown, at most 10,000 characters.' })
  body!: string;

  @ApiPropertyOptional({ type: AnnotationPinDto, description: 'A point or a rectangle of the frame, in its pixels. Absent: the whole frame.' })
  pin?: AnnotationPinDto;

  @ApiProperty({ type: [MentionDto], description: 'The people of the lab the body mentions.' })
  mentions!: MentionDto[];

  @ApiProperty({ description: 'User id.' })
  author!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiPropertyOptional({ description: 'When the latest edit was made.' })
  editedAt?: string;

  @ApiPropertyOptional({ type: [AnnotationVersionDto], description: 'Every version, oldest first: only when one annotation is asked for.' })
  versions?: AnnotationVersionDto[];
}

export class EditedAnnotationDto {
  @ApiProperty({ description: 'The annotation edited; GET it for its versions.' })
  edited!: string;
}

export class DeletedStackDto {
  @ApiProperty({ description: 'The stack deleted; the files its frames came from stay.' })
  deleted!: string;
}

export class FileDto implements FileView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'raw/run-1/image.tif' })
  path!: string;

  @ApiProperty({ example: 'raw/run-1' })
  folder!: string;

  @ApiProperty({ example: 'image.tif' })
  name!: string;

  @ApiProperty({ enum: KINDS })
  kind!: FileKind;

  @ApiProperty({ description: 'Bytes.' })
  size!: number;

  @ApiProperty()
  sha256!: string;

  @ApiProperty({ description: 'User id (or the job’s triggerer for outputs).' })
  addedBy!: string;

  @ApiPropertyOptional({ description: 'Processed outputs: the job that produced it.' })
  jobId?: string;

  @ApiProperty()
  addedAt!: string;
}

export class FolderDto {
  @ApiProperty({ example: 'raw' })
  folder!: string;

  @ApiProperty({ type: [String], description: 'The folders directly below it, by name.' })
  folders!: string[];

  @ApiProperty({ type: [FileDto], description: 'The files directly in it, by path.' })
  items!: FileDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class DeletionRequestedFileDto implements DeletionRequestedFile {
  @ApiProperty()
  fileId!: string;

  @ApiProperty()
  path!: string;

  @ApiProperty({ enum: KINDS })
  kind!: FileKind;
}

export class DeletionRequestedDto implements DeletionRequestedData {
  @ApiProperty()
  projectId!: string;

  @ApiProperty()
  requestId!: string;

  @ApiProperty({ type: [DeletionRequestedFileDto] })
  files!: DeletionRequestedFileDto[];

  @ApiProperty({ enum: KINDS, description: '`raw` when any file is raw: deciding it needs the raw capabilities.' })
  scope!: FileKind;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: 'User id of who asked.' })
  actor!: string;
}

export class DeletionRequestDto implements Omit<DeletionRequestDocument, '_id'> {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ type: [DeletionRequestedFileDto] })
  files!: DeletionRequestedFileDto[];

  @ApiProperty({ enum: KINDS })
  scope!: FileKind;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: 'User id.' })
  requestedBy!: string;

  @ApiProperty()
  requestedAt!: string;

  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] })
  status!: 'pending' | 'approved' | 'rejected';

  @ApiPropertyOptional({ description: 'User id.' })
  decidedBy?: string;

  @ApiPropertyOptional()
  decidedAt?: string;

  @ApiPropertyOptional()
  decisionReason?: string;
}

export class DeletionDecisionDto {
  @ApiProperty()
  requestId!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ enum: ['approved', 'rejected'] })
  status!: 'approved' | 'rejected';

  @ApiProperty({ type: [String] })
  deletedFileIds!: string[];
}
