import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import type { AnnotationPin } from '@cairn/contracts';
import { CommandResult, CurrentPrincipal, PageOf, PageQuery } from '@cairn/http';
import { AnnotationsService } from '../application/annotations.service';
import { AnnotationDto, EditedAnnotationDto } from './answers.dto';
import { AnnotateFrameDto, AnnotationPinDto, EditAnnotationDto } from './dto';

/** The pin as asked; the decider checks each of its fields against the kind and the frame. */
const pinOf = (pin: AnnotationPinDto | undefined) => pin as AnnotationPin | undefined;

const HIDDEN_OR_MISSING = 'No such experiment, stack or annotation, or an experiment the caller cannot see: all answer alike.';

/**
 * Annotations on frames of a stack: seen by whoever sees the experiment; written with `stacks.annotate`
 * (lab Commenter and up, facility Member and up) in a project linking it; edited by their author only.
 */
@ApiTags('stacks')
@ApiBearerAuth()
@Controller('experiments/:experimentId/stacks/:stackId/annotations')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @Post()
  @ApiCreatedResponse({ type: AnnotationDto })
  @ApiForbiddenResponse({ description: 'The caller sees the experiment but may not annotate (a Viewer): rule requires.stacks.annotate.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async annotate(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string, @Body() body: AnnotateFrameDto) {
    const { position, annotation } = await this.annotations.annotate(principal, experimentId, stackId, { ...body, pin: pinOf(body.pin) });
    return new CommandResult(position, annotation);
  }

  @Get()
  @ApiOkResponse({ type: PageOf(AnnotationDto), description: 'Oldest first, without their earlier versions.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  list(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string, @Query() page: PageQuery) {
    return this.annotations.list(principal, experimentId, stackId, page);
  }

  @Get(':annotationId')
  @ApiOkResponse({ type: AnnotationDto, description: 'With every version its author wrote.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  show(@CurrentPrincipal() principal: Principal, @Param('experimentId') experimentId: string, @Param('stackId') stackId: string, @Param('annotationId') annotationId: string) {
    return this.annotations.show(principal, experimentId, stackId, annotationId);
  }

  @Patch(':annotationId')
  @ApiOkResponse({ type: EditedAnnotationDto })
  @ApiForbiddenResponse({ description: 'Only the author edits an annotation (rule stacks.annotation-author-only), and only while they may annotate.' })
  @ApiNotFoundResponse({ description: HIDDEN_OR_MISSING })
  async edit(
    @CurrentPrincipal() principal: Principal,
    @Param('experimentId') experimentId: string,
    @Param('stackId') stackId: string,
    @Param('annotationId') annotationId: string,
    @Body() body: EditAnnotationDto,
  ) {
    const { position } = await this.annotations.edit(principal, experimentId, stackId, annotationId, { body: body.body, pin: pinOf(body.pin) });
    return new CommandResult(position, { edited: annotationId });
  }
}
