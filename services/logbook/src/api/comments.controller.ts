import { Body, Controller, Get, Injectable, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, MinPosition, PageQuery } from '@cairn/http';
import { CommentsService } from '../application/comments.service';
import type { TargetKind } from '../projections';
import { CommentDto, CommentThreadDto } from './answers.dto';
import { AddCommentDto, EditCommentDto } from './dto';

/**
 * The routes of one kind of comment thread; a subclass names the kind and its path. Injectable so that
 * its constructor's parameter types are recorded for the subclasses, which have no constructor of their own.
 */
@Injectable()
abstract class CommentRoutes {
  protected abstract readonly kind: TargetKind;

  constructor(private readonly comments: CommentsService) {}

  @Get(':id/comments')
  @ApiOkResponse({ type: CommentThreadDto })
  thread(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() page: PageQuery, @MinPosition() minPosition?: number) {
    return this.comments.thread(principal, { kind: this.kind, id }, page, minPosition);
  }

  @Post(':id/comments')
  @ApiCreatedResponse({ type: CommentDto })
  async add(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: AddCommentDto, @MinPosition() minPosition?: number) {
    const { position, comment } = await this.comments.add(principal, { kind: this.kind, id }, body, minPosition);
    return new CommandResult(position, comment);
  }

  @Get(':id/comments/:commentId')
  @ApiOkResponse({ type: CommentDto })
  comment(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('commentId') commentId: string, @MinPosition() minPosition?: number) {
    return this.comments.comment(principal, { kind: this.kind, id }, commentId, minPosition);
  }

  @Put(':id/comments/:commentId')
  @ApiOkResponse({ type: CommentDto })
  async edit(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('commentId') commentId: string,
    @Body() body: EditCommentDto,
    @MinPosition() minPosition?: number,
  ) {
    const { position, comment } = await this.comments.edit(principal, { kind: this.kind, id }, commentId, body, minPosition);
    return new CommandResult(position, comment);
  }
}

@ApiTags('comments')
@ApiBearerAuth()
@Controller('jobs')
export class JobCommentsController extends CommentRoutes {
  protected readonly kind = 'job';
}

@ApiTags('comments')
@ApiBearerAuth()
@Controller('experiments')
export class ExperimentCommentsController extends CommentRoutes {
  protected readonly kind = 'experiment';
}
