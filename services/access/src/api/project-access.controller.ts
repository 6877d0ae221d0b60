import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { notFound } from '@cairn/contracts';
import { CommandResult, CurrentPrincipal } from '@cairn/http';
import { ProjectAccessService } from '../application/project-access.service';
import {
  changeRequestOf,
  CheckQuery,
  PreviewDto,
  RemoveRoleDto,
  SetBaseLevelDto,
  SetRoleDto,
  TransferOwnershipDto,
  type ChangeContextDto,
} from './project-access.dto';

const PROJECT_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** A path segment that cannot be a project id is answered like an unknown project, before it reaches a stream name. */
function projectRef(id: string): string {
  if (!PROJECT_ID.test(id)) throw notFound('access.project-unknown', `there is no project "${id}" (rule access.project-unknown)`);
  return id;
}

function contextOf({ reason, previewId }: ChangeContextDto) {
  return { ...(reason !== undefined && { reason }), ...(previewId !== undefined && { previewId }) };
}

@ApiTags('project access')
@ApiBearerAuth()
@Controller('projects/:id/access')
export class ProjectAccessController {
  constructor(private readonly access: ProjectAccessService) {}

  @Get()
  usersPage(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.access.usersPage(principal, projectRef(id));
  }

  @Get('me')
  mine(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.access.mine(principal, projectRef(id));
  }

  @Get('check')
  check(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: CheckQuery) {
    return this.access.check(principal, projectRef(id), query.user, query.capability);
  }

  @Put('users/:userRef')
  async setRole(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('userRef') userRef: string,
    @Body() body: SetRoleDto,
  ) {
    const { position, body: outcome } = await this.access.change(
      principal,
      projectRef(id),
      { kind: 'set-role', user: userRef, role: body.role },
      contextOf(body),
    );
    return new CommandResult(position, outcome);
  }

  @Delete('users/:userRef')
  @HttpCode(200)
  async removeRole(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('userRef') userRef: string,
    @Body() body: RemoveRoleDto,
  ) {
    const { position, body: outcome } = await this.access.change(principal, projectRef(id), { kind: 'remove-role', user: userRef }, contextOf(body));
    return new CommandResult(position, outcome);
  }

  @Put('base-level')
  async setBaseLevel(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SetBaseLevelDto) {
    const { position, body: outcome } = await this.access.change(principal, projectRef(id), { kind: 'set-base-level', level: body.level }, contextOf(body));
    return new CommandResult(position, outcome);
  }

  @Post('transfer-ownership')
  @HttpCode(200)
  async transferOwnership(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: TransferOwnershipDto) {
    const { position, body: outcome } = await this.access.change(principal, projectRef(id), { kind: 'transfer-ownership', to: body.to }, contextOf(body));
    return new CommandResult(position, outcome);
  }

  /** A dry run: changes nothing (so answers no position), but is kept for the change to cite. */
  @Post('preview')
  preview(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: PreviewDto) {
    return this.access.preview(principal, projectRef(id), changeRequestOf(body.change));
  }
}
