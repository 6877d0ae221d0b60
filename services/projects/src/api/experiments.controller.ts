import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, PageOf } from '@cairn/http';
import { ExperimentsService } from '../application/experiments.service';
import { CreateExperimentDto, LabExperimentsQuery, LinkExperimentsDto, ProjectExperimentsQuery } from './dto';
import { ExperimentDto, LinkedExperimentsDto, ProjectExperimentsDto, UnlinkedExperimentsDto, WideningProblemDto } from './answers.dto';

@ApiTags('experiments')
@ApiBearerAuth()
@Controller()
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post('labs/:lab/experiments')
  @ApiCreatedResponse({ type: ExperimentDto })
  async create(@CurrentPrincipal() principal: Principal, @Param('lab') lab: string, @Body() body: CreateExperimentDto) {
    const { position, experiment } = await this.experiments.create(principal, lab, body);
    return new CommandResult(position, experiment);
  }

  @Get('labs/:lab/experiments')
  @ApiOkResponse({ type: PageOf(ExperimentDto) })
  listLab(@CurrentPrincipal() principal: Principal, @Param('lab') lab: string, @Query() query: LabExperimentsQuery) {
    return this.experiments.listLab(principal, lab, query);
  }

  @Get('projects/:id/experiments')
  @Requires('project.read')
  @ApiOkResponse({ type: ProjectExperimentsDto })
  listProject(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: ProjectExperimentsQuery) {
    return this.experiments.listProject(principal, id, query.page, query.pageSize);
  }

  @Post('projects/:id/experiments')
  @HttpCode(200)
  @Requires('datasets.link')
  @ApiOkResponse({ type: LinkedExperimentsDto })
  @ApiConflictResponse({ type: WideningProblemDto, description: 'Some experiment would become visible to more people: send confirmWidening to go ahead.' })
  async link(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: LinkExperimentsDto) {
    const { position, linked } = await this.experiments.link(principal, id, body.experimentIds, body.confirmWidening === true);
    return new CommandResult(position, { linked });
  }

  @Delete('projects/:id/experiments')
  @HttpCode(200)
  @Requires('datasets.unlink')
  @ApiOkResponse({ type: UnlinkedExperimentsDto })
  @ApiConflictResponse({ type: WideningProblemDto, description: 'Some experiment would become visible to more people: send confirmWidening to go ahead.' })
  async unlink(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: LinkExperimentsDto) {
    const { position, unlinked } = await this.experiments.unlink(principal, id, body.experimentIds, body.confirmWidening === true);
    return new CommandResult(position, { unlinked });
  }
}
