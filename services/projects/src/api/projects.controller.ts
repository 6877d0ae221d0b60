import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, MinPosition, PageQuery } from '@cairn/http';
import { ProjectsService } from '../application/projects.service';
import { CreateProjectDto, ListProjectsQuery, ProjectPageQuery, UpdateProjectDto } from './dto';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProjectDto, @MinPosition() minPosition?: number) {
    const { position, project } = await this.projects.create(principal, body, minPosition);
    return new CommandResult(position, project);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListProjectsQuery) {
    return this.projects.list(principal, query);
  }

  @Get(':idOrSlug')
  page(
    @CurrentPrincipal() principal: Principal,
    @Param('idOrSlug') idOrSlug: string,
    @Query() query: ProjectPageQuery,
    @MinPosition() minPosition?: number,
  ) {
    return this.projects.page(principal, this.projects.resolveId(idOrSlug, query.lab), minPosition);
  }

  @Patch(':id')
  @Requires('project.update')
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateProjectDto) {
    const { position, project } = await this.projects.update(principal, id, body);
    return new CommandResult(position, project);
  }

  @Delete(':id')
  @HttpCode(200)
  @Requires('project.delete')
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const { position } = await this.projects.delete(principal, id);
    return new CommandResult(position, { id, status: 'deleted' });
  }

  @Get(':id/activity')
  @Requires('project.read')
  activity(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery) {
    return this.projects.activity(principal, id, page.limit, page.cursor);
  }
}
