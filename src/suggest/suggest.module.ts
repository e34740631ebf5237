import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { SuggestRepository } from '../storage/suggest.repository';
import { FindingsService } from './findings.service';
import { SimulateService } from './simulate.service';
import { SuggestionsService } from './suggestions.service';

@Module({ imports: [InventoryModule], providers: [SuggestRepository, SimulateService, FindingsService, SuggestionsService], exports: [SimulateService, FindingsService, SuggestionsService] })
export class SuggestModule {}
