import { Module } from '@nestjs/common';
import { ExportLogRepository } from '../storage/export-log.repository';
import { FlowExportRepository } from '../storage/flow-export.repository';
import { ExportService } from './export.service';
import { ExportsController } from './exports.controller';

/** Auditors' exports: streamed flows (CSV / NDJSON) and the log of every export. */
@Module({
  controllers: [ExportsController],
  providers: [FlowExportRepository, ExportLogRepository, ExportService],
})
export class ExportModule {}
