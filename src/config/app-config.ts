import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MinLength,
  Max,
  Min,
} from 'class-validator';

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

/**
 * Every setting flowscope reads, one property per environment variable (the property name IS the
 * variable name, so a validation error names exactly what the operator has to fix).
 * Read once at start by loadConfig(); nothing else in the code reads process.env.
 */
export class EnvironmentVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  FLOWSCOPE_HTTP_PORT = 8080;

  @IsOptional() @IsString() @IsNotEmpty()
  FLOWSCOPE_HTTP_HOST = '127.0.0.1';

  @IsOptional() @IsIn(LOG_LEVELS)
  FLOWSCOPE_LOG_LEVEL: LogLevel = 'log';

  @IsOptional() @IsIn(['text', 'json'])
  FLOWSCOPE_LOG_FORMAT: 'text' | 'json' = 'text';

  /** Where the embedded ClickHouse engine (chDB) keeps its data when no CLICKHOUSE_URL is given. */
  @IsOptional() @IsString() @IsNotEmpty()
  FLOWSCOPE_DATA_DIR = '.data/chdb';

  @IsOptional() @Transform(toBool) @IsBoolean()
  FLOWSCOPE_INGEST_ENABLED = true;

  /** Larger messages are dead-lettered unread. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(64 * 1024 * 1024)
  FLOWSCOPE_MAX_MESSAGE_BYTES = 1024 * 1024;

  /** Days to keep allowed flows; 0 keeps them forever. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500)
  FLOWSCOPE_RETENTION_ALLOWED_DAYS = 30;

  /** Days to keep denied flows and Log-rule events (what auditors ask for); 0 keeps them forever. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500)
  FLOWSCOPE_RETENTION_DENIED_DAYS = 365;

  /** Deciding policies that get their own label in the decision metrics; the rest count as `other`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  FLOWSCOPE_METRICS_TOP_POLICIES = 50;
  /**
   * on: every API request needs an API key (Authorization: Bearer). off: no access control at all,
   * for a local demo only; it has to be said explicitly.
   */
  @IsOptional() @IsIn(['on', 'off'])
  FLOWSCOPE_AUTH: 'on' | 'off' = 'on';

  /** Bootstrap admin key (never logged): lets the first keys be created through the API. */
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  FLOWSCOPE_ADMIN_KEY?: string;

  /** Key for the HMAC-SHA256 signature of export manifests (never logged); unset: manifests are unsigned. */
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  FLOWSCOPE_EXPORT_SIGNING_KEY?: string;

  /** Requests per minute one API key (or, without a key, one client address) may make. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  FLOWSCOPE_RATE_LIMIT_PER_MINUTE = 1200;

  /** Comma-separated host:port list. */
  @IsOptional() @Matches(/^[^,\s:]+:\d{1,5}(,[^,\s:]+:\d{1,5})*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_CLIENT_ID = 'flowscope';

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_GROUP_ID = 'flowscope-ingest';

  @IsOptional() @Matches(/^[a-zA-Z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  KAFKA_FLOWS_TOPIC = 'flowscope.flows';

  /** auto: detected per message (flowscope, Calico flow log, Goldmane). */
  @IsOptional() @IsIn(['auto', 'flowscope', 'calico', 'goldmane'])
  KAFKA_FLOWS_FORMAT: 'auto' | 'flowscope' | 'calico' | 'goldmane' = 'auto';

  @IsOptional() @Matches(/^[a-zA-Z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  KAFKA_DEAD_LETTER_TOPIC = 'flowscope.flows.dead-letter';

  @IsOptional() @Matches(/^[a-zA-Z0-9._-]{1,249}$/, { message: 'must be a valid Kafka topic name' })
  KAFKA_INVENTORY_TOPIC = 'flowscope.inventory';

  /**
   * Bytes fetched per partition per request: the batch one partition has in flight. Larger batches
   * ingest faster (fewer, larger inserts); memory while catching up grows with partitions
   * assigned x this (decoded records take about ten times their bytes).
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(64 * 1024) @Max(256 * 1024 * 1024)
  KAFKA_FETCH_BYTES_PER_PARTITION = 8 * 1024 * 1024;

  /** Partitions for topics flowscope creates itself when they are missing. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  KAFKA_TOPIC_PARTITIONS = 4;

  /** Unset: embedded chDB in FLOWSCOPE_DATA_DIR. Set: that ClickHouse server. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  CLICKHOUSE_URL?: string;

  @IsOptional() @Matches(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, { message: 'must be a plain identifier (letters, digits, _)' })
  CLICKHOUSE_DATABASE = 'flowscope';

  @IsOptional() @IsString() @IsNotEmpty()
  CLICKHOUSE_USER = 'default';

  @IsOptional() @IsString()
  CLICKHOUSE_PASSWORD = '';

  /** PEM file of the CA that signed an https CLICKHOUSE_URL's certificate (default: the system's CAs). */
  @IsOptional() @IsString() @IsNotEmpty()
  CLICKHOUSE_TLS_CA_FILE?: string;

  /** TLS to the brokers (implied by any KAFKA_TLS_*_FILE). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  KAFKA_TLS = false;

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_TLS_CA_FILE?: string;

  /** Client certificate and key (PEM) for brokers that authenticate clients by certificate. */
  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_TLS_CERT_FILE?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_TLS_KEY_FILE?: string;

  /** SASL authentication to the brokers; set with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  @IsOptional() @IsIn(SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM?: SaslMechanism;

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_SASL_USERNAME?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  KAFKA_SASL_PASSWORD?: string;

  /** HTTPS for the API: a PEM certificate (chain) and its private key; both or neither. */
  @IsOptional() @IsString() @IsNotEmpty()
  FLOWSCOPE_TLS_CERT_FILE?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  FLOWSCOPE_TLS_KEY_FILE?: string;
}

/** PEM contents read from the files the configuration names. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** The typed, validated configuration the rest of the code injects. */
export interface AppConfig {
  /** tls set: the API is served over HTTPS with that certificate and key. */
  http: { host: string; port: number; tls?: { cert: string; key: string } };
  log: { level: LogLevel; format: 'text' | 'json' };
  ingest: { enabled: boolean; format: 'auto' | 'flowscope' | 'calico' | 'goldmane'; maxMessageBytes: number };
  retention: { allowedDays: number; deniedDays: number };
  metrics: { topPolicies: number };
  auth: { enabled: boolean; adminKey?: string; rateLimitPerMinute: number };
  export: { signingKey?: string };
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topicPartitions: number;
    fetchBytesPerPartition: number;
    topics: { flows: string; deadLetter: string; inventory: string };
    /** undefined => plaintext */
    tls?: TlsFiles;
    sasl?: { mechanism: SaslMechanism; username: string; password: string };
  };
  clickhouse: {
    /** undefined => embedded chDB */
    url?: string;
    database: string;
    user: string;
    password: string;
    /** CA for an https server URL; undefined => the system's CAs. */
    tlsCa?: string;
    dataDir: string;
  };
}
