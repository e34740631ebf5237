import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROLES } from './caller';

export class CreateKeyDto {
  @ApiProperty({ example: 'audit-team', description: 'Who or what uses the key.' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: ROLES, description: 'viewer: search, explain, stats, findings. auditor: viewer + exports and the export log. admin: everything, inventory writes and key management included.' })
  @IsIn(ROLES)
  role!: (typeof ROLES)[number];

  @ApiPropertyOptional({ type: [String], example: ['payments'], description: 'Limit the key to flows, counts and resources involving these namespaces. Absent: all namespaces.' })
  @IsOptional() @IsArray() @ArrayMaxSize(1000)
  @Matches(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { each: true, message: 'each namespace must be a Kubernetes namespace name' })
  namespaces?: string[];
}

export class ApiKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: [String], nullable: true, description: 'null: all namespaces.' }) namespaces!: string[] | null;
  @ApiProperty() createdAt!: string;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key to send as `Authorization: Bearer <secret>`. Shown only in this response; only its hash is stored.' })
  secret!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}
