import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  explain(@Body() body: ExplainRequestDto): Explanation {
    try {
      return this.explainer.explain({ ...body, time: body.time ? Date.parse(body.time) : undefined });
    } catch (err) {
      if (err instanceof ExplainInputError) {
        throw fieldError(err.field, err.message, err.message);
      }
      throw err;
    }
  }
}
