import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { CommandResult, CurrentPrincipal, PageOf } from '@cairn/http';
import { TemplatesService } from '../application/templates.service';
import { TemplateDto } from './answers.dto';
import { RegisterTemplateDto, TemplatesQuery } from './dto';

@ApiTags('job templates')
@ApiBearerAuth()
@Controller('job-templates')
export class JobTemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  /** "Registered by a facility admin"; a version never changes, so registering it again is a 409. */
  @Post()
  @ApiCreatedResponse({ type: TemplateDto })
  async register(@CurrentPrincipal() principal: Principal, @Body() body: RegisterTemplateDto) {
    const { position, template } = await this.templates.register(principal, body);
    return new CommandResult(position, template);
  }

  /** Everyone lists them, the newest registration first; every version stays runnable. */
  @Get()
  @ApiOkResponse({ type: PageOf(TemplateDto) })
  list(@Query() query: TemplatesQuery) {
    return this.templates.list(query);
  }
}
