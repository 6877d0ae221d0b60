import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { CAPABILITIES, invalid, type Capability } from '@cairn/contracts';
import { ExpectedVersionDto, IsEmail, IsNotEmpty, MaxLength } from '@cairn/http';
import type { AccessChange } from '../application/project-access.service';

const USER_REF = { description: 'User id, username or e-mail address of someone who has signed in once.', example: 'bob' };

/** Why, and the dry run looked at first: every access change may carry both into its event; and the version it was decided on. */
export class ChangeContextDto extends ExpectedVersionDto {
  @ApiPropertyOptional({ example: 'joins the crystallography analysis' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ description: 'The previewId of `POST .../access/preview` for this very change.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  previewId?: string;
}

export class SetRoleDto extends ChangeContextDto {
  @ApiProperty({ description: "A role of the project's scheme.", example: 'member' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  role!: string;
}

export class RemoveRoleDto extends ChangeContextDto {}

/** `POST .../access/invitations`: an e-mail address, which may never have signed in, and the role it is to get. */
export class InviteByEmailDto extends ExpectedVersionDto {
  @ApiProperty({ description: 'The address to invite; the role is granted when someone signs in with it, verified.', example: 'ines@example.org' })
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ description: "A role of the project's scheme.", example: 'member' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  role!: string;

  @ApiPropertyOptional({ example: 'collaborator from the partner facility' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class WithdrawInvitationDto extends ExpectedVersionDto {
  @ApiPropertyOptional({ example: 'sent to the wrong address' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class SetBaseLevelDto extends ChangeContextDto {
  @ApiProperty({ description: 'The role every lab member has without an explicit permission.', example: 'viewer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  level!: string;
}

export class TransferOwnershipDto extends ChangeContextDto {
  @ApiProperty(USER_REF)
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  to!: string;
}

const CHANGE_KINDS = ['set-role', 'remove-role', 'set-base-level', 'transfer-ownership'] as const;
type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Which fields each kind of change takes. */
const FIELDS_OF: Record<ChangeKind, readonly ('user' | 'role' | 'level' | 'to')[]> = {
  'set-role': ['user', 'role'],
  'remove-role': ['user'],
  'set-base-level': ['level'],
  'transfer-ownership': ['to'],
};
const takes = (field: 'user' | 'role' | 'level' | 'to') => (change: AccessChangeDto) =>
  FIELDS_OF[change.kind]?.includes(field) ?? false;

/** One change, as the matching command endpoint takes it. */
export class AccessChangeDto {
  @ApiProperty({ enum: CHANGE_KINDS })
  @IsIn(CHANGE_KINDS)
  kind!: ChangeKind;

  @ApiPropertyOptional({ ...USER_REF, description: `set-role, remove-role: ${USER_REF.description}` })
  @ValidateIf(takes('user'))
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({ description: 'set-role: the role to give.' })
  @ValidateIf(takes('role'))
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  role?: string;

  @ApiPropertyOptional({ description: 'set-base-level: the new base level.' })
  @ValidateIf(takes('level'))
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  level?: string;

  @ApiPropertyOptional({ description: `transfer-ownership: ${USER_REF.description}` })
  @ValidateIf(takes('to'))
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  to?: string;
}

const FIELD_SCHEMAS = {
  user: { type: 'string', minLength: 1, maxLength: 320 },
  role: { type: 'string', minLength: 1, maxLength: 60 },
  level: { type: 'string', minLength: 1, maxLength: 60 },
  to: { type: 'string', minLength: 1, maxLength: 320 },
} as const;

/** The document's terms for `AccessChangeDto` and `changeRequestOf`: one schema per kind, with exactly the fields it takes. */
const CHANGE_SCHEMAS = CHANGE_KINDS.map((kind) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...FIELDS_OF[kind]],
  properties: { kind: { type: 'string', enum: [kind] }, ...Object.fromEntries(FIELDS_OF[kind].map((field) => [field, FIELD_SCHEMAS[field]])) },
}));

export class PreviewDto {
  @ApiProperty({ oneOf: CHANGE_SCHEMAS, example: { kind: 'set-role', user: 'bob', role: 'manager' } })
  @IsObject()
  @ValidateNested()
  @Type(() => AccessChangeDto)
  change!: AccessChangeDto;
}

/** The change a preview body asks for; a field its kind does not take is refused like any unknown field. */
export function changeRequestOf(dto: AccessChangeDto): AccessChange {
  const extra = (['user', 'role', 'level', 'to'] as const).filter((field) => dto[field] !== undefined && !takes(field)(dto));
  if (extra.length > 0) {
    throw invalid('validation', `a ${dto.kind} change does not take ${extra.join(', ')}`, {
      errors: extra.map((field) => ({ field: `change.${field}`, message: `a ${dto.kind} change does not take ${field}` })),
    });
  }
  switch (dto.kind) {
    case 'set-role':
      return { kind: dto.kind, user: dto.user!, role: dto.role! };
    case 'remove-role':
      return { kind: dto.kind, user: dto.user! };
    case 'set-base-level':
      return { kind: dto.kind, level: dto.level! };
    case 'transfer-ownership':
      return { kind: dto.kind, to: dto.to! };
  }
}

export class CheckQuery {
  @ApiProperty(USER_REF)
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  user!: string;

  @ApiProperty({ enum: CAPABILITIES, example: 'jobs.run' })
  @IsIn(CAPABILITIES)
  capability!: Capability;
}
