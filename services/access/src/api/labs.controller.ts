import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { notFound } from '@cairn/contracts';
import { CommandResult, CurrentPrincipal, PageOf, PageQuery } from '@cairn/http';
import { LabsService } from '../application/labs.service';
import { LabsOfCallerQuery } from '../projections/lab-directory.projection';
import { LabMembersQuery } from '../projections/lab-members.projection';
import { AddedLabMemberDto, LabMemberDto, MyLabDto, RemovedLabMemberDto } from './answers.dto';
import { AddLabMemberDto, CreateLabDto, RemoveLabMemberDto } from './labs.dto';

const LAB_REF = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A lab path segment that cannot be a lab is answered like an unknown lab, before it reaches a stream name. */
function labRef(lab: string): string {
  if (!LAB_REF.test(lab)) throw notFound('lab.unknown', `there is no lab "${lab}"`);
  return lab;
}

@ApiTags('labs')
@ApiBearerAuth()
@Controller('labs')
export class LabsController {
  constructor(
    private readonly labs: LabsService,
    private readonly members: LabMembersQuery,
    private readonly labsOfCaller: LabsOfCallerQuery,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The labs the caller belongs to, by slug; every lab, by name, for a facility admin.' })
  @ApiOkResponse({ type: PageOf(MyLabDto) })
  mine(@CurrentPrincipal() principal: Principal, @Query() page: PageQuery) {
    return this.labsOfCaller.labsOf(principal, page.limit, page.cursor);
  }

  @Post()
  @ApiCreatedResponse({ type: MyLabDto })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateLabDto) {
    const { position, lab } = await this.labs.createLab(principal, body.name, body.slug);
    return new CommandResult(position, lab);
  }

  @Post(':lab/members')
  @ApiCreatedResponse({ type: AddedLabMemberDto })
  async addMember(@CurrentPrincipal() principal: Principal, @Param('lab') lab: string, @Body() body: AddLabMemberDto) {
    const { position, member } = await this.labs.addMember(principal, labRef(lab), body.user, body.admin ?? false);
    return new CommandResult(position, member);
  }

  @Delete(':lab/members/:userRef')
  @HttpCode(200)
  @ApiOkResponse({ type: RemovedLabMemberDto })
  async removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('lab') lab: string,
    @Param('userRef') userRef: string,
    @Body() body: RemoveLabMemberDto,
  ) {
    const { position } = await this.labs.removeMember(principal, labRef(lab), userRef, body.reason);
    return new CommandResult(position, { removed: userRef });
  }

  @Get(':lab/members')
  @ApiOkResponse({ type: PageOf(LabMemberDto) })
  listMembers(@CurrentPrincipal() principal: Principal, @Param('lab') lab: string, @Query() page: PageQuery) {
    return this.members.membersVisibleTo(principal, labRef(lab), page.limit, page.cursor);
  }
}
