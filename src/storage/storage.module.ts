import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { Clock } from '../clock/clock';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { FlowRepository } from './flow.repository';
import { InventoryRepository } from './inventory.repository';
import { StatsRepository } from './stats.repository';
import { MigrationRunner } from './migration.runner';
import { PartitionIncarnationRepository } from './partition-incarnation.repository';
import { RetentionService } from './retention.service';

/** dist/src/storage -> the package root's migrations/ folder (the same layout in the Docker image). */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'migrations');

/**
 * Storage is usable once connected and migrated. Modules that read at start (the inventory) await
 * ready(), since Nest does not order onModuleInit across global modules.
 */
@Injectable()
export class Storage implements OnModuleInit {
  private started?: Promise<void>;

  constructor(
    private readonly clickhouse: ClickHouseAdapter,
    private readonly migrations: MigrationRunner,
    private readonly retention: RetentionService,
  ) {}

  ready(): Promise<void> {
    this.started ??= (async () => {
      await this.clickhouse.connect();
      await this.migrations.run(MIGRATIONS_DIR);
      await this.retention.apply();
    })();
    return this.started;
  }

  onModuleInit(): Promise<void> {
    return this.ready();
  }
}

@Global()
@Module({
  providers: [Clock, ClickHouseAdapter, MigrationRunner, RetentionService, Storage, FlowRepository, InventoryRepository, StatsRepository, PartitionIncarnationRepository],
  exports: [Clock, ClickHouseAdapter, Storage, FlowRepository, InventoryRepository, StatsRepository, PartitionIncarnationRepository],
})
export class StorageModule {}
