import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { SimulateService } from '../suggest/simulate.service';
import { SuggestInputError } from '../suggest/suggest.errors';
import { resolveAnalysisWindow, timeLimitMs } from './analysis-window';
import { ApiErrorBody, fieldError } from './api-error';
import { replayView } from './replay.view';
import { SimulateRequestDto, SimulateResultDto } from './simulate.dto';

@ApiTags('suggestions')
@Controller('api/v1/simulate')
export class SimulateController {
  constructor(
    private readonly simulator: SimulateService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay the stored flows of a window under a candidate change (resources added, changed or deleted), each against the inventory as of its own time; the verdict changes per flow group.',
  })
  @ApiOkResponse({ type: SimulateResultDto })
  @ApiBadRequestResponse({ type: ApiErrorBody, description: 'An invalid resource (named with its field path) or an unknown deletion.' })
  async simulate(@Body() body: SimulateRequestDto, @Caller() caller: CallerIdentity): Promise<SimulateResultDto> {
    assertNamespaceInScope(caller, body.namespace, 'namespace');
    const window = resolveAnalysisWindow(body, this.clock.now());
    if (body.manifests !== undefined && typeof body.manifests !== 'string' && !Array.isArray(body.manifests)) {
      throw fieldError('manifests', 'give YAML text or an array of manifest objects');
    }
    try {
      const r = await this.simulator.simulate({
        window,
        manifests: body.manifests,
        deletions: body.deletions,
        namespace: body.namespace,
        timeLimitMs: timeLimitMs(body.timeLimitSeconds),
      }, caller.namespaces);
      return { from: window.from.toISOString(), to: window.to.toISOString(), ...replayView(r), candidate: r.candidate };
    } catch (err) {
      if (err instanceof SuggestInputError) throw new BadRequestException({ message: err.message, details: [{ field: err.field, problems: err.problems }] });
      throw err;
    }
  }
}
