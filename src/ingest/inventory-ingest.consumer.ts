import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { InventoryRejectedError } from '../inventory/inventory.errors';
import { InventoryService, PreparedChange } from '../inventory/inventory.service';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { watchCrashes } from './consumer-crash.watch';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { ManifestParseError, splitManifest } from '../policy';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { StoreRetrier } from './store.retrier';

const CATCH_UP_TIMEOUT_MS = 60_000;
/** Pause between looks at the consumer's position while a caught-up check waits for it. */
const POSITION_POLL_MS = 20;
/** How long one caught-up check waits for the consumer's position before it is abandoned. */
const CATCH_UP_LOOK_MS = 30_000;
const VALID_FROM_HEADER = 'flowscope-valid-from';

/**
 * Reads the compacted inventory topic (key `kind/namespace/name`, value a manifest, null value =
 * deletion) into the inventory history. Every flowscope instance needs the whole inventory in
 * memory, so each reads every partition from the beginning in a group of its own (nothing is
 * committed); versions it already has are recognised and not stored again. A version is valid from
 * the message's timestamp, or from the `flowscope-valid-from` header when the producer knows better.
 */
@Injectable()
export class InventoryIngestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InventoryIngestConsumer.name);
  private readonly retrier: StoreRetrier;
  private consumer?: Consumer;
  private producer?: Producer;
  private deadLetters?: DeadLetterPublisher;
  private markCaughtUp!: () => void;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.markCaughtUp = resolve));
  /** Offsets still to reach per partition before the backlog present at start is applied. */
  private readonly backlog = new Map<number, bigint>();
  /** Per partition, the offset after the last message applied to the inventory (the consumer's position). */
  private readonly applied = new Map<number, bigint>();
  /**
   * The inventory's high-water time (epoch ms): every inventory message written to the topic before
   * this instant is applied. Moves forward only through catchUp().
   */
  private highWaterTime = Number.NEGATIVE_INFINITY;
  private inFlightCatchUp?: Promise<void>;
  private stopping = false;
  private clusterId = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kafka: KafkaAdapter,
    private readonly inventory: InventoryService,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
  ) {
    this.retrier = new StoreRetrier(this.logger, metrics);
  }

  /**
   * Waits until the inventory has caught up to `time` (epoch ms): until every inventory message
   * written to the topic before an instant at or after `time` is applied. Gives up after `maxWaitMs`
   * (or when `stillWaiting()` turns false) and then resolves false. Inventory applied through the
   * API needs no waiting: it is in the inventory before the API answers.
   */
  async caughtUpTo(time: number, maxWaitMs: number, stillWaiting: () => boolean = () => true): Promise<boolean> {
    if (!this.config.ingest.enabled || time <= this.highWaterTime) return true;
    const deadline = Date.now() + maxWaitMs;
    while (stillWaiting()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      this.inFlightCatchUp ??= this.catchUp().finally(() => (this.inFlightCatchUp = undefined));
      const settled = await within(this.inFlightCatchUp, left);
      if (time <= this.highWaterTime) return true;
      // A flow from the future (a clock ahead of ours) waits until our clock passes its time; a
      // failed look is tried again a little later.
      const pause = settled ? Math.max(0, time - this.clock.now().getTime()) : POSITION_POLL_MS * 10;
      await sleep(Math.min(pause, POSITION_POLL_MS * 10, Math.max(0, deadline - Date.now())));
    }
    return time <= this.highWaterTime;
  }

  /** Notes the instant, reads the topic's high watermarks, and waits until the consumer has applied up to them. */
  private async catchUp(): Promise<void> {
    const observedAt = this.clock.now().getTime();
    const { partitions } = await this.kafka.partitionOffsets(this.config.kafka.topics.inventory);
    const behind = () => partitions.some((p) => p.high > p.low && (this.applied.get(p.partition) ?? p.low) < p.high);
    const giveUp = Date.now() + CATCH_UP_LOOK_MS;
    while (behind()) {
      // A consumer stuck behind (storage down) must not keep this look alive: the next one starts afresh.
      if (this.stopping || Date.now() > giveUp) throw new Error('the inventory consumer did not reach the high watermarks in time');
      await sleep(POSITION_POLL_MS);
    }
    this.highWaterTime = Math.max(this.highWaterTime, observedAt);
  }

  /**
   * Resolves once the inventory that was on the topic at start is applied (or after a timeout), so
   * flows are not attributed against an inventory that is still loading.
   */
  caughtUp(): Promise<void> {
    return Promise.race([this.caughtUpPromise, new Promise<void>((r) => setTimeout(r, CATCH_UP_TIMEOUT_MS).unref())]);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ingest.enabled) {
      this.markCaughtUp();
      return;
    }
    const { topics, groupId } = this.config.kafka;
    await this.kafka.ensureTopics([{ topic: topics.inventory, compacted: true }, { topic: topics.deadLetter }]);
    const started = await this.kafka.partitionOffsets(topics.inventory);
    this.clusterId = started.clusterId;
    for (const p of started.partitions) if (p.high > p.low) this.backlog.set(p.partition, p.high);
    if (this.backlog.size === 0) this.markCaughtUp();

    this.producer = this.kafka.producer();
    await this.producer.connect();
    this.deadLetters = new DeadLetterPublisher(this.producer, topics.deadLetter);
    this.consumer = this.kafka.consumer({ groupId: `${groupId}.inventory.${randomUUID()}`, maxWaitTimeInMs: 500 });
    // After the batch is applied, or for a batch of control records only (never handed to eachBatch).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = BigInt(payload.lastOffset) + 1n;
      if (next > (this.applied.get(payload.partition) ?? -1n)) this.applied.set(payload.partition, next);
    });
    watchCrashes(this.consumer, 'inventory', this.metrics, this.logger);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topics.inventory, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (p) => this.handleBatch(p) });
    this.logger.log(`reading inventory from ${topics.inventory}`);
  }

  private async handleBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const changes: PreparedChange[] = [];
    const rejected: DeadLetter[] = [];
    // Versions prepared in this batch, by message key: a deletion may follow its creation here.
    const batchLive = new Map<string, PreparedChange>();
    for (const m of batch.messages) {
      const reject = (reason: string) => rejected.push({ topic, partition, offset: m.offset, key: m.key, value: m.value, reason });
      const header = m.headers?.[VALID_FROM_HEADER]?.toString();
      const validFrom = header ? (/^\d+$/.test(header) ? Number(header) : Date.parse(header)) : Number(m.timestamp);
      if (!Number.isFinite(validFrom)) {
        reject(`${VALID_FROM_HEADER}: ${JSON.stringify(header)} is not an RFC 3339 time or epoch milliseconds`);
        continue;
      }
      if (!m.value) {
        const [kind, namespace, ...rest] = (m.key?.toString() ?? '').split('/');
        if (!kind || rest.length === 0) {
          reject('a deletion (null value) needs the key kind/namespace/name');
          continue;
        }
        const pending = batchLive.get(m.key!.toString());
        const del = pending
          ? { version: { ...pending.version, validFrom, deleted: true, manifest: undefined } }
          : this.inventory.prepareDelete(kind, namespace, rest.join('/'), validFrom, 'kafka');
        batchLive.delete(m.key!.toString());
        if (del && !this.inventory.timeline.hasVersion(del.version.key, validFrom, true)) changes.push(del);
        continue;
      }
      let items: unknown[];
      try {
        items = splitManifest(m.value.toString('utf8'));
      } catch (err) {
        if (!(err instanceof ManifestParseError)) throw err;
        reject(err.message);
        continue;
      }
      const prepared = this.inventory.prepare(items, validFrom, 'kafka');
      if (prepared.problems.length > 0) {
        reject(new InventoryRejectedError(prepared.problems).message);
        continue;
      }
      // The topic is re-read from the beginning at every start: what is already known stays as is.
      changes.push(...prepared.changes.filter((c) => !this.inventory.timeline.hasVersion(c.version.key, validFrom, false)));
      if (m.key && prepared.changes.length === 1) batchLive.set(m.key.toString(), prepared.changes[0]);
    }
    // The cluster id and the first message's time tell this batch from one at the same offsets of an
    // earlier incarnation of the topic, which the store would otherwise drop as a duplicate.
    const token = `${topic}:${partition}:${batch.firstOffset()}-${batch.lastOffset()}@${this.clusterId}:${batch.messages[0]?.timestamp ?? ''}`;
    const labels = { topic, partition: String(partition) };
    const stillOurs = () => isRunning() && !isStale();
    // Published once, before the changes are stored: a retried store must not send them again.
    const undelivered = [...rejected];
    await this.retrier.run(`dead-letter ${token}`, labels, stillOurs, heartbeat, () => this.deadLetters!.publish(undelivered));
    await this.retrier.run(`inventory ${token}`, labels, stillOurs, heartbeat, () => this.inventory.commit(changes, token));
    this.metrics.deadLettered.inc({ topic }, rejected.length);
    const target = this.backlog.get(partition);
    if (target !== undefined && BigInt(batch.lastOffset()) + 1n >= target) {
      this.backlog.delete(partition);
      if (this.backlog.size === 0) {
        this.logger.log('inventory backlog applied');
        this.markCaughtUp();
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.retrier.stop();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}

/** True if the promise settled successfully within `ms`; the timer does not outlive the answer. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
