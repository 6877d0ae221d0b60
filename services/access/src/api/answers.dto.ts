import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { CAPABILITIES, type Capability, type RoleScheme } from '@cairn/contracts';
import type { AccessCheck, AccessExplanation, DirectoryEntry, UserAccessChange } from '../domain';
import type { LabCreated } from '../application/labs.service';
import type { AccessWarning, InvitationView, PersonName } from '../application/project-access.service';
import type { NamedAuditEntry } from '../application/access-audit.service';
import type { AccessAuditEntry } from '../projections/access-audit.projection';
import type { PersonName as DirectoryName } from '../projections/directory-names.projection';
import type { LabMemberDocument } from '../projections/lab-members.projection';
import type { AccessAt, BaseLevelOrigin, ExplicitOrigin, MembershipOrigin } from '../projections/point-in-time-access';

// What the access service answers, for its OpenAPI document (and so the console's typed client). Each
// class implements the type the application returns, so the document cannot drift from the answers.

const VIA = ['explicit', 'base-level', 'none'] as const;

export class LabDto implements Omit<LabCreated, 'admin'> {
  @ApiProperty({ example: 'crystallography', description: "The lab's slug, which is its id." })
  id!: string;

  @ApiProperty({ example: 'crystallography' })
  slug!: string;

  @ApiProperty({ example: 'Crystallography' })
  name!: string;
}

export class MyLabDto extends LabDto {
  @ApiProperty({ description: 'Whether the caller administers the lab (adds and removes its members).' })
  admin!: boolean;
}

export class DirectoryEntryDto implements DirectoryEntry {
  @ApiProperty({ example: 'u-bob' })
  userId!: string;

  @ApiProperty({ example: 'bob' })
  username!: string;

  @ApiPropertyOptional({ example: 'bob@example.org' })
  email?: string;

  @ApiProperty({ example: 'Bob Builder' })
  displayName!: string;
}

export class AddedLabMemberDto extends DirectoryEntryDto {
  @ApiProperty()
  admin!: boolean;
}

export class LabMemberDto extends AddedLabMemberDto implements Omit<LabMemberDocument, '_id' | 'usernameLower'> {
  @ApiProperty({ example: 'crystallography' })
  lab!: string;
}

export class RemovedLabMemberDto {
  @ApiProperty({ description: 'The userRef as the request named them.' })
  removed!: string;
}

export class GrantRuleDto {
  @ApiProperty({ type: [String], description: 'Roles this role gives to someone without an explicit permission.' })
  add!: string[];

  @ApiProperty({ type: [String], description: 'Roles between which this role moves an explicit permission.' })
  change!: string[];

  @ApiProperty({ type: [String], description: 'Roles of explicit permissions this role removes.' })
  remove!: string[];

  @ApiProperty({ example: 'member-adds-viewers' })
  rule!: string;

  @ApiProperty({ description: "The guide's sentence behind the rule." })
  says!: string;
}

export class RoleSchemeDto implements Omit<RoleScheme, 'capabilities' | 'grantRules' | 'roles'> {
  @ApiProperty({ example: 'facility' })
  name!: string;

  @ApiProperty({ type: [String], description: 'Lowest first.', example: ['viewer', 'member', 'manager', 'owner'] })
  roles!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string', enum: [...CAPABILITIES] } },
    description: 'Every capability of each role, by role.',
  })
  capabilities!: Record<string, Capability[]>;

  @ApiProperty({ example: 'owner' })
  ownerRole!: string;

  @ApiProperty({ enum: ['exactly-one', 'at-least-one'] })
  ownerCardinality!: 'exactly-one' | 'at-least-one';

  @ApiProperty({ description: 'Whether lab members get a project-wide level without an explicit permission.' })
  hasBaseLevel!: boolean;

  @ApiProperty({ description: 'Whether a project may invite an e-mail address nobody has signed in with yet (pending until it signs in verified).' })
  invitesByEmail!: boolean;

  @ApiProperty({ type: String, nullable: true })
  defaultBaseLevel!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(GrantRuleDto) },
    description: 'What holders of each role may do to explicit permissions; a role without an entry manages nobody.',
  })
  grantRules!: Record<string, GrantRuleDto>;

  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: { formerOwnerBecomes: { type: 'string' } },
    description: 'Null when ownership is not transferable.',
  })
  ownershipTransfer!: { formerOwnerBecomes: string } | null;
}

export class GrantOriginDto implements NonNullable<AccessExplanation['grant']> {
  @ApiProperty({ example: 'u-alice' })
  grantedBy!: string;

  @ApiProperty()
  grantedAt!: string;

  @ApiPropertyOptional()
  reason?: string;
}

export class AccessExplanationDto implements AccessExplanation {
  @ApiProperty({ type: String, nullable: true, example: 'member' })
  role!: string | null;

  @ApiProperty({ enum: VIA })
  via!: AccessExplanation['via'];

  @ApiPropertyOptional({ type: GrantOriginDto, description: 'The explicit permission the role comes from.' })
  grant?: GrantOriginDto;
}

export class MyAccessDto extends AccessExplanationDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty()
  user!: string;

  @ApiProperty({ example: 'facility' })
  scheme!: string;

  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  capabilities!: Capability[];
}

export class AccessCheckDto extends AccessExplanationDto implements AccessCheck {
  @ApiProperty()
  projectId!: string;

  @ApiProperty()
  user!: string;

  @ApiProperty()
  username!: string;

  @ApiProperty({ enum: CAPABILITIES })
  capability!: Capability;

  @ApiProperty()
  allowed!: boolean;

  @ApiProperty({ description: 'One sentence for people: the verdict and where the role comes from.' })
  reason!: string;
}

export class PersonNameDto implements PersonName {
  @ApiProperty({ example: 'u-bob' })
  user!: string;

  @ApiProperty({ example: 'bob' })
  username!: string;

  @ApiProperty({ example: 'Bob Builder' })
  displayName!: string;
}

export class ExplicitPermissionDto extends PersonNameDto {
  @ApiProperty({ example: 'member' })
  role!: string;

  @ApiProperty({ description: 'User id of who gave it.' })
  grantedBy!: string;

  @ApiProperty()
  grantedAt!: string;
}

export class BaseLevelAccessDto extends PersonNameDto {
  @ApiProperty({ example: 'viewer' })
  role!: string;
}

export class AccessWarningDto implements AccessWarning {
  @ApiProperty({ example: 'facility.owner-backup-advised' })
  rule!: string;

  @ApiProperty()
  message!: string;
}

export class UsersPageDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty()
  lab!: string;

  @ApiProperty({ example: 'lab' })
  scheme!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Null in schemes without a base level.' })
  baseLevel!: string | null;

  @ApiProperty({ type: [ExplicitPermissionDto], description: 'Everyone with an explicit permission, first.' })
  explicit!: ExplicitPermissionDto[];

  @ApiProperty({ type: [BaseLevelAccessDto], description: 'Then lab members who have access only through the base level.' })
  viaBaseLevel!: BaseLevelAccessDto[];

  @ApiProperty({ type: [AccessWarningDto], description: "The scheme's advice, e.g. to add a backup manager." })
  warnings!: AccessWarningDto[];
}

export class UserAccessOutcomeDto extends AccessExplanationDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty({ description: 'User id.' })
  user!: string;
}

export class BaseLevelOutcomeDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty({ type: String, nullable: true })
  baseLevel!: string | null;
}

export class PreviousOwnerDto extends AccessExplanationDto {
  @ApiProperty()
  user!: string;
}

export class OwnershipOutcomeDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty({ description: 'User id of the new owner.' })
  owner!: string;

  @ApiProperty({ type: PreviousOwnerDto })
  previousOwner!: PreviousOwnerDto;
}

export class ResolvedChangeDto {
  @ApiProperty({ enum: ['set-role', 'remove-role', 'set-base-level', 'transfer-ownership'] })
  kind!: 'set-role' | 'remove-role' | 'set-base-level' | 'transfer-ownership';

  @ApiPropertyOptional({ description: 'User id.' })
  user?: string;

  @ApiPropertyOptional()
  role?: string;

  @ApiPropertyOptional()
  level?: string;

  @ApiPropertyOptional({ description: 'User id.' })
  to?: string;
}

export class AccessEffectDto extends PersonNameDto implements UserAccessChange {
  @ApiProperty({ type: String, nullable: true })
  before!: string | null;

  @ApiProperty({ type: String, nullable: true })
  after!: string | null;

  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  gained!: Capability[];

  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  lost!: Capability[];
}

export class AccessPreviewDto {
  @ApiProperty({ description: 'Cite it as previewId in the change itself.' })
  previewId!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ type: ResolvedChangeDto, description: 'The change, people named by user id.' })
  change!: ResolvedChangeDto;

  @ApiProperty({ type: [AccessEffectDto], description: 'Everyone whose role would move, with what they gain and lose.' })
  effects!: AccessEffectDto[];
}

export class PreviewShownDto {
  @ApiProperty()
  project!: string;

  @ApiProperty()
  previewId!: string;

  @ApiProperty({ description: 'The change that cited the preview.' })
  eventId!: string;

  @ApiProperty({ example: 'access.role.changed.v1' })
  type!: string;

  @ApiProperty()
  at!: string;

  @ApiProperty({ description: 'User id of who saw it and made the change.' })
  actor!: string;

  @ApiProperty({ type: [AccessEffectDto], description: 'Everyone whose role moved, with what they gained and lost.' })
  effects!: AccessEffectDto[];
}

export class NameDto implements DirectoryName {
  @ApiProperty({ example: 'bob' })
  username!: string;

  @ApiProperty({ example: 'Bob Builder' })
  displayName!: string;
}

const NAMES = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(NameDto) },
  description: 'Everyone mentioned, by user id: their username and display name as the lab directory knew them then.',
} as const;

export class AuditEntryDto implements NamedAuditEntry {
  @ApiProperty()
  eventId!: string;

  @ApiProperty()
  position!: number;

  @ApiProperty({ example: 'access.role.granted.v1' })
  type!: string;

  @ApiProperty()
  at!: string;

  @ApiProperty({ enum: ['role', 'base-level', 'ownership', 'lab', 'lab-membership', 'invitation'] })
  subject!: AccessAuditEntry['subject'];

  @ApiPropertyOptional()
  project?: string;

  @ApiPropertyOptional()
  lab?: string;

  @ApiProperty({ description: 'User id of who made the change.' })
  actor!: string;

  @ApiProperty({ type: [String], description: 'User ids of the people whose access the event names.' })
  users!: string[];

  @ApiProperty({ type: String, nullable: true })
  before!: string | null;

  @ApiProperty({ type: String, nullable: true })
  after!: string | null;

  @ApiPropertyOptional()
  reason?: string;

  @ApiPropertyOptional({ description: 'The preview its actor looked at before deciding.' })
  previewId?: string;

  @ApiPropertyOptional()
  scheme?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  baseLevel?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  newOwnerBefore?: string | null;

  @ApiPropertyOptional()
  previousOwnerAfter?: string;

  @ApiPropertyOptional({ description: 'An invitation by e-mail: its id.' })
  invitation?: string;

  @ApiPropertyOptional({ description: 'An invitation by e-mail: the address invited.' })
  email?: string;

  @ApiPropertyOptional({ description: 'An invitation by e-mail: the role it gives.' })
  role?: string;

  @ApiProperty(NAMES)
  names!: Record<string, NameDto>;
}

export class ExplicitOriginDto implements ExplicitOrigin {
  @ApiProperty()
  grantedBy!: string;

  @ApiProperty()
  grantedAt!: string;

  @ApiProperty({ enum: ['initialized', 'granted', 'changed', 'ownership-transferred'] })
  event!: ExplicitOrigin['event'];

  @ApiPropertyOptional()
  reason?: string;

  @ApiPropertyOptional()
  previewId?: string;
}

export class BaseLevelOriginDto implements BaseLevelOrigin {
  @ApiProperty({ type: String, nullable: true })
  level!: string | null;

  @ApiProperty()
  setBy!: string;

  @ApiProperty()
  setAt!: string;

  @ApiPropertyOptional()
  reason?: string;

  @ApiPropertyOptional()
  previewId?: string;
}

export class MembershipOriginDto implements MembershipOrigin {
  @ApiProperty()
  lab!: string;

  @ApiProperty()
  addedBy!: string;

  @ApiProperty()
  addedAt!: string;
}

export class PersonAccessDto {
  @ApiProperty({ description: 'User id.' })
  user!: string;

  @ApiProperty()
  role!: string;

  @ApiProperty({ description: 'When this role, held for this reason, began.' })
  since!: string;

  @ApiProperty({ type: String, nullable: true, description: 'When it ended; null while it lasts.' })
  until!: string | null;

  @ApiProperty({ description: 'The same, in one sentence for people.' })
  why!: string;

  @ApiProperty({ enum: ['explicit', 'base-level'] })
  via!: 'explicit' | 'base-level';

  @ApiPropertyOptional({ type: ExplicitOriginDto, description: 'via explicit: the permission.' })
  grant?: ExplicitOriginDto;

  @ApiPropertyOptional({ type: BaseLevelOriginDto, description: 'via base-level: the level then.' })
  baseLevel?: BaseLevelOriginDto;

  @ApiPropertyOptional({ type: MembershipOriginDto, description: 'via base-level: the lab membership.' })
  membership?: MembershipOriginDto;
}

export class AccessAtDto implements Omit<AccessAt, 'people'> {
  @ApiProperty()
  project!: string;

  @ApiProperty()
  lab!: string;

  @ApiProperty()
  scheme!: string;

  @ApiProperty()
  at!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ description: 'False before the project was created: nobody had access then.' })
  existed!: boolean;

  @ApiProperty({ type: BaseLevelOriginDto, nullable: true })
  baseLevel!: BaseLevelOriginDto | null;

  @ApiProperty({ type: [PersonAccessDto], description: 'Explicit permissions first (highest role first), then the base level.' })
  people!: PersonAccessDto[];

  @ApiProperty(NAMES)
  names!: Record<string, NameDto>;
}

export class BrokenLinkDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  streamversion!: number;

  @ApiProperty()
  position!: number;
}

export class ChainVerificationDto {
  @ApiProperty()
  project!: string;

  @ApiProperty({ description: "Whether every event's hash and link to the one before it check out." })
  intact!: boolean;

  @ApiProperty({ description: 'The verdict in one sentence for people.' })
  summary!: string;

  @ApiProperty({ description: "The signatures of an audit bundle exported now, in words: which key signs the chain heads, and whether they verify with the platform's public key." })
  signatures!: string;

  @ApiProperty({
    type: [String],
    description:
      'Per access-deciding stream, in words, whether the access service signed its events as it committed them (access.chain.head-signed.v1): what a signature made at export cannot tell. Empty when the platform has no signing key.',
  })
  signedAtWrite!: string[];

  @ApiPropertyOptional({ description: 'Intact: how many events the chain holds.' })
  length?: number;

  @ApiPropertyOptional({ description: 'Intact: the hash of the newest event.' })
  head?: string;

  @ApiPropertyOptional({ description: 'Broken: the index of the first event whose link is broken.' })
  brokenAt?: number;

  @ApiPropertyOptional({ description: 'Broken: that event’s type.' })
  type?: string;

  @ApiPropertyOptional({ enum: ['prev-hash-mismatch', 'hash-mismatch'] })
  problem?: 'prev-hash-mismatch' | 'hash-mismatch';

  @ApiPropertyOptional()
  expected?: string;

  @ApiPropertyOptional()
  actual?: string;

  @ApiPropertyOptional({ type: BrokenLinkDto, description: 'Broken: where that event is stored.' })
  event?: BrokenLinkDto;
}

export class InvitationDto implements InvitationView {
  @ApiProperty()
  invitation!: string;

  @ApiProperty()
  projectId!: string;

  @ApiProperty({ example: 'ines@example.org' })
  email!: string;

  @ApiProperty({ example: 'member' })
  role!: string;

  @ApiProperty({ description: 'User id of who invited.' })
  invitedBy!: string;

  @ApiProperty()
  invitedAt!: string;

  @ApiPropertyOptional()
  reason?: string;

  @ApiProperty({ description: 'More than one person has signed in with this address: it goes to neither and stays pending until only one holds it.' })
  ambiguous!: boolean;

  @ApiProperty({ description: 'True when one person had signed in with the address, verified, already: they hold the role now; false while it is pending.' })
  accepted!: boolean;
}

export class InvitationsDto {
  @ApiProperty({ type: [InvitationDto], description: 'Pending invitations, oldest first.' })
  items!: InvitationDto[];
}

export class InvitationOutcomeDto extends InvitationDto {
  @ApiPropertyOptional({ description: 'User id of who accepted it.' })
  user?: string;
}

export class WithdrawnInvitationDto {
  @ApiProperty()
  projectId!: string;

  @ApiProperty()
  invitation!: string;

  @ApiProperty({ enum: [true] })
  withdrawn!: true;
}
