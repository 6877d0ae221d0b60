import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { invalid } from '@cairn/contracts';
import { CurrentPrincipal, PageOf } from '@cairn/http';
import { AccessAuditService } from '../application/access-audit.service';
import { AccessAtDto, AuditEntryDto, ChainVerificationDto, NameDto, PreviewShownDto } from './answers.dto';
import { AccessAtQuery, AuditBundleQuery, AuditHistoryQuery, AuditedProjectQuery } from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@ApiExtraModels(NameDto)
@Controller('audit/access')
export class AuditController {
  constructor(private readonly audit: AccessAuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Access-change history, oldest first: who changed what, when, why, with before and after.',
    description: 'Each entry names its actor and the people it is about in `names` (user id → username and display name), as the lab directory knew them then.',
  })
  @ApiOkResponse({ type: PageOf(AuditEntryDto) })
  history(@CurrentPrincipal() principal: Principal, @Query() query: AuditHistoryQuery) {
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && to < from) {
      throw invalid('validation', 'to must not be before from.', { errors: [{ field: 'to', message: 'to must not be before from' }] });
    }
    const request = {
      ...(query.project !== undefined && { project: query.project }),
      ...(query.user !== undefined && { user: query.user }),
      ...(query.actor !== undefined && { actor: query.actor }),
      ...(from && { from }),
      ...(to && { to }),
    };
    return this.audit.history(principal, request, query.limit, query.cursor);
  }

  @Get('at')
  @ApiOperation({
    summary: 'Who had which role on the project at that instant, and why: the grant (by whom, when, reason) or the base level through lab membership.',
    description: 'Everyone the answer mentions is named in `names` (user id → username and display name) and in the `why` sentences, as the lab directory knew them at that instant.',
  })
  @ApiOkResponse({ type: AccessAtDto })
  at(@CurrentPrincipal() principal: Principal, @Query() query: AccessAtQuery) {
    return this.audit.accessAt(principal, query.project, query.at === undefined ? new Date() : new Date(query.at));
  }

  @Get('verify')
  @ApiOperation({ summary: "`audit verify` over HTTP: checks the hash chain of the project's access stream, read from the event store itself." })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(@CurrentPrincipal() principal: Principal, @Query() query: AuditedProjectQuery) {
    return this.audit.verify(principal, query.project);
  }

  @Get('bundle')
  @ApiOperation({
    summary: '`audit export` over HTTP: the project\'s signed audit bundle (docs/audit-bundle.md), read from the event store, for `audit verify-bundle` offline.',
  })
  @ApiOkResponse({ description: 'The bundle, format cairn.audit-bundle.v1.' })
  bundle(@CurrentPrincipal() principal: Principal, @Query() query: AuditBundleQuery) {
    return this.audit.bundle(principal, query.project, query.at === undefined ? [] : [new Date(query.at)]);
  }

  @Get('previews/:previewId')
  @ApiOperation({ summary: 'The preview a recorded access change cites, as its actor saw it: who would gain or lose what, recomputed from the event store.' })
  @ApiOkResponse({ type: PreviewShownDto })
  previewShown(@CurrentPrincipal() principal: Principal, @Param('previewId') previewId: string, @Query() query: AuditedProjectQuery) {
    return this.audit.previewShown(principal, query.project, previewId);
  }
}
