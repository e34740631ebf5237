import { CompressionTypes, Kafka, logLevel, Producer } from 'kafkajs';
import { SimMessage } from './message.stream';

export interface SinkOptions {
  brokers: string[];
  flowsTopic: string;
  inventoryTopic: string;
  acks: -1 | 1;
  compression: 'none' | 'gzip';
  /** Partitions for topics the sink creates. */
  partitions: number;
}

/** Room for the oversized-message injection (1 MiB + a bit) and for big NDJSON batches. */
const FLOWS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * Batches many messages per produce request: kafkajs spends most of its time per request, not
 * per message, so one `sendBatch` per few thousand messages is what makes 100k events/s possible.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private readonly compression: CompressionTypes;

  constructor(readonly options: SinkOptions) {
    this.kafka = new Kafka({ clientId: 'flowscope-simulator', brokers: options.brokers, logLevel: logLevel.ERROR, retry: { retries: 5 } });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async connect(): Promise<void> {
    await this.ensureTopics();
    this.producer = this.kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 8 });
    await this.producer.connect();
  }

  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const topics = [
        { topic: this.options.flowsTopic, configEntries: [{ name: 'max.message.bytes', value: String(FLOWS_MAX_MESSAGE_BYTES) }] },
        { topic: this.options.inventoryTopic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ].filter((t) => !existing.has(t.topic));
      if (topics.length) {
        await admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ ...t, numPartitions: this.options.partitions })) });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async send(messages: readonly SimMessage[]): Promise<void> {
    if (!this.producer) throw new Error('KafkaSink.send before connect');
    const flows: Array<{ key: string; value: string | null }> = [];
    const inventory: Array<{ key: string; value: string | null }> = [];
    for (const m of messages) (m.topic === 'flows' ? flows : inventory).push({ key: m.key, value: m.value });
    // Inventory first: a consumer that reads both topics must be able to see the pod before its traffic.
    if (inventory.length) await this.producer.send({ topic: this.options.inventoryTopic, messages: inventory, acks: this.options.acks, compression: this.compression });
    if (flows.length) await this.producer.send({ topic: this.options.flowsTopic, messages: flows, acks: this.options.acks, compression: this.compression });
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
