import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config.loader';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flowscope: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(config);
  try {
    await app.listen(config.http.port, config.http.host);
  } catch (err) {
    // A setting that can only be checked against stored state (no API key at all) fails here.
    if (err instanceof ConfigError) {
      process.stderr.write(`flowscope: ${err.message}\n`);
      await app.close().catch(() => undefined);
      process.exit(78);
    }
    throw err;
  }
  process.stdout.write(`flowscope listening on http://${config.http.host}:${config.http.port} (API docs at /docs)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`flowscope: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
