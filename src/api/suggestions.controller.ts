import { BadRequestException, Controller, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { SuggestInputError } from '../suggest/suggest.errors';
import { ProvenSuggestion, Suggestion } from '../suggest/suggestion.types';
import { SuggestionsQuery, SuggestionsService } from '../suggest/suggestions.service';
import { resolveAnalysisWindow, timeLimitMs } from './analysis-window';
import { ApiErrorBody } from './api-error';
import { replayView } from './replay.view';
import { SuggestionDto, SuggestionListDto, SuggestionListItemDto, SuggestionQueryDto, SuggestionsQueryDto } from './suggestions.dto';

function view(s: Suggestion): SuggestionDto {
  return { ...s, replay: replayView({ ...s.replay, truncated: false }) };
}

/** The listing's entry: chosen fields only, so resources and changed flows stay out of it. */
function listItem(s: ProvenSuggestion, self: string): SuggestionListItemDto {
  const r = s.replay;
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    findingId: s.findingId,
    policy: s.policy,
    namespace: s.namespace,
    summary: s.summary,
    placement: s.placement,
    evidence: s.evidence,
    confidence: s.confidence,
    containment: s.containment,
    replay: { flowGroups: r.flowGroups, evaluated: r.evaluated, unchanged: r.unchanged, changed: r.changed, allowToDenyCount: r.allowToDeny.length, denyToAllowCount: r.denyToAllow.length, unreadable: r.unreadable, uncertain: r.uncertain, partial: r.partial },
    safe: s.safe,
    links: { self },
  };
}

/** The detail URL with the listing's window and filters, so it finds the suggestion even once the service no longer holds it. */
function selfLink(id: string, q: SuggestionsQueryDto, query: SuggestionsQuery): string {
  const params = new URLSearchParams({ from: query.window.from.toISOString(), to: query.window.to.toISOString() });
  if (q.namespace !== undefined) params.set('namespace', q.namespace);
  if (q.tier !== undefined) params.set('tier', q.tier);
  if (q.policy !== undefined) params.set('policy', q.policy);
  if (q.kind?.length) params.set('kind', q.kind.join(','));
  if (q.cidrBudget !== undefined) params.set('cidrBudget', String(q.cidrBudget));
  return `/api/v1/suggestions/${encodeURIComponent(id)}?${params.toString()}`;
}

@ApiTags('suggestions')
@Controller('api/v1/suggestions')
export class SuggestionsController {
  constructor(
    private readonly suggestions: SuggestionsService,
    private readonly clock: Clock,
  ) {}

  private query(q: SuggestionsQueryDto): SuggestionsQuery {
    return {
      window: resolveAnalysisWindow(q, this.clock.now()),
      namespace: q.namespace,
      tier: q.tier,
      policy: q.policy,
      suggestionKinds: q.kind,
      cidrBudget: q.cidrBudget ?? 0,
      timeLimitMs: timeLimitMs(q.timeLimitSeconds),
    };
  }

  @Get()
  @ApiOperation({ summary: 'Suggestions over a window (default 7 days): tighter rules for over-broad allows, policies for unprotected workloads; each with its evidence, confidence and replay counts. The resources, their YAML and the flows a replay changes come with GET /api/v1/suggestions/{id} (`links.self`).' })
  @ApiOkResponse({ type: SuggestionListDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async list(@Query() q: SuggestionsQueryDto, @Caller() caller: CallerIdentity): Promise<SuggestionListDto> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    const query = this.query(q);
    const r = await this.run(() => this.suggestions.suggestions(query, caller.namespaces));
    return { from: query.window.from.toISOString(), to: query.window.to.toISOString(), partial: r.partial, items: r.items.map((s) => listItem(s, selfLink(s.id, q, query))) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One suggestion with its staged and enforced resources, as objects and as YAML, and its whole replay proof. With `Accept: application/yaml`, only its YAML (the staged form unless form=enforced).' })
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({ type: SuggestionDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async one(@Param('id') id: string, @Query() q: SuggestionQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response, @Caller() caller: CallerIdentity): Promise<SuggestionDto | string> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    const s = await this.run(() => this.suggestions.suggestion(id, this.query(q), caller.namespaces));
    if (!s) throw new NotFoundException({ message: `no suggestion ${id} for this window`, details: [{ field: 'id', problems: ['no such suggestion'] }] });
    if (accept && /\b(application|text)\/(x-)?yaml\b/.test(accept)) {
      res.type('application/yaml');
      return q.form === 'enforced' ? s.yaml.enforced : s.yaml.staged;
    }
    return view(s);
  }

  private async run<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof SuggestInputError) throw new BadRequestException({ message: err.message, details: [{ field: err.field, problems: err.problems }] });
      throw err;
    }
  }
}
