import { Body, Controller, ForbiddenException, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { canSeeNamespace, CallerIdentity } from '../auth/caller';
import { ExplainInputError, ExplainService, Explanation } from '../explain/explain.service';
import { ApiErrorBody, fieldError } from './api-error';
import { ExplainRequestDto, ExplanationDto } from './explain.dto';

@ApiTags('explain')
@Controller('api/v1/explain')
export class ExplainController {
  constructor(private readonly explainer: ExplainService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Explain a flow: the verdict, the enforced and pending traces of both sides, and the deciding tier / policy / rule.',
  })
  @ApiOkResponse({ type: ExplanationDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  explain(@Body() body: ExplainRequestDto, @Caller() caller: CallerIdentity): Explanation {
    try {
      const explanation = this.explainer.explain({ ...body, time: body.time ? Date.parse(body.time) : undefined });
      // A namespace-limited key may explain a flow that involves one of its namespaces (as resolved, so an IP counts too).
      if (!canSeeNamespace(caller, explanation.source.namespace) && !canSeeNamespace(caller, explanation.destination.namespace)) {
        throw new ForbiddenException({
          message: 'source, destination: neither is in a namespace this API key may see',
          details: [
            { field: 'source', problems: ['outside the namespaces this API key may see'] },
            { field: 'destination', problems: ['outside the namespaces this API key may see'] },
          ],
        });
      }
      return explanation;
    } catch (err) {
      if (err instanceof ExplainInputError) {
        throw fieldError(err.field, err.message, err.message);
      }
      throw err;
    }
  }
}
