import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { SuggestRepository } from '../storage/suggest.repository';
import { SimulateService } from './simulate.service';

@Module({ imports: [InventoryModule], providers: [SuggestRepository, SimulateService], exports: [SimulateService] })
export class SuggestModule {}
