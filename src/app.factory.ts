import { LogLevel } from '@nestjs/common';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createValidationPipe } from './api/validation.pipe';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the application the same way for main.ts and the tests. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const logger = new ConsoleLogger({
    json: config.log.format === 'json',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.log.level) + 1),
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false });
  // Manifests arrive as YAML text or JSON; whole cluster dumps can be large.
  app.useBodyParser('json', { limit: '20mb' });
  app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: '20mb' });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
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
