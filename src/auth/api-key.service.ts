import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { ApiKeyRepository, StoredApiKey } from '../storage/api-key.repository';
import { Storage } from '../storage/storage.module';
import { CallerIdentity, Role } from './caller';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  namespaces: string[] | null;
  createdAt: string;
}

export const BOOTSTRAP_KEY_ID = 'bootstrap-admin';

/** Secrets are 32 random bytes; SHA-256 is what is stored and looked up. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function view(k: StoredApiKey): ApiKeyView {
  return { id: k.id, name: k.name, role: k.role as Role, namespaces: k.namespaces, createdAt: new Date(k.createdAt).toISOString() };
}

/** Keys created or revoked by another replica are seen after at most this long. */
const REFRESH_MS = 30_000;
/** An unknown secret re-reads the stored keys at most this often (a key another replica just made). */
const RELOAD_AFTER_MISS_MS = 5_000;

/**
 * API keys: created with a secret shown once, stored hashed, revoked by id. The live keys are held
 * in memory by hash, so authenticating a request costs one hash and one map look-up.
 */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyService.name);
  private byHash = new Map<string, StoredApiKey>();
  private lastLoad = 0;
  private readonly bootstrapHash?: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeyRepository,
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {
    if (config.auth.adminKey !== undefined) this.bootstrapHash = Buffer.from(secretHash(config.auth.adminKey), 'hex');
  }

  async onModuleInit(): Promise<void> {
    await this.storage.ready();
    await this.reload();
    if (!this.config.auth.enabled) {
      this.logger.warn('FLOWSCOPE_AUTH=off: no access control, every request is served as admin');
      return;
    }
    if (this.bootstrapHash === undefined && this.byHash.size === 0) {
      throw new ConfigError([
        'FLOWSCOPE_AUTH is on but no API key exists: set FLOWSCOPE_ADMIN_KEY (a bootstrap admin key), or FLOWSCOPE_AUTH=off to run without access control',
      ]);
    }
  }

  private async reload(): Promise<void> {
    const live = (await this.keys.all()).filter((k) => k.revokedAt === null);
    this.byHash = new Map(live.map((k) => [k.secretSha256, k]));
    this.lastLoad = Date.now();
  }

  /** The caller a secret stands for, or undefined when it is no live key. */
  async authenticate(secret: string): Promise<CallerIdentity | undefined> {
    const hash = secretHash(secret);
    if (Date.now() - this.lastLoad > REFRESH_MS) await this.reload();
    if (this.bootstrapHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.bootstrapHash)) {
      return { keyId: BOOTSTRAP_KEY_ID, name: 'bootstrap admin (FLOWSCOPE_ADMIN_KEY)', role: 'admin', namespaces: null };
    }
    let key = this.byHash.get(hash);
    if (!key && Date.now() - this.lastLoad > RELOAD_AFTER_MISS_MS) {
      await this.reload();
      key = this.byHash.get(hash);
    }
    return key ? { keyId: key.id, name: key.name, role: key.role as Role, namespaces: key.namespaces } : undefined;
  }

  async create(input: { name: string; role: Role; namespaces?: string[] }): Promise<ApiKeyView & { secret: string }> {
    const secret = `fsk_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now().getTime();
    const namespaces = input.namespaces === undefined ? null : [...new Set(input.namespaces)].sort();
    const key: StoredApiKey = { id: randomUUID(), name: input.name, role: input.role, namespaces, secretSha256: secretHash(secret), createdAt: now, revokedAt: null };
    await this.keys.save(key, now);
    this.byHash.set(key.secretSha256, key);
    this.logger.log(`API key ${key.id} (${key.name}, ${key.role}) created`);
    return { ...view(key), secret };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.all()).filter((k) => k.revokedAt === null).map(view);
  }

  async revoke(id: string): Promise<void> {
    const key = (await this.keys.all()).find((k) => k.id === id && k.revokedAt === null);
    if (!key) throw new NotFoundException(`no live API key with id ${id}`);
    const now = this.clock.now().getTime();
    // The version must exceed the creating one even when the clock is pinned (tests).
    await this.keys.save({ ...key, revokedAt: now }, Math.max(now, key.createdAt + 1));
    this.byHash.delete(key.secretSha256);
    this.logger.log(`API key ${key.id} (${key.name}) revoked`);
  }
}
