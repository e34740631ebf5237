import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, launchBrowser } from '../support/browser';
import { produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';
import { flowEvent, trafficMix } from './flow-events';

const ROOT = join(__dirname, '..', '..', '..');
const SEED = 240;

describe('web console in headless Chromium, data through the real ingest path (access control off)', { timeout: 240_000 }, () => {
  let t: TestApp;
  let b: Browser;
  let base: string;
  const start = Date.now();
  let produced = 0;

  const send = async (events: ReturnType<typeof trafficMix>) => {
    await produce(t.config.kafka.topics.flows, events.map((e, i) => flowEvent(e, produced + i)));
    produced += events.length;
  };
  const storedCount = async () => {
    const res = await t.http().get('/api/v1/stats/decisions').query({ from: new Date(start - 7_200_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() }).expect(200);
    return res.body.groups[0]?.records ?? 0;
  };

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2' }));
    const cluster = readFileSync(join(ROOT, 'test', 'fixtures', 'shop-cluster.yaml'), 'utf8');
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(start - 7_200_000).toISOString() }).set('content-type', 'application/yaml').send(cluster).expect(200);
    await send(trafficMix(SEED, start - 5_000, 40));
    // shop/web-1 to db/pg-0, reported allowed without a trace: db's default-deny makes it a mismatch.
    await send(Array.from({ length: 4 }, (_, i) => ({ at: start - 60_000 * (i + 1), action: 'allow' as const, srcIp: '10.244.1.5', dstIp: '10.244.2.7', dstPort: 5432 })));
    await eventually(async () => ((await storedCount()) === produced ? true : undefined), `${produced} flows stored`, 60_000);
    base = `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/ui/`;
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  it('signs in by keyboard and sees the denies chart grow as new flows arrive', async () => {
    const { page } = b;
    await page.goto(base);
    await page.locator('#api-key').waitFor();
    assert.equal(await page.evaluate('document.activeElement?.id'), 'api-key', 'the key field has focus');
    await b.screenshot('01-sign-in');
    // Access control is off: any key is accepted.
    await page.keyboard.type('any-key-works-without-access-control');
    await page.keyboard.press('Enter');
    const denied = page.locator('[data-testid="denied-total"]');
    await denied.waitFor();
    await page.locator('#tops table').first().waitFor();
    const before = Number(await denied.getAttribute('data-value'));
    assert.ok(before > 0, 'seeded denies are on the chart');
    assert.equal(await page.locator('#decisions-chart canvas').count(), 1, 'ECharts drew the chart');

    const fresh = trafficMix(30, Date.now(), 0.1, 3).filter((e) => e.action === 'deny');
    await send(fresh);
    // Live refresh picks them up without a reload.
    // (Page functions as strings: the test code is compiled without the DOM's types.)
    await page.waitForFunction(`Number(document.querySelector('[data-testid="denied-total"]')?.getAttribute('data-value')) >= ${before + fresh.length}`, undefined, { timeout: 60_000 });
    await b.screenshot('02-overview');
    const deniedNow = Number(await denied.getAttribute('data-value'));

    // Split by deciding tier, chosen with the keyboard: the same denies, per tier.
    await page.focus('select[name="split"]');
    await page.selectOption('select[name="split"]', 'tier');
    await page.locator('#chart-title:has-text("by deciding tier")').waitFor();
    await page.waitForFunction(`Number(document.querySelector('[data-testid="denied-total"]')?.getAttribute('data-value')) === ${deniedNow}`);
    assert.ok((await page.locator('#decisions-chart canvas').count()) === 1);
    await b.screenshot('02b-overview-by-tier');
    await page.goto(`${base}#/overview`);
    await page.locator('#tops table').first().waitFor();
    const policies = page.locator('section[aria-label="Top deciding policies of denies"] a');
    assert.ok((await policies.count()) > 0, 'top deciding policies are listed');
    assert.match(await policies.first().innerText(), /security|platform|default/);
  });

  it('follows a top policy to its flows, filters the table and opens a flow', async () => {
    const { page } = b;
    const link = page.locator('section[aria-label="Top deciding policies of denies"] a').first();
    const label = await link.innerText();
    await link.click();
    await page.locator('#flow-table tbody tr').first().waitFor();
    const policy = label.split(' · ')[1];
    const policies = await page.locator('#flow-table tbody tr td:nth-child(7)').allInnerTexts();
    assert.ok(policies.length > 0);
    assert.ok(policies.every((p) => p.includes(policy.replace(/^gnp:/, ''))), `every row is decided by ${policy}: ${policies.join(', ')}`);

    await page.goto(`${base}#/flows?range=1h`);
    await page.locator('#flow-table tbody tr').first().waitFor();
    await page.selectOption('select[name="action"]', 'deny');
    await page.fill('input[name="namespace"]', 'payments');
    await page.click('button:has-text("Apply filters")');
    await page.waitForFunction(`location.hash.includes('namespace=payments')`);
    await page.locator('#flow-table tbody tr').first().waitFor();
    const rows = page.locator('#flow-table tbody tr');
    const actions = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.ok(actions.length > 0);
    assert.deepEqual([...new Set(actions)], ['deny']);
    for (const r of await rows.all()) {
      const ends = (await r.locator('td:nth-child(3)').innerText()) + (await r.locator('td:nth-child(4)').innerText());
      assert.match(ends, /payments\//);
    }
    await b.screenshot('03-flows');

    await rows.first().locator('button:has-text("Open")').focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#flow-detail');
    await detail.locator('h2').waitFor();
    for (const part of ['Source', 'Destination', 'Deciding tier / policy / rule', 'Trace']) assert.ok(await detail.locator(`h3:has-text("${part}")`).count(), `detail shows ${part}`);
    assert.match(await detail.innerText(), /enforced/i);
    await b.screenshot('04-flow-detail');
  });

  it('runs an explain and shows the evaluation path of both sides', async () => {
    const { page } = b;
    await page.goto(`${base}#/explain`);
    await page.fill('input[name="srcIp"]', '10.244.1.5');
    await page.fill('input[name="dstIp"]', '10.244.2.7');
    await page.fill('input[name="port"]', '5432');
    await page.click('button:has-text("Explain")');
    const verdict = page.locator('[data-testid="explain-verdict"]');
    await verdict.waitFor();
    assert.equal(await verdict.innerText(), 'deny', "db's default-deny denies web-1 to pg-0");
    const ingress = page.locator('section[aria-label="ingress evaluation path"]');
    assert.match(await ingress.innerText(), /default-deny/);
    assert.match(await page.locator('section[aria-label="egress evaluation path"]').innerText(), /enforced/i);
    await b.screenshot('05-explain');

    await page.goto(`${base}#/explain`);
    await page.fill('input[name="srcIp"]', 'not-an-ip');
    await page.click('button:has-text("Explain")');
    await page.locator('#explanation [role="alert"]').waitFor();
    assert.match(await page.locator('#explanation').innerText(), /Error 400.*source\.ip/);
  });

  it('shows verdict mismatches as their own view', async () => {
    const { page } = b;
    await page.goto(`${base}#/mismatches`);
    await page.locator('#flow-table tbody tr').first().waitFor();
    const flags = await page.locator('#flow-table tbody tr td:nth-child(9)').allInnerTexts();
    assert.equal(flags.length, 4);
    assert.deepEqual([...new Set(flags)], ['yes']);
    const byPolicy = page.locator('section[aria-label="Mismatches by policy"]');
    await byPolicy.locator('table').waitFor();
    assert.match(await byPolicy.innerText(), /default-deny/);
    await b.screenshot('06-mismatches');
  });

  it('shows suggestions, or says they are not available', async () => {
    const { page } = b;
    await page.goto(`${base}#/suggestions`);
    const api = await t.http().get('/api/v1/suggestions');
    if (api.status === 404) {
      await page.locator('[data-testid="suggestions-unavailable"]').waitFor();
    } else {
      assert.equal(api.status, 200);
      await page.locator('main h1:has-text("Suggestions")').waitFor();
      await page.waitForFunction(`document.querySelectorAll('main section.card, main p.card').length > 0`);
      if (api.body.items.length > 0) {
        // The listing carries no YAML: its link opens the suggestion, which shows the YAML the API serves for it.
        assert.equal(await page.locator('main section.card [data-testid="suggestion-link"]').count(), api.body.items.length);
        await b.screenshot('07-suggestions');
        await page.locator('main section.card [data-testid="suggestion-link"]').first().click();
        const staged = page.locator('[data-testid="suggestion-yaml-staged"] pre');
        await staged.waitFor();
        const detail = await t.http().get(api.body.items[0].links.self).expect(200);
        assert.equal(await staged.textContent(), `${detail.body.yaml.staged}\n`);
        await b.screenshot('07b-suggestion');
        return;
      }
    }
    await b.screenshot('07-suggestions');
  });
});
