import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, ExpectedVersionDto, expectedVersionOf, IfMatch, MinPosition, PageQuery, Versioned } from '@cairn/http';
import { ProjectsService } from '../application/projects.service';
import { CreateProjectDto, ListProjectsQuery, ProjectPageQuery, UpdateProjectDto } from './dto';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProjectDto) {
    const { position, project } = await this.projects.create(principal, body);
    return new CommandResult(position, project);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListProjectsQuery) {
    return this.projects.list(principal, query);
  }

  /** Its `ETag` is the project's version, for `If-Match` on PATCH and DELETE. */
  @Get(':idOrSlug')
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
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateProjectDto, @IfMatch() ifMatch?: number) {
    const { expectedVersion: _, ...changes } = body;
    const { position, project } = await this.projects.update(principal, id, changes, expectedVersionOf(ifMatch, body));
    return new CommandResult(position, project);
  }

  @Delete(':id')
  @HttpCode(200)
  @Requires('project.delete')
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ExpectedVersionDto, @IfMatch() ifMatch?: number) {
    const { position } = await this.projects.delete(principal, id, expectedVersionOf(ifMatch, body));
    return new CommandResult(position, { id, status: 'deleted' });
  }

  @Get(':id/activity')
  @Requires('project.read')
  activity(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery) {
    return this.projects.activity(principal, id, page.limit, page.cursor);
  }
}
