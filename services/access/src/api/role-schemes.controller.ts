import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { roleSchemes } from '@cairn/contracts';
import { GrantRuleDto, RoleSchemeDto } from './answers.dto';

/** The role schemes as data, so that clients offer the roles, base levels and grants a scheme has instead of knowing them. */
@ApiTags('project access')
@ApiBearerAuth()
@ApiExtraModels(GrantRuleDto)
@Controller('role-schemes')
export class RoleSchemesController {
  @Get()
  @ApiOperation({ summary: 'Every role scheme: its roles (lowest first), what each may do, and who may grant what.' })
  @ApiOkResponse({ type: [RoleSchemeDto] })
  list() {
    return Object.values(roleSchemes);
  }
}
