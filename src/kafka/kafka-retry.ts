/**
 * Kafka errors that only say "not yet": a fresh broker electing leaders for topics it just
 * created, creating `__consumer_offsets`, or not listening yet. Anything else is a real failure.
 */
const NOT_YET_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'PREFERRED_LEADER_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS',
]);
const NOT_YET_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/** True when the error (or one it wraps) is one a fresh or restarting cluster gives before it is ready. */
export function isNotYetKafkaError(err: unknown): boolean {
  for (let e = err as { type?: unknown; name?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && NOT_YET_TYPES.has(e.type)) return true;
    if (typeof e.name === 'string' && NOT_YET_NAMES.has(e.name)) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

export interface KafkaWaitOptions {
  /** Give up (throw) after this long. */
  deadlineMs: number;
  /** Called once, the first time the work has to be retried. */
  onWaiting: (reason: string) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `work` until it succeeds, retrying with exponential backoff while it fails with a "not yet"
 * error and the deadline has not passed. Other errors, and the last one at the deadline, are thrown
 * with `what` and the deadline in the message.
 */
export async function untilKafkaReady<T>(what: string, work: () => Promise<T>, opts: KafkaWaitOptions): Promise<T> {
  const started = Date.now();
  const base = opts.baseDelayMs ?? 100;
  const max = opts.maxDelayMs ?? 2000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const message = (err as Error).message;
      if (!isNotYetKafkaError(err)) throw err;
      const waited = Date.now() - started;
      if (waited >= opts.deadlineMs) {
        throw new Error(`${what}: Kafka was still not ready after ${Math.round(opts.deadlineMs / 1000)} s (last error: ${message})`, { cause: err });
      }
      if (attempt === 0) opts.onWaiting(message);
      const delay = Math.min(max, base * 2 ** attempt, Math.max(0, opts.deadlineMs - waited));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
