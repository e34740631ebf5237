import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { Clock } from '../clock/clock';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { FlowRepository } from './flow.repository';
import { MigrationRunner } from './migration.runner';

/** dist/src/storage -> the package root's migrations/ folder (the same layout in the Docker image). */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'migrations');

/** Storage is usable once connected and migrated; every other module starts after this. */
@Injectable()
class StorageInitializer implements OnModuleInit {
  constructor(
    private readonly clickhouse: ClickHouseAdapter,
    private readonly migrations: MigrationRunner,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.clickhouse.connect();
    await this.migrations.run(MIGRATIONS_DIR);
  }
}

@Global()
@Module({
  providers: [Clock, ClickHouseAdapter, MigrationRunner, StorageInitializer, FlowRepository],
  exports: [Clock, ClickHouseAdapter, FlowRepository],
})
export class StorageModule {}
