import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Consumer, ConsumerConfig, Kafka, logLevel, LogEntry, Partitioners, Producer, ProducerConfig } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

const LEVEL_TO_NEST: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The single door to Kafka. Owns the kafkajs client, routes its logs through Nest's logger and
 * disconnects everything it handed out on shutdown.
 */
@Injectable()
export class KafkaAdapter implements OnApplicationShutdown {
  private readonly logger = new Logger('kafkajs');
  private readonly kafka: Kafka;
  /** For readiness: no retries and a short timeout, so a probe answers in seconds, and quietly. */
  private readonly probe: Kafka;
  private readonly clients: Array<{ disconnect(): Promise<void> }> = [];

  constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        this.logger[LEVEL_TO_NEST[entry.level] ?? 'log'](`${message} ${JSON.stringify(extra)}`);
      },
    });
    this.probe = new Kafka({ clientId: `${config.kafka.clientId}-probe`, brokers: config.kafka.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
  }

  consumer(config: ConsumerConfig): Consumer {
    return this.track(this.kafka.consumer(config));
  }

  producer(config?: ProducerConfig): Producer {
    // The murmur2 partitioner is what the Java client uses, so keys land where other producers put them.
    return this.track(this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config }));
  }

  admin(): Admin {
    return this.track(this.kafka.admin());
  }

  /** Creates the topics that are missing; existing topics keep their settings. */
  async ensureTopics(topics: Array<{ topic: string; compacted?: boolean }>): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: this.config.kafka.topicPartitions,
          configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** True when a broker answers a metadata request. */
  async isReachable(): Promise<boolean> {
    const admin = this.probe.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private track<T extends { disconnect(): Promise<void> }>(client: T): T {
    this.clients.push(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.clients.splice(0).map((c) => c.disconnect()));
  }
}
