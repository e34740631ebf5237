import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, launchBrowser } from '../support/browser';
import { produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';
import { flowEvent, trafficMix } from './flow-events';

// dist/test/browser -> dist/src/auth: access control is compiled into this build or not.
const AUTH_BUILT = existsSync(join(__dirname, '..', '..', 'src', 'auth'));
const ADMIN_KEY = 'browser-test-admin-key-0123456789abcdef';
const EVENTS = 120;

describe(
  'web console with access control on: keys and namespace scope',
  { skip: AUTH_BUILT ? false : 'access control (src/auth) is not part of this build: the console runs without keys', timeout: 240_000 },
  () => {
    let t: TestApp;
    let b: Browser;
    let base: string;
    let scopedSecret: string;
    const start = Date.now();
    const admin = (req: ReturnType<ReturnType<TestApp['http']>['get']>) => req.set('authorization', `Bearer ${ADMIN_KEY}`);

    before(async () => {
      t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2', FLOWSCOPE_AUTH: 'on', FLOWSCOPE_ADMIN_KEY: ADMIN_KEY }));
      await produce(t.config.kafka.topics.flows, trafficMix(EVENTS, start - 5_000, 20).map(flowEvent));
      const window = { from: new Date(start - 3_600_000).toISOString(), to: new Date(start + 600_000).toISOString() };
      await eventually(async () => {
        const res = await admin(t.http().get('/api/v1/stats/decisions').query(window)).expect(200);
        return res.body.groups[0]?.records === EVENTS ? true : undefined;
      }, `${EVENTS} flows stored`, 60_000);
      const created = await t
        .http()
        .post('/api/v1/keys')
        .set('authorization', `Bearer ${ADMIN_KEY}`)
        .send({ name: 'frontend team', role: 'viewer', namespaces: ['frontend'] })
        .expect(201);
      scopedSecret = created.body.secret;
      base = `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/ui/`;
      b = await launchBrowser();
    });
    after(async () => {
      await b?.close();
      await t?.close();
    });

    const signIn = async (key: string) => {
      const { page } = b;
      await page.goto(base);
      await page.evaluate('sessionStorage.clear()');
      await page.reload();
      await page.fill('#api-key', key);
      await page.click('button:has-text("Sign in")');
    };

    it('refuses a wrong key and stays on the sign-in form', async () => {
      await signIn('not-a-key-of-this-server');
      await b.page.locator('#status.error').waitFor();
      assert.match(await b.page.locator('#status').innerText(), /Key refused/);
      assert.equal(await b.page.locator('#nav').isHidden(), true, 'no views without a valid key');
      await b.screenshot('auth-01-wrong-key');
    });

    it('shows a namespace-scoped key only its namespaces', async () => {
      const { page } = b;
      await signIn(scopedSecret);
      await page.locator('[data-testid="denied-total"]').waitFor();
      await page.locator('#tops table').first().waitFor();
      const pairs = await page.locator('section[aria-label="Top denied namespace pairs"] a').allInnerTexts();
      assert.ok(pairs.length > 0);
      for (const p of pairs) assert.match(p, /frontend/, `namespace pair ${p} involves frontend`);
      await b.screenshot('auth-02-scoped-overview');

      await page.goto(`${base}#/flows?range=1h&limit=1000`);
      await page.locator('#flow-table tbody tr').first().waitFor();
      const rows = await page.locator('#flow-table tbody tr').all();
      assert.ok(rows.length > 0);
      for (const r of rows) {
        const ends = (await r.locator('td:nth-child(3)').innerText()) + ' ' + (await r.locator('td:nth-child(4)').innerText());
        assert.match(ends, /frontend\//, `every flow shown involves frontend: ${ends}`);
      }
      // The admin key sees the other namespaces: the scope, not the data, limited the view.
      const all = await admin(t.http().get('/api/v1/flows').query({ from: new Date(start - 3_600_000).toISOString(), limit: 1000 })).expect(200);
      assert.ok(all.body.items.length > rows.length);
      await b.screenshot('auth-03-scoped-flows');
    });
  },
);
