import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { AttributionService } from './attribution.service';

@Module({ imports: [InventoryModule], providers: [AttributionService], exports: [AttributionService] })
export class AttributionModule {}
