import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for review, written by every run (not committed). */
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-results', 'console');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  page: Page;
  context: BrowserContext;
  screenshot: (name: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Debian's chromium, headless, with a fresh profile that is removed on close; nothing is downloaded.
 * bypassCSP: the tests wait on string predicates, which the console's policy (no eval) would refuse;
 * the policy itself is checked by the e2e tests.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'flowscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1366, height: 900 }, bypassCSP: true });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
