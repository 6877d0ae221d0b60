import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { CurrentPrincipal, PageOf } from '@cairn/http';
import { LabPeopleService } from '../application/lab-people.service';
import { DirectoryEntryDto } from './answers.dto';
import { UsersQuery } from './users.dto';

@ApiTags('labs')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly people: LabPeopleService) {}

  /** Autocomplete for "add permission": lab members by username, display name or e-mail prefix. */
  @Get()
  @ApiOkResponse({ type: PageOf(DirectoryEntryDto) })
  autocomplete(@CurrentPrincipal() principal: Principal, @Query() query: UsersQuery) {
    return this.people.autocomplete(principal, query.lab, query.q ?? '', query.limit, query.cursor);
  }
}
