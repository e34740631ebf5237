import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/config.loader';
import { connectionSecurity } from '../../../src/kafka/kafka.adapter';
import { tempDir } from '../../support/temp-dir';

const dir = tempDir('flowscope-tls-config-');
const pem = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN ${name}-----\n-----END ${name}-----\n`);
  return path;
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a configuration error');
}

describe('transport security settings', () => {
  it('default to plaintext and anonymous', () => {
    const c = loadConfig({});
    assert.equal(c.kafka.tls, undefined);
    assert.equal(c.kafka.sasl, undefined);
    assert.equal(c.http.tls, undefined);
    assert.equal(c.clickhouse.tlsCa, undefined);
    assert.deepEqual(connectionSecurity(c), {});
  });

  it('read TLS files and SCRAM credentials for Kafka', () => {
    const c = loadConfig({ KAFKA_TLS_CA_FILE: pem('CA'), KAFKA_TLS_CERT_FILE: pem('CERT'), KAFKA_TLS_KEY_FILE: pem('KEY'), KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'flowscope', KAFKA_SASL_PASSWORD: 'pw' });
    assert.match(c.kafka.tls?.ca ?? '', /BEGIN CA/);
    const options = connectionSecurity(c);
    assert.deepEqual(options.sasl, { mechanism: 'scram-sha-512', username: 'flowscope', password: 'pw' });
    assert.match(String((options.ssl as { cert?: string }).cert), /BEGIN CERT/);
  });

  it('KAFKA_TLS=true alone is TLS with the system CAs', () => {
    assert.equal(connectionSecurity(loadConfig({ KAFKA_TLS: 'true' })).ssl, true);
  });

  it('serve HTTPS with a certificate and key, and trust a CA for a ClickHouse server', () => {
    const c = loadConfig({ FLOWSCOPE_TLS_CERT_FILE: pem('CERT'), FLOWSCOPE_TLS_KEY_FILE: pem('KEY'), CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_TLS_CA_FILE: pem('CA') });
    assert.match(c.http.tls?.cert ?? '', /BEGIN CERT/);
    assert.match(c.clickhouse.tlsCa ?? '', /BEGIN CA/);
  });

  it('name each half-given or unreadable setting', () => {
    assert.match(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' }), /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together/);
    assert.match(problems({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }), /KAFKA_SASL_MECHANISM="gssapi" must be one of/);
    assert.match(problems({ FLOWSCOPE_TLS_CERT_FILE: pem('CERT') }), /FLOWSCOPE_TLS_CERT_FILE and FLOWSCOPE_TLS_KEY_FILE go together/);
    assert.match(problems({ KAFKA_TLS_CERT_FILE: pem('CERT') }), /KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together/);
    assert.match(problems({ KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') }), /KAFKA_TLS_CA_FILE=".*missing.pem" cannot be read \(ENOENT\)/);
    assert.match(problems({ CLICKHOUSE_TLS_CA_FILE: pem('CA') }), /CLICKHOUSE_TLS_CA_FILE needs an https CLICKHOUSE_URL/);
    assert.match(problems({ KAFKA_TLS: 'maybe' }), /KAFKA_TLS="maybe"/);
  });

  it('never echo a password or key in a configuration error', () => {
    const message = problems({ KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_SASL_MECHANISM: 'nope', KAFKA_SASL_USERNAME: 'u' });
    assert.doesNotMatch(message, /hunter2/);
  });
});
