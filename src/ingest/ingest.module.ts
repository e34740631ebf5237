import { Module } from '@nestjs/common';
import { AttributionModule } from '../attribution/attribution.module';
import { InventoryModule } from '../inventory/inventory.module';
import { FlowIngestConsumer } from './flow-ingest.consumer';
import { InventoryIngestConsumer } from './inventory-ingest.consumer';

@Module({ imports: [AttributionModule, InventoryModule], providers: [InventoryIngestConsumer, FlowIngestConsumer], exports: [FlowIngestConsumer] })
export class IngestModule {}
