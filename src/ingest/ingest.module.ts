import { Module } from '@nestjs/common';
import { AttributionModule } from '../attribution/attribution.module';
import { FlowIngestConsumer } from './flow-ingest.consumer';

@Module({ imports: [AttributionModule], providers: [FlowIngestConsumer], exports: [FlowIngestConsumer] })
export class IngestModule {}
