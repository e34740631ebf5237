import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** The real application (real embedded ClickHouse, real Kafka when ingest is on), on an ephemeral port. */
export async function startTestApp(config: AppConfig): Promise<TestApp> {
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  return { app, config, http: () => request(server), close: () => app.close() };
}
