import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceProcess } from '../support/service-process';
import { freePort } from '../support/free-port';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(): { certFile: string; keyFile: string } {
  const dir = tempDir('flowscope-https-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  return { certFile, keyFile };
}

function get(port: number, path: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the API over HTTPS, with security headers', () => {
  const { certFile, keyFile } = selfSigned();
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_TLS_CERT_FILE: certFile, FLOWSCOPE_TLS_KEY_FILE: keyFile }));
  });
  after(async () => t?.close());

  it('answers over TLS with the configured certificate, with HSTS and the other helmet headers', async () => {
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const res = await get(port, '/health/live', readFileSync(certFile, 'utf8'));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(res.headers['x-powered-by'], undefined, 'no framework banner');
    await assert.rejects(get(port, '/health/live', ''), /self-signed|certificate/, 'a client that does not trust the certificate is refused');
  });
});

describe('security headers over plain HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
  });
  after(async () => t?.close());

  it('sets them on the API, the console and the docs, without HSTS', async () => {
    for (const path of ['/api/v1/flows', '/ui/', '/docs']) {
      const res = await t.http().get(path);
      assert.ok(res.status < 400, `${path}: ${res.status}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.match(res.headers['content-security-policy'] ?? '', /default-src 'self'/, path);
      assert.equal(res.headers['strict-transport-security'], undefined, path);
    }
  });
});

describe('secrets in the logs', () => {
  const SECRETS = { KAFKA_SASL_PASSWORD: 'kafka-pw-4f1d9c', CLICKHOUSE_PASSWORD: 'ch-pw-8b2e71' };
  let service: ServiceProcess | undefined;
  after(async () => service?.stop());

  it('never prints a password, at debug level, with bad settings or with a bearer token on requests', async () => {
    const dataDir = tempDir('flowscope-secrets-');
    // A start refused over a bad setting next to the secrets: the error line names variables, not values.
    const refused = new ServiceProcess({ FLOWSCOPE_HTTP_PORT: String(await freePort()), FLOWSCOPE_DATA_DIR: dataDir, ...SECRETS, KAFKA_SASL_MECHANISM: 'nope', KAFKA_SASL_USERNAME: 'u' });
    await assert.rejects(refused.start(), /exited with 78/);
    const refusedLog = refused.log;
    assert.match(refusedLog, /KAFKA_SASL_MECHANISM/);

    const admin = 'admin-key-5e0b2d7c9a41f3';
    service = new ServiceProcess({ FLOWSCOPE_HTTP_PORT: String(await freePort()), FLOWSCOPE_DATA_DIR: dataDir, FLOWSCOPE_LOG_LEVEL: 'verbose', FLOWSCOPE_INGEST_ENABLED: 'false', FLOWSCOPE_AUTH: 'on', FLOWSCOPE_ADMIN_KEY: admin, ...SECRETS, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'flowscope' });
    await service.start();
    const url = (path: string) => `http://127.0.0.1:${service!.port}${path}`;
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const token = 'bearer-token-1c7a33';
    for (const path of ['/api/v1/flows', '/api/v1/flows?limit=-1', '/health/ready', '/nope']) {
      await fetch(url(path), { headers: bearer(token) });
    }
    // A key made, used, refused out of its role, and revoked: its secret never reaches the log.
    const created = await fetch(url('/api/v1/keys'), { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci', role: 'viewer' }) });
    assert.equal(created.status, 201);
    const key = (await created.json()) as { id: string; secret: string };
    assert.equal((await fetch(url('/api/v1/flows'), { headers: bearer(key.secret) })).status, 200);
    assert.equal((await fetch(url('/api/v1/keys'), { headers: bearer(key.secret) })).status, 403);
    assert.equal((await fetch(url(`/api/v1/keys/${key.id}`), { method: 'DELETE', headers: bearer(admin) })).status, 204);
    assert.equal((await fetch(url('/api/v1/flows'), { headers: bearer(key.secret) })).status, 401);
    await service.stop();
    const logs = refusedLog + service.log;
    assert.ok(logs.length > 0, 'the service logged something');
    for (const secret of [...Object.values(SECRETS), token, admin, key.secret]) assert.ok(!logs.includes(secret), `${secret} is in the logs`);
  });
});
