import { Injectable } from '@nestjs/common';
import { FlowRecord, RecordSource } from '../flows/flow-record';
import { InventoryService } from '../inventory/inventory.service';
import { AttributedFlow } from './attributed-flow';
import { FlowAttributor } from './flow.attributor';

/** Attributes each record against the inventory as it was at the record's start. */
@Injectable()
export class AttributionService {
  private readonly attributor = new FlowAttributor();

  constructor(private readonly inventory: InventoryService) {}

  attribute(record: FlowRecord, source: RecordSource): AttributedFlow {
    return this.attributor.attribute(record, source, this.inventory.snapshotAt(record.startTime));
  }
}
