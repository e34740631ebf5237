import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig, EnvironmentVariables } from './app-config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets are named, never echoed. */
const SECRETS = new Set(['FLOWSCOPE_ADMIN_KEY', 'FLOWSCOPE_EXPORT_SIGNING_KEY', 'CLICKHOUSE_PASSWORD']);

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
  const value = SECRETS.has(error.property) ? '(hidden)' : JSON.stringify(error.value);
  return `${error.property}=${value} ${reasons.join(', ')}`;
}

/**
 * Reads and validates the environment once. Unknown FLOWSCOPE_* variables are rejected too, since a
 * typo there would otherwise silently fall back to a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const known = new Set(Object.keys(new EnvironmentVariables()).concat('CLICKHOUSE_URL', 'FLOWSCOPE_ADMIN_KEY', 'FLOWSCOPE_EXPORT_SIGNING_KEY'));
  const typos = Object.keys(env)
    .filter((k) => k.startsWith('FLOWSCOPE_') && !known.has(k))
    .map((k) => `${k} is not a flowscope setting`);
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => known.has(k) && v !== undefined && v !== ''));
  const vars = plainToInstance(EnvironmentVariables, raw);
  const problems = [...typos, ...validateSync(vars, { forbidUnknownValues: false }).map(describe)];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    http: { host: vars.FLOWSCOPE_HTTP_HOST, port: vars.FLOWSCOPE_HTTP_PORT },
    log: { level: vars.FLOWSCOPE_LOG_LEVEL, format: vars.FLOWSCOPE_LOG_FORMAT },
    ingest: { enabled: vars.FLOWSCOPE_INGEST_ENABLED, format: vars.KAFKA_FLOWS_FORMAT, maxMessageBytes: vars.FLOWSCOPE_MAX_MESSAGE_BYTES },
    retention: { allowedDays: vars.FLOWSCOPE_RETENTION_ALLOWED_DAYS, deniedDays: vars.FLOWSCOPE_RETENTION_DENIED_DAYS },
    metrics: { topPolicies: vars.FLOWSCOPE_METRICS_TOP_POLICIES },
    auth: { enabled: vars.FLOWSCOPE_AUTH === 'on', adminKey: vars.FLOWSCOPE_ADMIN_KEY, rateLimitPerMinute: vars.FLOWSCOPE_RATE_LIMIT_PER_MINUTE },
    export: { signingKey: vars.FLOWSCOPE_EXPORT_SIGNING_KEY },
    kafka: {
      brokers: vars.KAFKA_BROKERS.split(','),
      clientId: vars.KAFKA_CLIENT_ID,
      groupId: vars.KAFKA_GROUP_ID,
      topicPartitions: vars.KAFKA_TOPIC_PARTITIONS,
      topics: {
        flows: vars.KAFKA_FLOWS_TOPIC,
        deadLetter: vars.KAFKA_DEAD_LETTER_TOPIC,
        inventory: vars.KAFKA_INVENTORY_TOPIC,
      },
    },
    clickhouse: {
      url: vars.CLICKHOUSE_URL,
      database: vars.CLICKHOUSE_DATABASE,
      user: vars.CLICKHOUSE_USER,
      password: vars.CLICKHOUSE_PASSWORD,
      dataDir: vars.FLOWSCOPE_DATA_DIR,
    },
  };
}
