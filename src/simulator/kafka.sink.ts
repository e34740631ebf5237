import { CompressionTypes, Kafka, logLevel, Message, Producer } from 'kafkajs';
import { untilKafkaReady } from '../kafka/kafka-retry';
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
 * Bytes of keys and values per produce request. A broker refuses a record batch (one per partition
 * per request) over its `message.max.bytes`, 1 MiB by default, which also applies to topics
 * flowscope created; half of it leaves room for the records' own overhead whatever the partitioning.
 */
export const REQUEST_BYTES = 512 * 1024;
/** Per-record overhead of the record format (lengths, offsets, timestamps), roughly. */
const RECORD_OVERHEAD_BYTES = 32;
/** How long the sink retries a broker that answers "not yet" (a fresh broker electing leaders). */
const READY_DEADLINE_MS = 60_000;

/**
 * Cuts messages, in order, into produce requests of at most `limit` bytes. A message bigger than
 * the limit on its own travels alone (the broker decides whether it takes it).
 */
export function chunkByBytes<T extends { key: string; value: string | null }>(messages: readonly T[], limit = REQUEST_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.key) + (m.value === null ? 0 : Buffer.byteLength(m.value)) + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Batches many messages per send: kafkajs spends most of its time per request, not per message.
 * Requests are cut by bytes (REQUEST_BYTES), not by message count, so any batch and message size
 * stays within the broker's limits.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private readonly compression: CompressionTypes;

  constructor(readonly options: SinkOptions) {
    this.kafka = new Kafka({ clientId: 'flowscope-simulator', brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async connect(): Promise<void> {
    await this.whenReady('creating the topics', () => this.ensureTopics());
    this.producer = this.kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 8 });
    await this.whenReady('connecting the producer', () => this.producer!.connect());
  }

  private whenReady<T>(what: string, work: () => Promise<T>): Promise<T> {
    return untilKafkaReady(what, work, { deadlineMs: READY_DEADLINE_MS, onWaiting: (reason) => process.stderr.write(`simulator: ${what}: waiting for Kafka (${reason})\n`) });
  }

  /** Creates the missing topics, then waits until every partition has a leader that answers. */
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
      for (const topic of [this.options.flowsTopic, this.options.inventoryTopic]) await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
  }

  async send(messages: readonly SimMessage[]): Promise<void> {
    if (!this.producer) throw new Error('KafkaSink.send before connect');
    const flows: Message[] & Array<{ key: string; value: string | null }> = [];
    const inventory: Message[] & Array<{ key: string; value: string | null }> = [];
    for (const m of messages) (m.topic === 'flows' ? flows : inventory).push({ key: m.key, value: m.value });
    // Inventory first: a consumer that reads both topics must be able to see the pod before its traffic.
    await this.sendAll(this.options.inventoryTopic, inventory);
    await this.sendAll(this.options.flowsTopic, flows);
  }

  private async sendAll(topic: string, messages: Array<{ key: string; value: string | null }>): Promise<void> {
    for (const chunk of chunkByBytes(messages)) {
      await this.whenReady(`producing to ${topic}`, () => this.producer!.send({ topic, messages: chunk, acks: this.options.acks, compression: this.compression }));
    }
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
