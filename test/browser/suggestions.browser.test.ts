import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, launchBrowser } from '../support/browser';
import { loadSuggestScenario, PROTECT_TOOL, TIGHTENED, WINDOW } from '../support/suggest-scenario';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

describe('suggestions in the web console, over the suggestion scenario (access control off)', { timeout: 120_000 }, () => {
  let t: TestApp;
  let b: Browser;
  let base: string;

  before(async () => {
    t = await startTestApp(testConfig());
    await loadSuggestScenario(t);
    base = `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/ui/`;
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  it('lists the suggestions of a window without YAML, and opens each on its staged and enforced YAML', async () => {
    const { page } = b;
    await page.goto(base);
    await page.locator('#api-key').waitFor();
    await page.keyboard.type('any-key-works-without-access-control');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="denied-total"]').waitFor();

    const list = `${base}#/suggestions?from=${encodeURIComponent(WINDOW.from)}&to=${encodeURIComponent(WINDOW.to)}`;
    await page.goto(list);
    const links = page.locator('main section.card [data-testid="suggestion-link"]');
    await page.waitForFunction(`document.querySelectorAll('main section.card [data-testid="suggestion-link"]').length === 2`);
    assert.equal(await page.locator('main pre').count(), 0, 'the listing shows no YAML');
    await b.screenshot('08-suggestions-listed');

    const staged = [TIGHTENED.replace('kind: NetworkPolicy', 'kind: StagedNetworkPolicy').replace('spec:\n', 'spec:\n  stagedAction: Set\n'), PROTECT_TOOL];
    for (const i of [0, 1]) {
      await page.goto(list);
      await page.waitForFunction(`document.querySelectorAll('main section.card [data-testid="suggestion-link"]').length === 2`);
      await links.nth(i).focus();
      await page.keyboard.press('Enter');
      const yaml = page.locator('[data-testid="suggestion-yaml-staged"] pre');
      await yaml.waitFor();
      assert.equal(await yaml.textContent(), `${staged[i]}\n`);
      assert.equal(await page.locator('[data-testid="suggestion-yaml-enforced"] pre').count(), 1);
      await b.screenshot(`08-suggestion-${i}`);
    }
  });
});
