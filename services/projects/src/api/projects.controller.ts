import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, EVENT_STREAM, ExpectedVersionDto, expectedVersionOf, followAsEventStream, IfMatch, MinPosition, PageOf, Versioned, wantsEventStream } from '@cairn/http';
import type { Request, Response } from 'express';
import { ProjectActivityFeed } from '../application/activity-feed';
import { ProjectsService } from '../application/projects.service';
import { ActivityDto, DeletedProjectDto, ProjectDto, ProjectPageDto, UpdatedProjectDto } from './answers.dto';
import { ActivityQuery, CREATE_PROJECT_BODY, CreateProjectDto, ListProjectsQuery, ProjectPageQuery, UPDATE_PROJECT_BODY, UpdateProjectDto } from './dto';

@ApiTags('projects')
@ApiBearerAuth()
@ApiExtraModels(CreateProjectDto, UpdateProjectDto)
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly feed: ProjectActivityFeed,
  ) {}

  @Post()
  @ApiBody({ schema: CREATE_PROJECT_BODY })
  @ApiCreatedResponse({ type: ProjectDto })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProjectDto) {
    const { position, project } = await this.projects.create(principal, body);
    return new CommandResult(position, project);
  }

  @Get()
  @ApiOkResponse({ type: PageOf(ProjectDto) })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListProjectsQuery) {
    return this.projects.list(principal, query);
  }

  /** Its `ETag` is the project's version, for `If-Match` on PATCH and DELETE. */
  @Get(':idOrSlug')
  @ApiOkResponse({ type: ProjectPageDto })
  async page(
    @CurrentPrincipal() principal: Principal,
    @Param('idOrSlug') idOrSlug: string,
    @Query() query: ProjectPageQuery,
    @MinPosition() minPosition?: number,
  ) {
    const { version, page } = await this.projects.page(principal, this.projects.resolveId(idOrSlug, query.lab), minPosition);
    return new Versioned(version, page);
  }

  @Patch(':id')
  @Requires('project.update')
  @ApiBody({ schema: UPDATE_PROJECT_BODY })
  @ApiOkResponse({ type: UpdatedProjectDto })
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateProjectDto, @IfMatch() ifMatch?: number) {
    const { expectedVersion: _, ...changes } = body;
    const { position, project } = await this.projects.update(principal, id, changes, expectedVersionOf(ifMatch, body));
    return new CommandResult(position, project);
  }

  @Delete(':id')
  @HttpCode(200)
  @Requires('project.delete')
  @ApiOkResponse({ type: DeletedProjectDto })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ExpectedVersionDto, @IfMatch() ifMatch?: number) {
    const { position } = await this.projects.delete(principal, id, expectedVersionOf(ifMatch, body));
    return new CommandResult(position, { id, status: 'deleted' });
  }

  @Get(':id/activity')
  @Requires('project.read')
  @ApiProduces('application/json', EVENT_STREAM)
  @ApiOkResponse({
    type: PageOf(ActivityDto),
    description:
      'JSON: newest first. With `Accept: text/event-stream`: an `activity` event per entry (an ActivityDto; its id is the position), those after `after` first, then each new one live; an `end` event ({rule, detail}) says why it stopped.',
  })
  async activity(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: ActivityQuery,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    if (!wantsEventStream(request)) {
      response.json(await this.projects.activity(principal, id, query.limit, query.cursor));
      return;
    }
    await followAsEventStream(response, (stream) =>
      this.feed.follow(principal, id, query.after, {
        entry: (item) => stream.send('activity', item, item.position),
        end: (reason) => {
          stream.send('end', reason);
          stream.end();
        },
      }),
    );
  }
}
