import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/config.loader';

describe('loadConfig', () => {
  it('applies defaults: embedded ClickHouse, local Kafka', () => {
    const c = loadConfig({});
    assert.equal(c.clickhouse.url, undefined);
    assert.equal(c.clickhouse.database, 'flowscope');
    assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(c.http.port, 8080);
    assert.equal(c.ingest.enabled, true);
  });

  it('reads and types every variable', () => {
    const c = loadConfig({
      FLOWSCOPE_HTTP_PORT: '9000',
      FLOWSCOPE_INGEST_ENABLED: 'false',
      KAFKA_BROKERS: 'k1:9092,k2:19092',
      KAFKA_FLOWS_TOPIC: 'x.flows',
      KAFKA_FETCH_BYTES_PER_PARTITION: '2097152',
      CLICKHOUSE_URL: 'http://clickhouse:8123',
      CLICKHOUSE_DATABASE: 'fs_prod',
      CLICKHOUSE_PASSWORD: 's3cret',
    });
    assert.equal(c.http.port, 9000);
    assert.equal(c.ingest.enabled, false);
    assert.deepEqual(c.kafka.brokers, ['k1:9092', 'k2:19092']);
    assert.equal(c.kafka.topics.flows, 'x.flows');
    assert.equal(c.kafka.fetchBytesPerPartition, 2 * 1024 * 1024);
    assert.equal(c.clickhouse.url, 'http://clickhouse:8123');
    assert.equal(c.clickhouse.database, 'fs_prod');
    assert.equal(c.clickhouse.password, 's3cret');
  });

  it('names the variable that is wrong', () => {
    assert.throws(() => loadConfig({ FLOWSCOPE_HTTP_PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /FLOWSCOPE_HTTP_PORT="eighty"/.test(e.message));
    assert.throws(() => loadConfig({ KAFKA_BROKERS: 'localhost' }), /KAFKA_BROKERS="localhost" must be a comma-separated list of host:port/);
    assert.throws(() => loadConfig({ CLICKHOUSE_URL: 'not a url' }), /CLICKHOUSE_URL/);
    assert.throws(() => loadConfig({ CLICKHOUSE_DATABASE: 'drop table;' }), /CLICKHOUSE_DATABASE/);
    assert.throws(() => loadConfig({ FLOWSCOPE_LOG_LEVEL: 'loud' }), /FLOWSCOPE_LOG_LEVEL/);
    assert.throws(() => loadConfig({ FLOWSCOPE_INGEST_ENABLED: 'maybe' }), /FLOWSCOPE_INGEST_ENABLED/);
    assert.throws(() => loadConfig({ KAFKA_FETCH_BYTES_PER_PARTITION: '100' }), /KAFKA_FETCH_BYTES_PER_PARTITION/);
  });

  it('rejects an unknown FLOWSCOPE_ variable instead of ignoring a typo', () => {
    assert.throws(() => loadConfig({ FLOWSCOPE_HTTP_PROT: '1' }), /FLOWSCOPE_HTTP_PROT is not a flowscope setting/);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ CLICKHOUSE_URL: '' }).clickhouse.url, undefined);
  });
});
