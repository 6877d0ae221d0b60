import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires, RunnerAccess, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, PageOf, PageQuery } from '@cairn/http';
import type { Request, Response } from 'express';
import { FilesService } from '../application/files.service';
import { RunnerHolds } from '../application/runner-holds';
import { DecideDeletionDto, FilesQuery, RequestDeletionDto } from './dto';
import { DeletionDecisionDto, DeletionRequestDto, DeletionRequestedDto, FileDto, FolderDto } from './answers.dto';
import { asAttachment } from './file-download';
import { receiveUpload } from './multipart-upload';

export const MAX_UPLOAD_BYTES = Symbol('MAX_UPLOAD_BYTES');

@ApiTags('files')
@ApiBearerAuth()
@Controller()
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly holds: RunnerHolds,
    @Inject(MAX_UPLOAD_BYTES) private readonly maxUploadBytes: number,
  ) {}

  /** A person uploads into `raw/`; the runner holding a running job uploads into that job's `processed/<jobId>/`. */
  @Post('projects/:id/files')
  @Requires('files.upload')
  @RunnerAccess()
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['path', 'file'],
      additionalProperties: false,
      properties: { path: { type: 'string', example: 'raw/run-1/image.tif', description: 'Before the file part.' }, file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: FileDto })
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    let job: { jobId: string; triggeredBy: string } | undefined;
    const { path, received } = await receiveUpload(request, response, {
      maxBytes: this.maxUploadBytes,
      checkPath: async (candidate) => {
        if (principal.isRunner) job = await this.holds.requireOutput(principal, id, candidate);
        else this.files.checkRawPath(candidate);
      },
      receive: (content) => this.files.receive(id, content, this.maxUploadBytes),
      discard: (fileId) => this.files.discard(id, fileId),
    });
    const { position, file } = job ? await this.files.addJobOutput(id, job, path, received) : await this.files.addRawFile(principal, id, path, received);
    return new CommandResult(position, file);
  }

  @Get('projects/:id/files')
  @Requires('project.read')
  @ApiOkResponse({ type: FolderDto })
  list(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: FilesQuery) {
    return this.files.list(principal, id, query);
  }

  /** Whoever reads the project downloads; a runner downloads the inputs of a running job it holds. */
  @Get('projects/:id/files/:fileId/content')
  @Requires('project.read')
  @RunnerAccess()
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The bytes, as an attachment.' })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('fileId') fileId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (principal.isRunner) await this.holds.requireInput(principal, id, fileId);
    const { file, content } = principal.isRunner ? await this.files.openFile(id, fileId) : await this.files.open(principal, id, fileId);
    return asAttachment(response, file, content);
  }

  @Post('projects/:id/deletion-requests')
  @Requires('project.read')
  @ApiCreatedResponse({ type: DeletionRequestedDto })
  async requestDeletion(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RequestDeletionDto) {
    const { position, request } = await this.files.requestDeletion(principal, id, body.fileIds, body.reason);
    return new CommandResult(position, request);
  }

  @Get('projects/:id/deletion-requests')
  @Requires('project.read')
  @ApiOkResponse({ type: PageOf(DeletionRequestDto) })
  listDeletionRequests(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery) {
    return this.files.listDeletionRequests(principal, id, page);
  }

  @Post('deletion-requests/:id/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletionDecisionDto })
  async approve(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const { position, ...decision } = await this.files.decide(principal, id, 'approve');
    return new CommandResult(position, decision);
  }

  @Post('deletion-requests/:id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletionDecisionDto })
  async reject(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: DecideDeletionDto) {
    const { position, ...decision } = await this.files.decide(principal, id, 'reject', body.reason);
    return new CommandResult(position, decision);
  }
}
