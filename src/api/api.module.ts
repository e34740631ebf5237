import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InventoryModule } from '../inventory/inventory.module';
import { FlowsController } from './flows.controller';
import { HttpExceptionFilter } from './http-exception.filter';
import { InventoryController } from './inventory.controller';

@Module({
  imports: [InventoryModule],
  controllers: [FlowsController, InventoryController],
  providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
})
export class ApiModule {}
