import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, MAX_POSITION, PageOf, PageQuery } from '@cairn/http';
import type { Response } from 'express';
import { StacksService } from '../application/stacks.service';
import { DeletedStackDto, StackDto } from './answers.dto';
import { CreateStackDto, RenameStackDto } from './dto';

const HIDDEN_OR_MISSING = 'No such experiment or stack, or an experiment the caller cannot see: all answer alike.';

/** A PNG made once and kept: browsers may keep it too, since a stack's frames never change. */
function png(response: Response, bytes: Buffer): StreamableFile {
  response.setHeader('Cache-Control', 'private, max-age=86400, immutable');
  return new StreamableFile(bytes, { type: 'image/png', length: bytes.length });
}

/** Image stacks of an experiment: seen by whoever sees the experiment; made, renamed and deleted by `stacks.write` in a project linking it. */
@ApiTags('stacks')
@ApiBearerAuth()
@Controller('experiments/:experimentId/stacks')
export class StacksController {
  constructor(private readonly stacks: StacksService) {}

  @Post()
  @ApiCreatedResponse({ type: StackDto })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async create(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Body() body: CreateStackDto) {
    const source = body.jobId !== undefined ? { jobId: body.jobId } : { fileIds: body.fileIds ?? [] };
    const { position, stack } = await this.stacks.create(principal, experimentId, { name: body.name, ...source });
    return new CommandResult(position, stack);
  }

  @Get()
  @ApiOkResponse({ type: PageOf(StackDto) })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  list(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Query() page: PageQuery) {
    return this.stacks.list(principal, experimentId, page);
  }

  @Get(':stackId')
  @ApiOkResponse({ type: StackDto })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  show(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string) {
    return this.stacks.show(principal, experimentId, stackId);
  }

  @Patch(':stackId')
  @ApiOkResponse({ type: StackDto })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async rename(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string, @Body() body: RenameStackDto) {
    const { position, stack } = await this.stacks.rename(principal, experimentId, stackId, body.name);
    return new CommandResult(position, stack);
  }

  @Delete(':stackId')
  @HttpCode(200)
  @ApiOkResponse({ type: DeletedStackDto })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async delete(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string) {
    const { position } = await this.stacks.delete(principal, experimentId, stackId);
    return new CommandResult(position, { deleted: stackId });
  }

  @Get(':stackId/thumbnail')
  @ApiProduces('image/png')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The first frame, at most 256 pixels on a side.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async thumbnail(
    @CurrentPrincipal() principal: Principal,
    @Param('experimentId') experimentId: string,
    @Param('stackId') stackId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return png(response, await this.stacks.thumbnail(principal, experimentId, stackId));
  }

  @Get(':stackId/frames/:index/preview')
  @ApiParam({ name: 'index', schema: { type: 'integer', minimum: 0, maximum: MAX_POSITION } })
  @ApiProduces('image/png')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'Frame `index` (from 0), at most 1024 pixels on a side, contrast stretched to its own range.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async preview(
    @CurrentPrincipal() principal: Principal,
    @Param('experimentId') experimentId: string,
    @Param('stackId') stackId: string,
    @Param('index', ParseIntPipe) index: number,
    @Res({ passthrough: true }) response: Response,
  ) {
    return png(response, await this.stacks.preview(principal, experimentId, stackId, index));
  }
}
