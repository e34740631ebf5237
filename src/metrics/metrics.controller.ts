import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AllNamespaces } from '../auth/auth.decorators';
import { IngestMetrics } from './ingest.metrics';

@ApiTags('health')
@AllNamespaces()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IngestMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text exposition format.' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
