import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Requires, type Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, PageOf, PageQuery } from '@cairn/http';
import type { Request, Response } from 'express';
import { ExperimentsService } from '../application/experiments.service';
import { FilesService } from '../application/files.service';
import { ExperimentDto, ExperimentFileDto } from './answers.dto';
import { asAttachment } from './file-download';
import { MAX_UPLOAD_BYTES } from './files.controller';
import { receiveUpload } from './multipart-upload';

const HIDDEN_OR_MISSING = 'No such experiment, or one the caller cannot see: both answer alike.';

/**
 * An experiment's own page and its files. Uploads go through a project that links the experiment, with
 * that project's rights; everything else is seen by exactly those who can see the experiment.
 */
@ApiTags('experiments')
@ApiBearerAuth()
@Controller()
export class ExperimentFilesController {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly files: FilesService,
    @Inject(MAX_UPLOAD_BYTES) private readonly maxUploadBytes: number,
  ) {}

  /** The same multipart upload as the project's files (limit, streaming, sha256), into the experiment. */
  @Post('projects/:id/experiments/:experimentId/files')
  @Requires('files.upload')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['path', 'file'],
      additionalProperties: false,
      properties: { path: { type: 'string', example: 'frames/f001.tif', description: 'Relative to the experiment; before the file part.' }, file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: ExperimentFileDto })
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('experimentId') experimentId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { path, received } = await receiveUpload(request, response, {
      maxBytes: this.maxUploadBytes,
      checkPath: (candidate) => void this.files.checkExperimentPath(candidate),
      receive: (content) => this.files.receive(id, content, this.maxUploadBytes),
      discard: (fileId) => this.files.discard(id, fileId),
    });
    const { position, file } = await this.files.addExperimentFile(principal, id, experimentId, path, received);
    return new CommandResult(position, file);
  }

  @Get('experiments/:experimentId')
  @ApiOkResponse({ type: ExperimentDto })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  show(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string) {
    return this.experiments.requireVisible(principal, experimentId);
  }

  @Get('experiments/:experimentId/files')
  @ApiOkResponse({ type: PageOf(ExperimentFileDto) })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async list(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Query() page: PageQuery) {
    await this.experiments.requireVisible(principal, experimentId);
    return this.files.listExperimentFiles(experimentId, page);
  }

  @Get('experiments/:experimentId/files/:fileId/content')
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The bytes, as an attachment.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('experimentId') experimentId: string,
    @Param('fileId') fileId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.experiments.requireVisible(principal, experimentId);
    const { file, content } = await this.files.openExperimentFile(experimentId, fileId);
    return asAttachment(response, file, content);
  }
}
