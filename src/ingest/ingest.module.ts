import { Module } from '@nestjs/common';
import { FlowIngestConsumer } from './flow-ingest.consumer';

@Module({ providers: [FlowIngestConsumer], exports: [FlowIngestConsumer] })
export class IngestModule {}
