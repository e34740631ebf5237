import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ApiErrorBody } from '../api/api-error';
import { Public } from '../auth/auth.decorators';
import { DependencyHealth } from './health.indicators';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyHealth,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** ClickHouse and Kafka both answer. */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ schema: { example: { status: 'ok', info: { clickhouse: { status: 'up' }, kafka: { status: 'up' } } } } })
  @ApiServiceUnavailableResponse({ type: ApiErrorBody })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.dependencies.clickhouseReady(), () => this.dependencies.kafkaReady()]);
    } catch (err) {
      // Re-shaped into the API's one error body, naming each dependency that is down.
      const result = (err as { response?: HealthCheckResult }).response;
      const down = Object.entries(result?.error ?? {}).map(([name, v]) => ({ field: name, problems: [String((v as { message?: string }).message ?? 'down')] }));
      throw new ServiceUnavailableException({ message: `not ready: ${down.map((d) => `${d.field} ${d.problems[0]}`).join('; ')}`, details: down });
    }
  }
}
