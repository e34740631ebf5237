#!/usr/bin/env node
import { parseCliOptions, USAGE } from './cli.options';
import { run } from './simulator.runner';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCliOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let stop = false;
  const onSignal = (sig: string) => {
    // The second signal means "now": the first one lets in-flight batches finish.
    if (stop) process.exit(130);
    process.stderr.write(`[simulate] ${sig}: finishing in-flight batches\n`);
    stop = true;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.stderr.write(
    `[simulate] ${opts.sizeName} cluster (${opts.size.pods} pods, ${opts.size.policies} policies), format ${opts.format}, seed ${opts.seed}` +
      `${opts.dryRun ? ', dry run' : ` -> ${opts.brokers.join(',')} (${opts.flowsTopic}, ${opts.inventoryTopic})`}\n`,
  );
  const summary = await run(opts, (l) => process.stderr.write(l + '\n'), () => stop);
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[simulate] failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
