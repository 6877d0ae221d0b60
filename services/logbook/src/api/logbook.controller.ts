import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { ApiIfMatch, CommandResult, CurrentPrincipal, expectedVersionOf, IfMatch, MinPosition, PageOf, PageQuery, Versioned } from '@cairn/http';
import { LogbookService } from '../application/logbook.service';
import { BestJobsDto, EntryDto, LogbookPageDto, RevisionDto, WrittenEntryDto } from './answers.dto';
import { CreateEntryDto, RecordBestJobsDto, ReviseEntryDto } from './dto';

@ApiTags('logbook')
@ApiBearerAuth()
@Controller('projects/:id/logbook')
export class LogbookController {
  constructor(private readonly logbook: LogbookService) {}

  @Get()
  @ApiOkResponse({ type: LogbookPageDto })
  page(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery, @MinPosition() minPosition?: number) {
    return this.logbook.page(principal, id, page, minPosition);
  }

  /** Each answer about one entry carries its version as `ETag`, for the `If-Match` of its next revision. */
  @Post('entries')
  @ApiCreatedResponse({ type: EntryDto })
  async addEntry(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreateEntryDto, @MinPosition() minPosition?: number) {
    const { position, entry } = await this.logbook.addEntry(principal, id, body, minPosition);
    return new Versioned(entry.version, new CommandResult(position, entry));
  }

  @Get('entries/:entryId')
  @ApiOkResponse({ type: EntryDto })
  async entry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('entryId') entryId: string,
    @MinPosition() minPosition?: number,
  ) {
    const entry = await this.logbook.entry(principal, id, entryId, minPosition);
    return new Versioned(entry.version, entry);
  }

  @Put('entries/:entryId')
  @ApiIfMatch('The ETag of the version revised; a stale one answers 412 with the current one.')
  @ApiOkResponse({ type: WrittenEntryDto })
  async reviseEntry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('entryId') entryId: string,
    @Body() body: ReviseEntryDto,
    @IfMatch() ifMatch?: number,
    @MinPosition() minPosition?: number,
  ) {
    const { expectedVersion: _, ...revision } = body;
    const { position, entry } = await this.logbook.reviseEntry(principal, id, entryId, revision, expectedVersionOf(ifMatch, body), minPosition);
    return new Versioned(entry.version, new CommandResult(position, entry));
  }

  @Get('entries/:entryId/revisions')
  @ApiOkResponse({ type: PageOf(RevisionDto) })
  revisions(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('entryId') entryId: string,
    @Query() page: PageQuery,
    @MinPosition() minPosition?: number,
  ) {
    return this.logbook.revisions(principal, id, entryId, page, minPosition);
  }

  @Put('best-jobs')
  @ApiOkResponse({ type: BestJobsDto })
  async recordBestJobs(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RecordBestJobsDto, @MinPosition() minPosition?: number) {
    const { position, bestJobs } = await this.logbook.recordBestJobs(principal, id, body, minPosition);
    return new CommandResult(position, bestJobs);
  }

  @Get('best-jobs')
  @ApiOkResponse({ type: PageOf(BestJobsDto) })
  bestJobsHistory(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery, @MinPosition() minPosition?: number) {
    return this.logbook.bestJobsHistory(principal, id, page, minPosition);
  }
}
