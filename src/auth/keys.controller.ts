import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorBody } from '../api/api-error';
import { ApiKeyService } from './api-key.service';
import { AllNamespaces, Roles } from './auth.decorators';
import { ApiKeyListDto, CreatedApiKeyDto, CreateKeyDto } from './keys.dto';

/** Key management: admin keys without a namespace limit only (a limited admin could otherwise widen its own reach). */
@ApiTags('keys')
@ApiBearerAuth()
@Roles('admin')
@AllNamespaces()
@Controller('api/v1/keys')
export class KeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key. The secret is in this response only.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@Body() body: CreateKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'The live API keys (never their secrets).' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async revoke(@Param('id') id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
