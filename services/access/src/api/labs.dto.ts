import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { IsNotEmpty, Matches, MaxLength } from '@cairn/http';

export class CreateLabDto {
  @ApiProperty({ example: 'Crystallography' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'crystallography', description: 'Generated from the name when absent.' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'slug must be lower-case letters and digits joined by single hyphens' })
  @MaxLength(60)
  slug?: string;
}

export class AddLabMemberDto {
  @ApiProperty({ description: 'User id, username or e-mail address of someone who has signed in once.', example: 'bob' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  user!: string;

  @ApiPropertyOptional({ description: 'Lab admins add and remove members.', default: false })
  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}

export class RemoveLabMemberDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}
