import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { ApiKeyRepository } from '../storage/api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AuthGuard } from './auth.guard';
import { KeysController } from './keys.controller';
import { KeyThrottlerGuard } from './key.throttler.guard';

/** Access control for the whole API: one guard (key, role, whole-cluster routes), rate limit, key management. */
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'per-key', ttl: 60_000, limit: config.auth.rateLimitPerMinute }] })],
      controllers: [KeysController],
      providers: [
        ApiKeyRepository,
        ApiKeyService,
        { provide: APP_GUARD, useClass: KeyThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [ApiKeyService],
    };
  }
}
