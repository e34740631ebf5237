import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ExportModule } from './export/export.module';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { KafkaModule } from './kafka/kafka.module';
import { MetricsModule } from './metrics/metrics.module';
import { StorageModule } from './storage/storage.module';

/** The pipeline, in the order data flows: Kafka in, store, serve. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), MetricsModule, KafkaModule, StorageModule, IngestModule, AuthModule.forRoot(config), ApiModule, ExportModule, HealthModule],
    };
  }
}
