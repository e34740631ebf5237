import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Consumer, ConsumerConfig, Kafka, KafkaConfig, KafkaJSConnectionError, logLevel, LogEntry, Partitioners, Producer, ProducerConfig, SASLOptions } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { untilKafkaReady } from './kafka-retry';

/** How long start-up waits for a broker that answers "not yet" (leaders, coordinator) before it fails. */
export const KAFKA_READY_DEADLINE_MS = 60_000;

/** A "not yet" condition found by looking, shaped like the kafkajs protocol error that says the same. */
class NotYetError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const LEVEL_TO_NEST: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs at ERROR every answer of a broker that is not ready yet: no coordinator while the
 * first consumer group makes a fresh broker create `__consumer_offsets`, no leader for a moment
 * after a topic is created. Both are retried (by kafkajs, or by whenReady() with one line of its
 * own), so they are routine, logged at debug.
 */
function isRoutineWait(entry: LogEntry): boolean {
  const text = `${entry.log.message} ${String((entry.log as { error?: unknown }).error ?? '')}`;
  return /coordinator is not available|coordinator is loading|not the correct coordinator|not the leader for that topic-partition|no leader for this topic-partition|leader not available/i.test(text);
}

/** TLS and SASL options for kafkajs from the configuration (plaintext and anonymous when unset). */
export function connectionSecurity(config: AppConfig): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = config.kafka;
  const ssl = tls === undefined ? undefined : tls.ca === undefined && tls.cert === undefined ? true : { ca: tls.ca, cert: tls.cert, key: tls.key };
  return { ...(ssl !== undefined ? { ssl } : {}), ...(sasl !== undefined ? { sasl: { ...sasl } as SASLOptions } : {}) };
}

/**
 * The single door to Kafka. Owns the kafkajs client, routes its logs through Nest's logger and
 * disconnects everything it handed out on shutdown.
 */
@Injectable()
export class KafkaAdapter implements OnApplicationShutdown {
  private readonly logger = new Logger('kafkajs');
  private readonly startupLogger = new Logger(KafkaAdapter.name);
  private lastRoutineCrash = 0;
  private readonly kafka: Kafka;
  /** For readiness: no retries and a short timeout, so a probe answers in seconds, and quietly. */
  private readonly probe: Kafka;
  private readonly clients: Array<{ disconnect(): Promise<void> }> = [];

  constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      ...connectionSecurity(config),
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        // kafkajs follows a crash with "Restarting the consumer": routine too after a routine crash.
        const routine = isRoutineWait(entry) || (/^Restarting the consumer/.test(message) && Date.now() - this.lastRoutineCrash < 5000);
        if (routine && /^Crash/.test(message)) this.lastRoutineCrash = Date.now();
        const level = routine ? 'debug' : (LEVEL_TO_NEST[entry.level] ?? 'log');
        this.logger[level](`${message} ${JSON.stringify(extra)}`);
      },
    });
    this.probe = new Kafka({ clientId: `${config.kafka.clientId}-probe`, brokers: config.kafka.brokers, ...connectionSecurity(config), logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
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

  /**
   * Creates the topics that are missing (existing topics keep their settings), then waits until
   * every partition of every topic has a leader that answers for its offsets: on a fresh broker the
   * first requests after creation fail with "not the leader" for a moment.
   */
  async ensureTopics(topics: Array<{ topic: string; compacted?: boolean }>): Promise<void> {
    const names = topics.map((t) => t.topic);
    await this.whenReady(`creating topics ${names.join(', ')}`, async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.topic));
        if (missing.length > 0) {
          // Resolves false (no error) when another client created a topic meanwhile.
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((t) => ({
              topic: t.topic,
              numPartitions: this.config.kafka.topicPartitions,
              configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
            })),
          });
        }
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
        const leaderless = metadata.flatMap((t) => t.partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).map((p) => `${t.name}/${p.partitionId}`));
        if (leaderless.length > 0) throw new NotYetError('LEADER_NOT_AVAILABLE', `no leader yet for ${leaderless.join(', ')}`);
        for (const topic of names) await admin.fetchTopicOffsets(topic);
      } finally {
        await admin.disconnect();
      }
    });
  }

  /** Log start and high watermark of each partition of a topic, and the id of the cluster that holds it. */
  async partitionOffsets(topic: string): Promise<{ clusterId: string; partitions: Array<{ partition: number; low: bigint; high: bigint }> }> {
    return this.whenReady(`reading the offsets of ${topic}`, async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const { clusterId } = await describeCluster(admin);
        const offsets = await admin.fetchTopicOffsets(topic);
        return { clusterId, partitions: offsets.map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) })) };
      } finally {
        await admin.disconnect();
      }
    });
  }

  /** Retries `work` while Kafka answers "not yet" (see kafka-retry.ts), up to KAFKA_READY_DEADLINE_MS. */
  whenReady<T>(what: string, work: () => Promise<T>): Promise<T> {
    return untilKafkaReady(what, work, {
      deadlineMs: KAFKA_READY_DEADLINE_MS,
      onWaiting: (reason) => this.startupLogger.log(`${what}: waiting for Kafka to be ready (${reason}); retrying for up to ${KAFKA_READY_DEADLINE_MS / 1000} s`),
    });
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

/**
 * kafkajs's describeCluster fails with a TypeError (its metadata came back null) when the broker
 * drops the connection mid-request; that is a broker going away, so it is reported as the
 * connection error it is and retried like one, rather than crashing the consumer for good.
 */
export async function describeCluster(admin: Admin): ReturnType<Admin['describeCluster']> {
  try {
    return await admin.describeCluster();
  } catch (err) {
    if (err instanceof TypeError) throw new KafkaJSConnectionError(`cluster metadata unavailable (${err.message})`);
    throw err;
  }
}
