/**
 * What the dashboard suites share: the bundle built once (when its sources
 * are newer), a listening Warden loaded with the demo platform, tokens for
 * demo users, and Debian's Chromium driven through playwright-core.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { seedDemo } from '../../prisma/seed/demo.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok } from '../api/client.ts';

export const chromiumPath = process.env.WARDEN_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser suites cannot run here, or undefined when they can. */
export const noBrowser = existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath} (apt-get install chromium)`;

const root = new URL('../../', import.meta.url).pathname;

/** Builds ui/dist unless it is newer than every source. */
export async function buildBundle(): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'ui/build.ts'], { cwd: root });
}

export interface Dashboard {
  w: TestWarden;
  url: string;
  browser: Browser;
  /** A token for User `name` of the demo platform, issued by the admin. */
  tokenFor(name: string): Promise<string>;
  /** A new page whose tab is already signed in with `token` (the admin's by default). */
  page(token?: string | null, opts?: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } }): Promise<{ page: Page; context: BrowserContext }>;
  close(): Promise<void>;
}

export async function startDashboard(): Promise<Dashboard> {
  const [, w] = await Promise.all([buildBundle(), startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } })]);
  const url = w.warden.url!;
  await seedDemo({ url, token: w.adminToken });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  let n = 0;
  return {
    w, url, browser,
    async tokenFor(name) {
      const res = await api(w).post('/apis/iam.warden.dev/v1/tokens', {
        apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name: `${name}-ui-${++n}` }, spec: { user: name },
      });
      return ok(res, 201).status.token as string;
    },
    async page(token = w.adminToken, opts = {}) {
      const context = await browser.newContext({ baseURL: url, acceptDownloads: true, colorScheme: opts.colorScheme ?? 'light', viewport: opts.viewport ?? { width: 1280, height: 800 } });
      contexts.push(context);
      if (token) await context.addInitScript({ content: `if (!sessionStorage.getItem('warden.token')) sessionStorage.setItem('warden.token', ${JSON.stringify(token)});` });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { page, context };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await w.close();
    },
  };
}

/** Serious and critical axe-core violations on the page (or the part `only` selects), one line each. */
export async function axeViolations(page: Page, opts: { only?: string } = {}): Promise<string[]> {
  const builder = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
  if (opts.only) builder.include(opts.only);
  const r = await builder.analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((x) => x.target.join(' ')).slice(0, 3).join('; ')})`);
}
