import { Global, Module } from '@nestjs/common';
import { DecisionMetrics } from './decision.metrics';
import { IngestMetrics } from './ingest.metrics';
import { MetricsController } from './metrics.controller';

@Global()
@Module({ providers: [IngestMetrics, DecisionMetrics], controllers: [MetricsController], exports: [IngestMetrics, DecisionMetrics] })
export class MetricsModule {}
