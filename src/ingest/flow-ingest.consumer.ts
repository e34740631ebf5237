import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { AttributedFlow } from '../attribution/attributed-flow';
import { AttributionService } from '../attribution/attribution.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { DecisionMetrics } from '../metrics/decision.metrics';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { FlowRepository } from '../storage/flow.repository';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { InventoryIngestConsumer } from './inventory-ingest.consumer';
import { RecordDecoder } from './formats/record.decoder';
import { MalformedEventError } from './malformed-event.error';
import { StoreRetrier } from './store.retrier';

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
  /** Highest stored offset per partition, read from ClickHouse once per group generation. */
  private readonly stored = new Map<string, bigint>();
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
    private readonly decisions: DecisionMetrics,
  ) {
    this.decoder = new RecordDecoder({ format: config.ingest.format, maxMessageBytes: config.ingest.maxMessageBytes });
    this.retrier = new StoreRetrier(this.logger, metrics);
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
    const consumer = this.kafka.consumer({ groupId, maxBytesPerPartition: 2 * 1024 * 1024, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    // Partitions may have moved: what another member stored must be read again.
    consumer.on(consumer.events.GROUP_JOIN, () => this.stored.clear());
    await consumer.connect();
    await consumer.subscribe({ topic: topics.flows, fromBeginning: true });
    // Batches of different partitions in flight together: one partition's decoding and attribution
    // (JavaScript) overlaps another's insert (the ClickHouse engine's own threads).
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch: (p) => this.handleBatch(p) });
    this.logger.log(`consuming ${topics.flows} (${this.config.ingest.format}) as group ${groupId}`);
  }

  private async storedHighWater(topic: string, partition: number): Promise<bigint> {
    const key = `${topic}:${partition}`;
    let hi = this.stored.get(key);
    if (hi === undefined) {
      hi = await this.flows.storedHighWater(topic, partition);
      this.stored.set(key, hi);
    }
    return hi;
  }

  private async handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return;
    const labels = { topic, partition: String(partition) };
    this.metrics.messages.inc({ topic }, messages.length);
    const alreadyStored = await this.storedHighWater(topic, partition);
    const fresh = messages.filter((m) => BigInt(m.offset) > alreadyStored);
    if (fresh.length < messages.length) this.metrics.skippedReplays.inc(messages.length - fresh.length);

    const { flows, rejected } = this.decode(topic, partition, fresh);
    const token = `${topic}:${partition}:${batch.firstOffset()}-${batch.lastOffset()}`;
    const stillOurs = () => isRunning() && !isStale();
    // Published once, before the insert is tried: a retried insert must not send them again.
    await this.retrier.run(`dead-letter ${token}`, labels, stillOurs, heartbeat, () => this.deadLetters!.publish(rejected));
    await this.retrier.run(`store ${token}`, labels, stillOurs, heartbeat, async () => {
      const started = process.hrtime.bigint();
      await this.flows.insert(flows, token);
      this.metrics.insertSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
    this.metrics.deadLettered.inc({ topic }, rejected.length);
    this.metrics.stored.inc(flows.length);
    this.decisions.recordStored(flows);
    this.metrics.batchSize.observe(flows.length);
    if (flows.length > 0) this.stored.set(`${topic}:${partition}`, BigInt(flows[flows.length - 1].source.offset));

    const last = batch.lastOffset();
    resolveOffset(last);
    await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
    this.metrics.lag.set(labels, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)));
  }

  private decode(topic: string, partition: number, messages: KafkaMessage[]): { flows: AttributedFlow[]; rejected: DeadLetter[] } {
    const flows: AttributedFlow[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of messages) {
      try {
        if (!message.value) throw new MalformedEventError('message has no value');
        const { format, records } = this.decoder.decode(message.value);
        this.metrics.records.inc({ format }, records.length);
        for (let index = 0; index < records.length; index++) {
          const flow = this.attribution.attribute(records[index], { format, topic, partition, offset: message.offset, index });
          if (flow.attribution.unknownEndpoint) this.metrics.unknownEndpoints.inc();
          if (flow.attribution.verdictMismatch) this.metrics.mismatches.inc();
          flows.push(flow);
        }
      } catch (err) {
        if (!(err instanceof MalformedEventError)) throw err;
        rejected.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, reason: err.message });
      }
    }
    return { flows, rejected };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.retrier.stop();
    // disconnect() waits for the in-flight batch: it is stored and committed, or abandoned
    // uncommitted (and redelivered to whoever gets the partition next).
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
