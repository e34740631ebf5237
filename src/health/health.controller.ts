import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { ApiErrorBody } from '../api/api-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Public } from '../auth/auth.decorators';
import { DependencyHealth } from './health.indicators';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyHealth,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * What the running mode needs answers: ClickHouse always, Kafka, writable storage and running
   * consumers only when ingest is on (an API-only instance never talks to Kafka nor writes flows, so neither must fail
   * its probe).
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ schema: { example: { status: 'ok', info: { clickhouse: { status: 'up' }, kafka: { status: 'up' }, storage: { status: 'up' }, ingest: { status: 'up' } } } } })
  @ApiServiceUnavailableResponse({ type: ApiErrorBody })
  async ready(): Promise<HealthCheckResult> {
    try {
      const checks: HealthIndicatorFunction[] = [() => this.dependencies.clickhouseReady()];
      if (this.config.ingest.enabled) checks.push(() => this.dependencies.kafkaReady(), () => this.dependencies.storageWritable(), () => this.dependencies.consuming());
      return await this.health.check(checks);
    } catch (err) {
      // Re-shaped into the API's one error body, naming each dependency that is down.
      const result = (err as { response?: HealthCheckResult }).response;
      const down = Object.entries(result?.error ?? {}).map(([name, v]) => ({ field: name, problems: [String((v as { message?: string }).message ?? 'down')] }));
      throw new ServiceUnavailableException({ message: `not ready: ${down.map((d) => `${d.field} ${d.problems[0]}`).join('; ')}`, details: down });
    }
  }
}
