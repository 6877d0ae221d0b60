import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { notFound } from '@cairn/contracts';
import { CommandResult, CurrentPrincipal, expectedVersionOf, IfMatch, Versioned } from '@cairn/http';
import { ProjectAccessService, type AccessChange } from '../application/project-access.service';
import {
  changeRequestOf,
  CheckQuery,
  PreviewDto,
  InviteByEmailDto,
  RemoveRoleDto,
  SetBaseLevelDto,
  SetRoleDto,
  TransferOwnershipDto,
  WithdrawInvitationDto,
  type ChangeContextDto,
} from './project-access.dto';
import {
  AccessCheckDto,
  AccessPreviewDto,
  BaseLevelOutcomeDto,
  InvitationOutcomeDto,
  InvitationsDto,
  MyAccessDto,
  OwnershipOutcomeDto,
  UserAccessOutcomeDto,
  UsersPageDto,
  WithdrawnInvitationDto,
} from './answers.dto';

const PROJECT_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** A path segment that cannot be a project id is answered like an unknown project, before it reaches a stream name. */
function projectRef(id: string): string {
  if (!PROJECT_ID.test(id)) throw notFound('access.project-unknown', `there is no project "${id}" (rule access.project-unknown)`);
  return id;
}

/** Why, the preview cited, and the version of the project's access the change was decided on. */
function contextOf(body: ChangeContextDto, ifMatch: number | undefined) {
  const { reason, previewId } = body;
  const expectedVersion = expectedVersionOf(ifMatch, body);
  return {
    ...(reason !== undefined && { reason }),
    ...(previewId !== undefined && { previewId }),
    ...(expectedVersion !== undefined && { expectedVersion }),
  };
}

@ApiTags('project access')
@ApiBearerAuth()
@Controller('projects/:id/access')
export class ProjectAccessController {
  constructor(private readonly access: ProjectAccessService) {}

  /** Its `ETag` is the version of the project's access, for `If-Match` on the changes below. */
  @Get()
  @ApiOkResponse({ type: UsersPageDto })
  async usersPage(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const { version, page } = await this.access.usersPage(principal, projectRef(id));
    return new Versioned(version, page);
  }

  @Get('me')
  @ApiOkResponse({ type: MyAccessDto })
  mine(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.access.mine(principal, projectRef(id));
  }

  @Get('check')
  @ApiOkResponse({ type: AccessCheckDto })
  check(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: CheckQuery) {
    return this.access.check(principal, projectRef(id), query.user, query.capability);
  }

  @Put('users/:userRef')
  @ApiOkResponse({ type: UserAccessOutcomeDto })
  setRole(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('userRef') userRef: string,
    @Body() body: SetRoleDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.change(principal, id, { kind: 'set-role', user: userRef, role: body.role }, body, ifMatch);
  }

  @Delete('users/:userRef')
  @HttpCode(200)
  @ApiOkResponse({ type: UserAccessOutcomeDto })
  removeRole(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('userRef') userRef: string,
    @Body() body: RemoveRoleDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.change(principal, id, { kind: 'remove-role', user: userRef }, body, ifMatch);
  }

  @Put('base-level')
  @ApiOkResponse({ type: BaseLevelOutcomeDto })
  setBaseLevel(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SetBaseLevelDto, @IfMatch() ifMatch?: number) {
    return this.change(principal, id, { kind: 'set-base-level', level: body.level }, body, ifMatch);
  }

  @Post('transfer-ownership')
  @HttpCode(200)
  @ApiOkResponse({ type: OwnershipOutcomeDto })
  transferOwnership(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: TransferOwnershipDto,
    @IfMatch() ifMatch?: number,
  ) {
    return this.change(principal, id, { kind: 'transfer-ownership', to: body.to }, body, ifMatch);
  }

  /**
   * Invites an e-mail address for a role (schemes that invite by e-mail only): pending until someone
   * signs in with it, verified; accepted at once if one person already has.
   */
  @Post('invitations')
  @ApiCreatedResponse({ type: InvitationOutcomeDto })
  async invite(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: InviteByEmailDto, @IfMatch() ifMatch?: number) {
    const { position, body: outcome } = await this.access.invite(principal, projectRef(id), { email: body.email, role: body.role }, contextOf(body, ifMatch));
    return new CommandResult(position, outcome);
  }

  @Get('invitations')
  @ApiOkResponse({ type: InvitationsDto })
  invitations(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.access.invitations(principal, projectRef(id));
  }

  @Delete('invitations/:invitation')
  @HttpCode(200)
  @ApiOkResponse({ type: WithdrawnInvitationDto })
  async withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('invitation') invitation: string,
    @Body() body: WithdrawInvitationDto,
    @IfMatch() ifMatch?: number,
  ) {
    const { position, body: outcome } = await this.access.withdraw(principal, projectRef(id), invitation, contextOf(body, ifMatch));
    return new CommandResult(position, outcome);
  }

  /** Decides and records a change; its answer says what it left, at the position a read can wait for. */
  private async change(principal: Principal, id: string, request: AccessChange, body: ChangeContextDto, ifMatch: number | undefined) {
    const { position, body: outcome } = await this.access.change(principal, projectRef(id), request, contextOf(body, ifMatch));
    return new CommandResult(position, outcome);
  }

  /** A dry run: changes nothing (so answers no position), but is kept for the change to cite. */
  @Post('preview')
  @ApiOkResponse({ type: AccessPreviewDto })
  preview(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: PreviewDto) {
    return this.access.preview(principal, projectRef(id), changeRequestOf(body.change));
  }
}
