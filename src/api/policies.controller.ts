import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PolicyActivityService } from '../activity/policy-activity.service';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { ApiErrorBody, fieldError } from './api-error';
import { PolicyActivityDto, PolicyActivityQuery } from './policy-activity.dto';
import { resolveTimeRange } from './time-range';

const MINUTE_MS = 60_000;
const KEY = /^[A-Za-z]+\/[^/]*\/[^/]+$/;

@ApiTags('stats')
@Controller('api/v1/policies')
export class PoliciesController {
  constructor(
    private readonly activity: PolicyActivityService,
    private readonly clock: Clock,
  ) {}

  @Get(':key/activity')
  @ApiOperation({
    summary:
      'Is this rule used? Hits per rule and direction over a window (staged policies from the pending evaluation, Log rules too), first and last seen, top peers. `key` is the inventory key, URL-encoded (GlobalNetworkPolicy%2F%2Fsecurity.baseline).',
  })
  @ApiOkResponse({ type: PolicyActivityDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async get(@Param('key') key: string, @Query() q: PolicyActivityQuery, @Caller() caller: CallerIdentity): Promise<PolicyActivityDto> {
    if (!KEY.test(key) || key.length > 600) throw fieldError('key', 'an inventory key, Kind/namespace/name (namespace empty for cluster-wide), URL-encoded');
    const namespace = key.split('/')[1];
    if (namespace !== '') assertNamespaceInScope(caller, namespace, 'key');
    const { from, to } = resolveTimeRange(q, this.clock.now());
    const a = await this.activity.of(key, { from, to, scope: caller.namespaces }, q.topPeers ?? 10);
    const range = {
      from: new Date(Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS).toISOString(),
      to: new Date(Math.ceil(to.getTime() / MINUTE_MS) * MINUTE_MS).toISOString(),
      roundedToMinutes: true,
    };
    return { ...a, range };
  }
}
