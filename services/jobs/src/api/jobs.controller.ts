import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, followAsEventStream, MinPosition, PageOf, wantsEventStream } from '@cairn/http';
import type { Request, Response } from 'express';
import { JobLogsService } from '../application/job-logs.service';
import { JobsFeed } from '../application/jobs-feed';
import { JobsService, type SearchInput } from '../application/jobs.service';
import { CancelledJobDto, JobDetailsDto, JobDiffDto, JobItemDto, JobLineageDto, LogPageDto, RerunFormDto, TriggerersDto } from './answers.dto';
import { DiffQuery, JobSearchQuery, LogsQuery, machinesOf, RerunJobDto, RunJobDto, TriggerersQuery } from './dto';
import { wordsOf } from '../projections';

const KEEP_ALIVE_MS = 15_000;

function searchOf(query: JobSearchQuery): SearchInput {
  const { template, machine, q, ...rest } = query;
  return {
    ...rest,
    ...(template !== undefined && { templatePrefix: template }),
    ...(machine !== undefined && { machine: machinesOf(machine) }),
    ...(q !== undefined && { words: wordsOf(q) }),
  };
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller()
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly logs: JobLogsService,
    private readonly feed: JobsFeed,
  ) {}

  @Post('projects/:id/jobs')
  @Requires('jobs.run')
  @ApiCreatedResponse({ type: JobItemDto })
  async run(@CurrentPrincipal() principal: Principal, @Param('id') projectId: string, @Body() body: RunJobDto) {
    const { position, job } = await this.jobs.run(principal, projectId, body);
    return new CommandResult(position, job);
  }

  /** A project's jobs, newest first: "Search by triggerer", "by job template name", status, machine, time, text. */
  @Get('projects/:id/jobs')
  @Requires('project.read')
  @ApiOkResponse({ type: PageOf(JobItemDto) })
  searchProject(@CurrentPrincipal() principal: Principal, @Param('id') projectId: string, @Query() query: JobSearchQuery, @MinPosition() minPosition?: number) {
    return this.jobs.search(principal, { ...searchOf(query), projectId }, minPosition);
  }

  /** The jobs of every project the caller may read ("Go to Analysis → Jobs"); live with `Accept: text/event-stream`. */
  @Get('jobs')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    type: PageOf(JobItemDto),
    description:
      'JSON: a page, newest first. With `Accept: text/event-stream`: `open` ({position}) first, then a `job` event ({position, jobId, projectId, type}; its id is the position) each time a job of a project the caller may read is requested, starts or ends, checked against the caller\'s access as of that event; `access` when the projects the caller may read change (read the list again), and `end` ({rule, detail}) if it stops. Read the list with `Cairn-Min-Position` set to a position to see what the event says.',
  })
  async search(@CurrentPrincipal() principal: Principal, @Query() query: JobSearchQuery, @Req() request: Request, @Res() response: Response, @MinPosition() minPosition?: number) {
    if (!wantsEventStream(request)) {
      response.json(await this.jobs.search(principal, searchOf(query), minPosition));
      return;
    }
    await followAsEventStream(response, (stream) =>
      this.feed.follow(principal, {
        open: (position) => stream.send('open', { position }),
        job: (change) => stream.send('job', change, change.position),
        accessChanged: () => stream.send('access', { detail: 'The projects you can read changed.' }),
        end: (reason) => {
          stream.send('end', reason);
          stream.end();
        },
      }),
    );
  }

  /** "Search by triggerer": people who ran jobs in the projects the caller may read, by the start of their name (before `jobs/:id`, which would take the word for an id). */
  @Get('jobs/triggerers')
  @ApiOkResponse({ type: TriggerersDto })
  triggerers(@CurrentPrincipal() principal: Principal, @Query() query: TriggerersQuery, @MinPosition() minPosition?: number) {
    return this.jobs.triggerers(principal, query.q, query.limit, minPosition);
  }

  @Get('jobs/:id')
  @ApiOkResponse({ type: JobDetailsDto })
  details(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @MinPosition() minPosition?: number) {
    return this.jobs.details(principal, jobId, minPosition);
  }

  /** Ordered chunks as JSON; with `Accept: text/event-stream`, the same chunks and then new ones live until the job ends. */
  @Get('jobs/:id/logs')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: LogPageDto, description: 'JSON: the chunks after `after`. With `Accept: text/event-stream`: a `chunk` event per chunk (id = seq), then live ones, and `end` ({status}) when the job ends, or ({rule, detail}) as soon as the caller loses access to the project.' })
  async logsOf(
    @CurrentPrincipal() principal: Principal,
    @Param('id') jobId: string,
    @Query() query: LogsQuery,
    @Req() request: Request,
    @Res() response: Response,
    @MinPosition() minPosition?: number,
  ) {
    if (request.accepts(['application/json', 'text/event-stream']) !== 'text/event-stream') {
      response.json(await this.logs.page(principal, jobId, query.after, query.limit, minPosition));
      return;
    }
    const lastEventId = Number(request.headers['last-event-id']);
    const after = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : query.after;
    const follow = await this.logs.follow(principal, jobId, after, minPosition);
    response.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const stop = follow({
      onChunk: (chunk) => response.write(`id: ${chunk.seq}\nevent: chunk\ndata: ${JSON.stringify(chunk)}\n\n`),
      onEnd: async (status) => {
        response.write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
        clearInterval(keepAlive);
        response.end();
      },
      onRevoked: () => {
        response.write(`event: end\ndata: ${JSON.stringify({ rule: 'capability.project.read', detail: 'You can no longer read this project.' })}\n\n`);
        clearInterval(keepAlive);
        response.end();
      },
      onError: (error) => {
        response.write(`event: error\ndata: ${JSON.stringify({ detail: error.message })}\n\n`);
        clearInterval(keepAlive);
        response.end();
      },
    });
    // The response's close, not the request's: a request without a body has ended as soon as it was read.
    response.on('close', () => {
      clearInterval(keepAlive);
      stop();
    });
  }

  @Get('jobs/:id/rerun-form')
  @ApiOkResponse({ type: RerunFormDto })
  rerunForm(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @MinPosition() minPosition?: number) {
    return this.jobs.rerunForm(principal, jobId, minPosition);
  }

  @Post('jobs/:id/rerun')
  @ApiCreatedResponse({ type: JobItemDto })
  async rerun(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @Body() body: RerunJobDto) {
    const { position, job } = await this.jobs.rerun(principal, jobId, body);
    return new CommandResult(position, job);
  }

  @Get('jobs/:id/diff')
  @ApiOkResponse({ type: JobDiffDto })
  diff(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @Query() query: DiffQuery, @MinPosition() minPosition?: number) {
    return this.jobs.diff(principal, jobId, query.against, minPosition);
  }

  /** The tree of reruns the job belongs to: its root and every rerun under it, oldest first, with what changed. */
  @Get('jobs/:id/lineage')
  @ApiOkResponse({ type: JobLineageDto })
  lineage(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @MinPosition() minPosition?: number) {
    return this.jobs.lineage(principal, jobId, minPosition);
  }

  @Post('jobs/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CancelledJobDto })
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string) {
    const { position, job } = await this.jobs.cancel(principal, jobId);
    return new CommandResult(position, job);
  }
}
