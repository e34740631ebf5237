import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AttributedFlow } from '../attribution/attributed-flow';
import { AttributionService } from '../attribution/attribution.service';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { FlowRepository } from '../storage/flow.repository';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { FlowEventParser } from './flow-event.parser';
import { MalformedEventError } from './malformed-event.error';

const MAX_MESSAGE_BYTES = 1024 * 1024;
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads flow events from Kafka in a consumer group and stores them. Per batch: parse every message,
 * dead-letter the unreadable ones, insert the rest with a deduplication token made of the batch's
 * coordinates, and only then commit the offsets. A failed insert is retried with backoff while the
 * partition is held (heartbeats keep the membership), so nothing is skipped and memory stays at one
 * batch.
 */
@Injectable()
export class FlowIngestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FlowIngestConsumer.name);
  private readonly parser = new FlowEventParser(MAX_MESSAGE_BYTES);
  private consumer?: Consumer;
  private producer?: Producer;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kafka: KafkaAdapter,
    private readonly flows: FlowRepository,
    private readonly attribution: AttributionService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.ingest.enabled) await this.start();
  }

  async start(): Promise<void> {
    const { topics, groupId } = this.config.kafka;
    await this.kafka.ensureTopics([{ topic: topics.flows }, { topic: topics.deadLetter }]);
    this.producer = this.kafka.producer();
    await this.producer.connect();
    const deadLetters = new DeadLetterPublisher(this.producer, topics.deadLetter);
    this.consumer = this.kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topics.flows, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload, deadLetters),
    });
    this.logger.log(`consuming ${topics.flows} as group ${groupId}`);
  }

  private async handleBatch(payload: EachBatchPayload, deadLetters: DeadLetterPublisher): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    if (batch.messages.length === 0) return;
    const accepted: AttributedFlow[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      try {
        if (!message.value) throw new MalformedEventError('message has no value');
        this.parser.parse(message.value).forEach((record, index) =>
          accepted.push(
            this.attribution.attribute(record, { format: 'flowscope', topic: batch.topic, partition: batch.partition, offset: message.offset, index }),
          ),
        );
      } catch (err) {
        if (!(err instanceof MalformedEventError)) throw err;
        rejected.push({ topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value, reason: err.message });
      }
    }
    const token = `${batch.topic}:${batch.partition}:${batch.firstOffset()}-${batch.lastOffset()}`;
    await this.withRetry(`store ${token}`, isRunning, isStale, heartbeat, async () => {
      await deadLetters.publish(rejected);
      await this.flows.insert(accepted, token);
    });
    resolveOffset(batch.lastOffset());
    await this.consumer!.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
    ]);
  }

  /** Retries until the work succeeds or the batch is no longer ours; then the error goes to kafkajs. */
  private async withRetry(
    what: string,
    isRunning: () => boolean,
    isStale: () => boolean,
    heartbeat: () => Promise<void>,
    work: () => Promise<void>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        if (attempt > 0) this.logger.log(`${what}: succeeded after ${attempt} retries, consumption resumes`);
        return;
      } catch (err) {
        if (!isRunning() || isStale() || !this.running) throw err;
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
        this.logger.warn(`${what} failed (${(err as Error).message}); consumption paused, retry in ${delay} ms`);
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    // disconnect() lets the in-flight batch finish (or abandons it uncommitted), so nothing is lost.
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
