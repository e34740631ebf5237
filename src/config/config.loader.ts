import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig, EnvironmentVariables } from './app-config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings without a default: absent from a fresh EnvironmentVariables' keys. */
const OPTIONAL_VARIABLES = ['CLICKHOUSE_URL', 'FLOWSCOPE_ADMIN_KEY', 'FLOWSCOPE_EXPORT_SIGNING_KEY', 'CLICKHOUSE_TLS_CA_FILE', 'KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'FLOWSCOPE_TLS_CERT_FILE', 'FLOWSCOPE_TLS_KEY_FILE'];

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
  // A secret's value is never echoed (this line goes to the log).
  const value = /PASSWORD|KEY|SECRET/.test(error.property) ? '(hidden)' : JSON.stringify(error.value);
  return `${error.property}=${value} ${reasons.join(', ')}`;
}

/**
 * Reads and validates the environment once. Unknown FLOWSCOPE_* variables are rejected too, since a
 * typo there would otherwise silently fall back to a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const known = new Set(Object.keys(new EnvironmentVariables()).concat(OPTIONAL_VARIABLES));
  const typos = Object.keys(env)
    .filter((k) => k.startsWith('FLOWSCOPE_') && !known.has(k))
    .map((k) => `${k} is not a flowscope setting`);
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => known.has(k) && v !== undefined && v !== ''));
  const vars = plainToInstance(EnvironmentVariables, raw);
  const problems = [...typos, ...validateSync(vars, { forbidUnknownValues: false }).map(describe)];
  if (problems.length > 0) throw new ConfigError(problems);
  // Secrets' files are read here, once: a missing or unreadable one stops the start, named.
  const read = (name: keyof EnvironmentVariables): string | undefined => {
    const path = vars[name] as string | undefined;
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${name}=${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const kafkaTls = { ca: read('KAFKA_TLS_CA_FILE'), cert: read('KAFKA_TLS_CERT_FILE'), key: read('KAFKA_TLS_KEY_FILE') };
  const httpsCert = read('FLOWSCOPE_TLS_CERT_FILE');
  const httpsKey = read('FLOWSCOPE_TLS_KEY_FILE');
  const clickhouseCa = read('CLICKHOUSE_TLS_CA_FILE');
  if ((vars.KAFKA_TLS_CERT_FILE === undefined) !== (vars.KAFKA_TLS_KEY_FILE === undefined)) problems.push('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together: set both or neither');
  if ((vars.FLOWSCOPE_TLS_CERT_FILE === undefined) !== (vars.FLOWSCOPE_TLS_KEY_FILE === undefined)) problems.push('FLOWSCOPE_TLS_CERT_FILE and FLOWSCOPE_TLS_KEY_FILE go together: set both or neither');
  const saslSet = [vars.KAFKA_SASL_MECHANISM, vars.KAFKA_SASL_USERNAME, vars.KAFKA_SASL_PASSWORD].filter((v) => v !== undefined).length;
  if (saslSet !== 0 && saslSet !== 3) problems.push('KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together: set all three or none');
  if (clickhouseCa !== undefined && !vars.CLICKHOUSE_URL?.startsWith('https:')) problems.push('CLICKHOUSE_TLS_CA_FILE needs an https CLICKHOUSE_URL');
  if (problems.length > 0) throw new ConfigError(problems);
  const tlsToKafka = vars.KAFKA_TLS || Object.values(kafkaTls).some((v) => v !== undefined);
  return {
    http: { host: vars.FLOWSCOPE_HTTP_HOST, port: vars.FLOWSCOPE_HTTP_PORT, tls: httpsCert !== undefined && httpsKey !== undefined ? { cert: httpsCert, key: httpsKey } : undefined },
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
      fetchBytesPerPartition: vars.KAFKA_FETCH_BYTES_PER_PARTITION,
      topics: {
        flows: vars.KAFKA_FLOWS_TOPIC,
        deadLetter: vars.KAFKA_DEAD_LETTER_TOPIC,
        inventory: vars.KAFKA_INVENTORY_TOPIC,
      },
      tls: tlsToKafka ? kafkaTls : undefined,
      sasl: saslSet === 3 ? { mechanism: vars.KAFKA_SASL_MECHANISM!, username: vars.KAFKA_SASL_USERNAME!, password: vars.KAFKA_SASL_PASSWORD! } : undefined,
    },
    clickhouse: {
      url: vars.CLICKHOUSE_URL,
      database: vars.CLICKHOUSE_DATABASE,
      user: vars.CLICKHOUSE_USER,
      password: vars.CLICKHOUSE_PASSWORD,
      tlsCa: clickhouseCa,
      dataDir: vars.FLOWSCOPE_DATA_DIR,
    },
  };
}
