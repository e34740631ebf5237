import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllNamespaces, Caller, Roles } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { InventoryNotFoundError, InventoryRejectedError } from '../inventory/inventory.errors';
import { InventoryService } from '../inventory/inventory.service';
import { ApiErrorBody, fieldError } from './api-error';
import { MODEL_KINDS } from '../policy/model';
import { ApplyResultDto, InventoryListDto, InventoryListQuery, InventoryWriteQuery } from './inventory.dto';

function asHttpError(err: unknown): unknown {
  if (err instanceof InventoryRejectedError) {
    return new BadRequestException({
      message: err.message,
      details: err.problems.map((p) => ({ field: p.path ? `${p.resource}: ${p.path}` : p.resource, problems: [p.message] })),
    });
  }
  if (err instanceof InventoryNotFoundError) return new NotFoundException({ message: err.message, details: [{ field: 'name', problems: [err.message] }] });
  return err;
}

@ApiTags('inventory')
@Controller('api/v1/inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Post()
  @Roles('admin')
  @AllNamespaces()
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply resources: YAML (multi-document) or JSON (object, array or List). All or nothing.' })
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({ schema: { type: 'string', example: 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n' } })
  @ApiOkResponse({ type: ApplyResultDto })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'A resource is invalid: each problem names the resource and the field path.' })
  async apply(@Body() body: unknown, @Query() q: InventoryWriteQuery): Promise<ApplyResultDto> {
    if (typeof body !== 'string' && (typeof body !== 'object' || body === null)) {
      throw fieldError('body', 'send manifests as application/yaml or application/json');
    }
    const manifests = typeof body === 'string' ? body : Array.isArray(body) ? body : [body];
    try {
      return await this.inventory.apply(manifests, { source: 'api', validFrom: q.validFrom ? Date.parse(q.validFrom) : undefined });
    } catch (err) {
      throw asHttpError(err);
    }
  }

  @Delete(':kind/:name')
  @Roles('admin')
  @AllNamespaces()
  @ApiOperation({ summary: 'Delete a cluster-scoped resource.' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async deleteClusterScoped(@Param('kind') kind: string, @Param('name') name: string, @Query() q: InventoryWriteQuery) {
    return this.remove(kind, '', name, q);
  }

  @Delete(':kind/:namespace/:name')
  @Roles('admin')
  @AllNamespaces()
  @ApiOperation({ summary: 'Delete a namespaced resource (by the model key, e.g. tier.name, or the manifest name).' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async deleteNamespaced(@Param('kind') kind: string, @Param('namespace') namespace: string, @Param('name') name: string, @Query() q: InventoryWriteQuery) {
    return this.remove(kind, namespace, name, q);
  }

  @Get()
  @ApiOperation({ summary: 'The current inventory. A namespace-limited API key sees only the namespaced resources of its namespaces.' })
  @ApiOkResponse({ type: InventoryListDto })
  list(@Query() q: InventoryListQuery, @Caller() caller: CallerIdentity): InventoryListDto {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    return {
      items: this.inventory.list({ ...q, scope: caller.namespaces }).map((v) => ({ key: v.key, kind: v.kind, namespace: v.namespace, name: v.name, validFrom: new Date(v.validFrom).toISOString(), source: v.source, manifest: v.manifest })),
    };
  }

  private async remove(kind: string, namespace: string, name: string, q: InventoryWriteQuery) {
    if (!MODEL_KINDS.includes(kind)) {
      const near = MODEL_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
      throw fieldError('kind', `unknown kind ${JSON.stringify(kind)}${near ? ` (kinds are case-sensitive: did you mean ${near}?)` : ''}; one of ${MODEL_KINDS.join(', ')}`);
    }
    try {
      const t = await this.inventory.delete(kind, namespace, name, { source: 'api', validFrom: q.validFrom ? Date.parse(q.validFrom) : undefined });
      return { deleted: { key: t.key, kind: t.kind, namespace: t.namespace, name: t.name, validFrom: new Date(t.validFrom).toISOString() } };
    } catch (err) {
      throw asHttpError(err);
    }
  }
}
