import { Module } from '@nestjs/common';
import { PolicyActivityService } from '../activity/policy-activity.service';
import { PolicyActivityRepository } from '../storage/policy-activity.repository';
import { APP_FILTER } from '@nestjs/core';
import { ExplainModule } from '../explain/explain.module';
import { InventoryModule } from '../inventory/inventory.module';
import { ExplainController } from './explain.controller';
import { FlowsController } from './flows.controller';
import { HttpExceptionFilter } from './http-exception.filter';
import { InventoryController } from './inventory.controller';
import { FindingsController } from './findings.controller';
import { SimulateController } from './simulate.controller';
import { SuggestionsController } from './suggestions.controller';
import { PoliciesController } from './policies.controller';
import { StatsController } from './stats.controller';
import { SuggestModule } from '../suggest/suggest.module';

@Module({
  imports: [InventoryModule, ExplainModule, SuggestModule],
  controllers: [FlowsController, InventoryController, ExplainController, StatsController, PoliciesController, SimulateController, FindingsController, SuggestionsController],
  providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }, PolicyActivityRepository, PolicyActivityService],
})
export class ApiModule {}
