import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Mention } from '@cairn/contracts';
import type { CommentView } from '../application/comments.service';
import type { BestJobsView, BestJobView, EntryView, RevisionView } from '../application/logbook.service';
import type { PersonRef } from '../application/people';
import type { DiffHunk, FilledSection, LineDiff } from '../domain';
import type { JobStatus } from '../projections';

// What the logbook service answers, for its OpenAPI document (and so the console's typed client). Each
// class implements the type the application returns, so the document cannot drift from the answers.

const JOB_STATUSES: JobStatus[] = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];

export class PersonRefDto implements PersonRef {
  @ApiProperty({ example: 'u-bob' })
  userId!: string;

  @ApiPropertyOptional({ example: 'bob' })
  username?: string;

  @ApiPropertyOptional({ example: 'Bob Brown' })
  displayName?: string;
}

export class EntryDto implements EntryView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ description: 'Markdown.' })
  body!: string;

  @ApiProperty({ type: [String], description: 'Job ids the entry refers to.' })
  jobRefs!: string[];

  @ApiProperty({ description: 'Its ETag, and what a revision names as expectedVersion.' })
  version!: number;

  @ApiProperty({ description: 'Started from the suggested template.' })
  fromTemplate!: boolean;

  @ApiProperty({ type: PersonRefDto })
  createdBy!: PersonRefDto;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ type: PersonRefDto })
  updatedBy!: PersonRefDto;

  @ApiProperty()
  updatedAt!: string;
}

/** What a revision answers: the entry's text as it now is. */
export class WrittenEntryDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty({ type: [String] })
  jobRefs!: string[];

  @ApiProperty()
  version!: number;
}

export class DiffHunkDto implements DiffHunk {
  @ApiProperty({ description: '1-based line of the previous revision where the hunk starts (0 when it was empty).' })
  oldStart!: number;

  @ApiProperty()
  oldLines!: number;

  @ApiProperty()
  newStart!: number;

  @ApiProperty()
  newLines!: number;

  @ApiProperty({ type: [String], description: "Each line with its unified-diff prefix: ' ', '-' or '+'." })
  lines!: string[];
}

export class LineDiffDto implements LineDiff {
  @ApiProperty()
  added!: number;

  @ApiProperty()
  removed!: number;

  @ApiProperty({ type: [DiffHunkDto] })
  hunks!: DiffHunkDto[];
}

export class RevisionDto implements RevisionView {
  @ApiProperty()
  version!: number;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty({ type: [String] })
  jobRefs!: string[];

  @ApiProperty({ type: PersonRefDto })
  by!: PersonRefDto;

  @ApiProperty()
  at!: string;

  @ApiProperty({ type: LineDiffDto, description: "Against the previous revision's body; the first one's is all added lines." })
  diff!: LineDiffDto;
}

export class BestJobDto implements BestJobView {
  @ApiProperty()
  jobId!: string;

  @ApiProperty({ example: 'view=all + cartoon style' })
  reason!: string;

  @ApiProperty({ type: String, nullable: true, description: '`name@version`; null while the logbook has not seen the job.' })
  template!: string | null;

  @ApiProperty({ type: PersonRefDto, nullable: true })
  triggeredBy!: PersonRefDto | null;

  @ApiProperty({ enum: JOB_STATUSES, nullable: true })
  status!: JobStatus | null;
}

export class BestJobsDto implements BestJobsView {
  @ApiProperty({ type: [BestJobDto] })
  jobs!: BestJobDto[];

  @ApiProperty({ type: PersonRefDto })
  recordedBy!: PersonRefDto;

  @ApiPropertyOptional()
  recordedAt?: string;
}

export class TemplateSectionDto implements FilledSection {
  @ApiProperty({ enum: ['goal', 'best-jobs', 'changes', 'next-steps', 'owner'] })
  id!: FilledSection['id'];

  @ApiProperty({ example: 'Latest best job(s)' })
  heading!: string;

  @ApiProperty({ description: 'What the guide says belongs there.' })
  hint!: string;

  @ApiProperty({ description: 'Markdown the section starts with; empty where only the writer can say.' })
  text!: string;
}

export class TemplateDto {
  @ApiProperty({ type: [TemplateSectionDto] })
  sections!: TemplateSectionDto[];
}

export class EntriesPageDto {
  @ApiProperty({ type: [EntryDto], description: 'Newest first.' })
  items!: EntryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class LogbookPageDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty({ type: EntriesPageDto })
  entries!: EntriesPageDto;

  @ApiProperty({ type: BestJobsDto, nullable: true, description: 'The latest record of the best jobs; null before the first.' })
  bestJobs!: BestJobsDto | null;

  @ApiProperty({ type: TemplateDto, description: "The guide's suggested template, filled with what the logbook knows." })
  template!: TemplateDto;
}

export class MentionDto implements Mention {
  @ApiProperty()
  userId!: string;

  @ApiProperty()
  username!: string;
}

export class CommentTargetDto {
  @ApiPropertyOptional()
  jobId?: string;

  @ApiPropertyOptional()
  experimentId?: string;
}

export class CommentDto implements Omit<CommentView, 'on'> {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ type: CommentTargetDto, description: 'The job or experiment it is on.' })
  on!: CommentTargetDto;

  @ApiProperty({ description: 'Markdown, at most 10,000 characters.' })
  body!: string;

  @ApiProperty({ type: [MentionDto], description: 'The @usernames of lab members it names.' })
  mentions!: MentionDto[];

  @ApiProperty({ description: '1 as first written; each edit adds one.' })
  version!: number;

  @ApiProperty({ type: PersonRefDto })
  author!: PersonRefDto;

  @ApiProperty()
  createdAt!: string;

  @ApiPropertyOptional()
  editedAt?: string;
}

export class CommentThreadDto {
  @ApiProperty({ type: [CommentDto], description: 'Oldest first.' })
  items!: CommentDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;

  @ApiProperty({ description: 'How many comments the thread has.' })
  count!: number;
}
