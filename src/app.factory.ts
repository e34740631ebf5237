import { LogLevel } from '@nestjs/common';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { answerClientError, BODY_LIMIT, rejectDeepBodies, JSON_TYPES, requireKnownBodyType, translateBodyErrors, YAML_TYPES } from './api/request-body';
import { createValidationPipe } from './api/validation.pipe';
import { Clock } from './clock/clock';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { mountConsole } from './ui/console.assets';
import { securityHeaders } from './api/security-headers';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the application the same way for main.ts and the tests. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const logger = new ConsoleLogger({
    json: config.log.format === 'json',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.log.level) + 1),
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: false,
    // HTTPS when a certificate is configured; plain HTTP otherwise (e.g. behind a TLS-terminating proxy).
    ...(config.http.tls ? { httpsOptions: { cert: config.http.tls.cert, key: config.http.tls.key } } : {}),
  });
  const clock = app.get(Clock);
  // Bodies: JSON everywhere, YAML only where manifests go; anything else is a 415 (see request-body.ts).
  // Whole cluster dumps can be large, hence the limit.
  app.use(securityHeaders(config));
  app.use(requireKnownBodyType);
  app.useBodyParser('json', { limit: BODY_LIMIT, type: JSON_TYPES });
  app.useBodyParser('text', { type: YAML_TYPES, limit: BODY_LIMIT });
  app.use(translateBodyErrors);
  app.use(rejectDeepBodies);
  // Node answers an oversized query string (431) or a malformed request itself, with an empty body.
  const server = app.getHttpServer() as Server;
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => answerClientError(err, socket, () => clock.now()));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  mountConsole(app);
  const openapi = new DocumentBuilder()
    .setTitle('flowscope')
    .setDescription('Flow-log analytics for Kubernetes network policy (Calico semantics).')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'flowscope API key', description: 'An API key (POST /api/v1/keys, or FLOWSCOPE_ADMIN_KEY).' })
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openapi));
  return app;
}
