import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { ExplainService } from './explain.service';

@Module({ imports: [InventoryModule], providers: [ExplainService], exports: [ExplainService] })
export class ExplainModule {}
