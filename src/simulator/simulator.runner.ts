import { generateCluster } from './cluster.generator';
import { CliOptions } from './cli.options';
import { KafkaSink } from './kafka.sink';
import { MessageStream, SimMessage } from './message.stream';
import { TrafficGenerator } from './traffic.generator';

export interface RunSummary {
  seconds: number;
  flowMessages: number;
  flowRecords: number;
  recordsPerSecond: number;
  peakRssMb: number;
  counts: Record<string, unknown>;
}

/** Builds the generator pipeline a CLI run (or a benchmark) drives. */
export function buildStream(o: CliOptions, startTime = Date.now()): MessageStream {
  const cluster = generateCluster(o.size, { seed: o.seed });
  const gen = new TrafficGenerator(cluster, {
    seed: o.seed,
    startTime,
    connectionsPerSecond: o.rate > 0 ? o.rate / 2 : 50_000,
    unexpectedRatio: o.unexpectedRatio,
    churnEvery: o.churnEvery,
    policyChangeEvery: o.policyChangeEvery,
    staleRatio: o.staleRatio,
    unknownEndpointRatio: o.unknownEndpointRatio,
  });
  return new MessageStream(gen, {
    format: o.format,
    hitGeneration: o.hitGeneration,
    linesPerMessage: o.linesPerMessage,
    malformedRatio: o.malformedRatio,
    malformedKinds: o.malformedKinds,
    seed: o.seed,
  });
}

function flowRecordsIn(batch: readonly SimMessage[]): { messages: number; records: number } {
  let messages = 0;
  let records = 0;
  for (const m of batch) {
    if (m.records === 0) continue;
    messages++;
    records += m.records;
  }
  return { messages, records };
}

/**
 * Produces until the count, the duration or a signal ends the run. Up to three produce requests
 * are in flight while the next batch is generated, so generation and the broker round trip overlap.
 */
export async function run(o: CliOptions, log: (line: string) => void, shouldStop: () => boolean): Promise<RunSummary> {
  const stream = buildStream(o);
  const sink = o.dryRun ? null : new KafkaSink({ brokers: o.brokers, flowsTopic: o.flowsTopic, inventoryTopic: o.inventoryTopic, acks: o.acks, compression: o.compression, partitions: 4 });
  await sink?.connect();
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  let flowMessages = 0;
  let flowRecords = 0;
  let peakRss = process.memoryUsage().rss;
  let lastReport = 0;
  let lastRecords = 0;
  const inFlight = new Set<Promise<void>>();
  const c = stream.counts;
  const report = (final: boolean) => {
    const t = elapsed();
    const rate = final ? flowRecords / Math.max(t, 1e-9) : (flowRecords - lastRecords) / Math.max(t - lastReport, 1e-9);
    log(
      `[simulate] ${t.toFixed(1)}s ${final ? 'avg' : 'rate'} ${Math.round(rate).toLocaleString('en-US')} rec/s | records ${flowRecords.toLocaleString('en-US')} in ${flowMessages.toLocaleString('en-US')} msgs | inventory ${c.inventoryMessages} | malformed ${c.malformedTotal} stale ${c.staleRecords} unknown-ep ${c.unknownEndpointRecords} | rss ${Math.round(peakRss / 1048576)} MB`,
    );
    lastReport = t;
    lastRecords = flowRecords;
  };
  const done = () => shouldStop() || (o.count > 0 && flowRecords >= o.count) || (o.durationSeconds > 0 && elapsed() >= o.durationSeconds);
  try {
    while (!done()) {
      // --batch counts records: with NDJSON, fewer (bigger) messages make up one produce request.
      let batch = stream.pull(Math.max(1, Math.ceil(o.batch / stream.linesPerMessage)));
      if (o.count > 0) batch = trimToCount(batch, o.count - flowRecords);
      const n = flowRecordsIn(batch);
      flowMessages += n.messages;
      flowRecords += n.records;
      if (sink) {
        const p: Promise<void> = sink.send(batch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 3) await Promise.race(inFlight);
      }
      if (o.rate > 0) {
        const ahead = flowRecords / o.rate - elapsed();
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead * 1000));
      } else if (!sink) {
        // Let signal handlers and timers run in a dry run.
        await new Promise((r) => setImmediate(r));
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (elapsed() - lastReport >= 1) report(false);
    }
    const tail = o.count > 0 ? [] : stream.flush();
    if (tail.length) {
      const n = flowRecordsIn(tail);
      flowMessages += n.messages;
      flowRecords += n.records;
      await sink?.send(tail);
    }
    await Promise.all(inFlight);
  } finally {
    await sink?.disconnect();
  }
  const seconds = elapsed();
  report(true);
  return { seconds, flowMessages, flowRecords, recordsPerSecond: flowRecords / seconds, peakRssMb: peakRss / 1048576, counts: c.toJSON() };
}

/** Keeps inventory messages and flow messages up to `left` records (whole messages only). */
function trimToCount(batch: SimMessage[], left: number): SimMessage[] {
  const out: SimMessage[] = [];
  let records = 0;
  for (const m of batch) {
    if (m.records > 0) {
      if (records >= left) continue;
      records += m.records;
    }
    out.push(m);
  }
  return out;
}
