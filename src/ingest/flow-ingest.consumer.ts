import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { AttributedFlow } from '../attribution/attributed-flow';
import { AttributionService } from '../attribution/attribution.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { DecisionMetrics } from '../metrics/decision.metrics';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { FlowRecord } from '../flows/flow-record';
import { FlowRepository } from '../storage/flow.repository';
import { PartitionIncarnationRepository } from '../storage/partition-incarnation.repository';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { InventoryIngestConsumer } from './inventory-ingest.consumer';
import { FlowFormat, RecordDecoder } from './formats/record.decoder';
import { MalformedEventError } from './malformed-event.error';
import { batchToken, PartitionIncarnations, PartitionState } from './partition-incarnations';
import { StoreRetrier } from './store.retrier';
import { watchCrashes } from './consumer-crash.watch';

/** The longest a batch waits for the inventory to catch up to its flows' time before it is attributed anyway. */
export const INVENTORY_WAIT_MS = 10_000;

interface DecodedMessage {
  message: KafkaMessage;
  format: FlowFormat;
  records: FlowRecord[];
}

/**
 * Reads flow records from Kafka in a consumer group and stores them enriched and attributed.
 * Per batch: skip what is already stored (a redelivery after a lost commit), decode every message,
 * dead-letter the unreadable ones, insert the rest in one insert whose deduplication token is made
 * of the batch's coordinates, and only then commit the offsets. A failed insert holds the partition
 * and retries with backoff, so nothing is skipped and memory stays at one batch per partition.
 */
@Injectable()
export class FlowIngestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FlowIngestConsumer.name);
  private readonly decoder: RecordDecoder;
  private readonly retrier: StoreRetrier;
  /** Incarnation and highest stored offset per partition, read once per group generation. */
  private readonly stored = new Map<string, PartitionState>();
  private readonly incarnations: PartitionIncarnations;
  private consumer?: Consumer;
  private producer?: Producer;
  private deadLetters?: DeadLetterPublisher;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kafka: KafkaAdapter,
    private readonly flows: FlowRepository,
    private readonly attribution: AttributionService,
    private readonly metrics: IngestMetrics,
    private readonly inventory: InventoryIngestConsumer,
    incarnations: PartitionIncarnationRepository,
    private readonly decisions: DecisionMetrics,
  ) {
    this.decoder = new RecordDecoder({ format: config.ingest.format, maxMessageBytes: config.ingest.maxMessageBytes });
    this.retrier = new StoreRetrier(this.logger, metrics);
    this.incarnations = new PartitionIncarnations(kafka, flows, incarnations, metrics, this.logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.ingest.enabled) await this.start();
  }

  async start(): Promise<void> {
    const { topics, groupId } = this.config.kafka;
    await this.inventory.caughtUp();
    await this.kafka.ensureTopics([{ topic: topics.flows }, { topic: topics.deadLetter }]);
    this.producer = this.kafka.producer();
    await this.producer.connect();
    this.deadLetters = new DeadLetterPublisher(this.producer, topics.deadLetter);
    // The default 8 MB per partition and fetch gives ~7,500 records per batch, so fewer, larger
    // inserts (each insert also runs the views); measured back to back against 2 MB (~2,900
    // records): ~1.3x end to end.
    const consumer = this.kafka.consumer({ groupId, maxBytesPerPartition: this.config.kafka.fetchBytesPerPartition, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    // Partitions may have moved: what another member stored must be read again.
    consumer.on(consumer.events.GROUP_JOIN, () => this.stored.clear());
    watchCrashes(consumer, 'flows', this.metrics, this.logger);
    await consumer.connect();
    await consumer.subscribe({ topic: topics.flows, fromBeginning: true });
    // Batches of different partitions in flight together: one partition's decoding and attribution
    // (JavaScript) overlaps another's insert (the ClickHouse engine's own threads).
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch: (p) => this.handleBatch(p) });
    this.logger.log(`consuming ${topics.flows} (${this.config.ingest.format}) as group ${groupId}`);
  }

  /** The partition's incarnation and what of it is stored; `recheck` looks at Kafka again. */
  private async partitionState(topic: string, partition: number, recheck = false): Promise<PartitionState> {
    const key = `${topic}:${partition}`;
    let state = recheck ? undefined : this.stored.get(key);
    if (state === undefined) {
      state = await this.incarnations.resolve(topic, partition);
      this.stored.set(key, state);
    }
    return state;
  }

  private async handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return;
    const labels = { topic, partition: String(partition) };
    this.metrics.messages.inc({ topic }, messages.length);
    let state = await this.partitionState(topic, partition);
    let fresh = messages.filter((m) => BigInt(m.offset) > state.storedHighWater);
    if (fresh.length < messages.length) {
      // Before anything is skipped as stored, make sure the stored offsets are of this incarnation.
      state = await this.partitionState(topic, partition, true);
      fresh = messages.filter((m) => BigInt(m.offset) > state.storedHighWater);
    }
    if (fresh.length < messages.length) this.metrics.skippedReplays.inc(messages.length - fresh.length);

    const stillOurs = () => isRunning() && !isStale();
    const { decoded, rejected } = this.decode(topic, partition, fresh);
    await this.awaitInventory(decoded, stillOurs, heartbeat);
    // Stopping: kafkajs ignores commits once its runner stops, so a batch stored now would only be
    // skipped as a replay at the next start. Left unstored and uncommitted, it is redelivered.
    if (!stillOurs()) return;
    const flows = this.attribute(topic, partition, decoded);
    const token = batchToken(topic, partition, state.incarnation, batch.firstOffset() ?? '', batch.lastOffset());
    // Published once, before the insert is tried: a retried insert must not send them again.
    const undelivered = [...rejected];
    await this.retrier.run(`dead-letter ${token}`, labels, stillOurs, heartbeat, () => this.deadLetters!.publish(undelivered));
    await this.retrier.run(`store ${token}`, labels, stillOurs, heartbeat, async () => {
      const started = process.hrtime.bigint();
      await this.flows.insert(flows, token, state.incarnation);
      this.metrics.insertSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
    this.metrics.deadLettered.inc({ topic }, rejected.length);
    this.metrics.stored.inc(flows.length);
    this.decisions.recordStored(flows);
    this.metrics.batchSize.observe(flows.length);
    if (flows.length > 0) state.storedHighWater = BigInt(flows[flows.length - 1].source.offset);

    const last = batch.lastOffset();
    resolveOffset(last);
    await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
    this.metrics.lag.set(labels, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)));
  }

  /**
   * Holds the batch until the inventory has caught up to its newest flow, so no flow is attributed
   * against an inventory that is still missing what was valid at its time. Bounded: after
   * INVENTORY_WAIT_MS the batch is attributed anyway (and counted).
   */
  private async awaitInventory(decoded: readonly DecodedMessage[], stillOurs: () => boolean, heartbeat: () => Promise<void>): Promise<void> {
    // The later of a flow's own time and the time its message was written to Kafka: inventory
    // written to the topic before the flows must be applied before them, however far back the
    // flows are dated (a replay of old traffic, or records exported late).
    let newest = Number.NEGATIVE_INFINITY;
    for (const d of decoded) {
      if (d.records.length === 0) continue;
      const written = Number(d.message.timestamp);
      if (Number.isFinite(written) && written > newest) newest = written;
      for (const r of d.records) if (r.startTime > newest) newest = r.startTime;
    }
    if (newest === Number.NEGATIVE_INFINITY) return;
    const started = Date.now();
    // A dataplane clock further ahead than the bound can never be waited out: holding every such
    // batch for the whole bound would only slow ingest. Those flows are attributed against the
    // inventory as of now, which is all anyone can know of their time yet.
    if (newest > started + INVENTORY_WAIT_MS) {
      this.metrics.futureDatedBatches.inc();
      newest = started;
    }
    let waited = false;
    for (;;) {
      const left = INVENTORY_WAIT_MS - (Date.now() - started);
      // Slices of a second, with a heartbeat between them, keep the group membership alive.
      if (await this.inventory.caughtUpTo(newest, Math.max(0, Math.min(1000, left)), stillOurs)) break;
      waited = true;
      if (!stillOurs()) return; // stopping or rebalanced: the batch is not stored by this member
      if (Date.now() - started >= INVENTORY_WAIT_MS) {
        this.metrics.inventoryWaitTimeouts.inc();
        this.logger.warn(`inventory not caught up to ${new Date(newest).toISOString()} after ${INVENTORY_WAIT_MS} ms; attributing the batch anyway`);
        break;
      }
      await heartbeat().catch(() => undefined);
    }
    const seconds = (Date.now() - started) / 1000;
    if (waited || seconds > 0.001) {
      this.metrics.inventoryWaits.inc();
      this.metrics.inventoryWaitSeconds.observe(seconds);
    }
  }

  private decode(topic: string, partition: number, messages: KafkaMessage[]): { decoded: DecodedMessage[]; rejected: DeadLetter[] } {
    const decoded: DecodedMessage[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of messages) {
      try {
        if (!message.value) throw new MalformedEventError('message has no value');
        const { format, records } = this.decoder.decode(message.value);
        this.metrics.records.inc({ format }, records.length);
        decoded.push({ message, format, records });
      } catch (err) {
        if (!(err instanceof MalformedEventError)) throw err;
        rejected.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, reason: err.message });
      }
    }
    return { decoded, rejected };
  }

  private attribute(topic: string, partition: number, decoded: readonly DecodedMessage[]): AttributedFlow[] {
    const flows: AttributedFlow[] = [];
    for (const { message, format, records } of decoded) {
      for (let index = 0; index < records.length; index++) {
        const flow = this.attribution.attribute(records[index], { format, topic, partition, offset: message.offset, index });
        if (flow.attribution.unknownEndpoint) this.metrics.unknownEndpoints.inc();
        if (flow.attribution.verdictMismatch) this.metrics.mismatches.inc();
        flows.push(flow);
      }
    }
    return flows;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.retrier.stop();
    // disconnect() waits for the in-flight batch: it is stored and committed, or abandoned
    // uncommitted (and redelivered to whoever gets the partition next).
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
