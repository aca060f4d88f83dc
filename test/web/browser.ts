import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's Chromium, as `.ci/run` installs it; CHROMIUM_PATH points elsewhere if needed. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const NO_BROWSER_REASON = `no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)`;

export const SCREENSHOTS = resolve(import.meta.dirname, '../../.data/artifacts/screenshots');
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  await mkdir(SCREENSHOTS, { recursive: true });
  // As root (CI containers) Chromium's sandbox cannot start; the pages are our own.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A fresh context (own storage, Vietnamese by default) whose pages fail the test on any
 * Content-Security-Policy violation or uncaught error: the portal must run under its strict CSP.
 */
export async function newContext(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<{ context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true });
  const problems: string[] = [];
  context.on('page', (page) => watch(page, problems));
  return { context, problems };
}

function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
}

let axeSource: string | undefined;

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays on)
 * and fails on serious or critical WCAG 2.x A/AA violations.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  axeSource ??= await readFile(join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `accessibility violations on ${name}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page fits its viewport: nothing wider than the screen makes the person scroll sideways. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** Who signs in at the development provider: a role by its choice's label (staff of a named organisation), or a citizen by number. */
export type DevSignIn = { role: RegExp; organization?: string } | { nationalId: string };

/** The real flow: the portal's "Đăng nhập", the development identity provider's page, back with a session cookie. */
export async function signInThroughPortal(page: Page, as: DevSignIn): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  if ('role' in as) {
    await page.getByRole('radio', { name: as.role }).check();
    if (as.organization) await page.getByLabel('Tổ chức').selectOption({ label: as.organization });
  } else await page.getByLabel('Số định danh cá nhân (12 chữ số)').fill(as.nationalId);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/** Follows the link of that name in the portal's navigation. */
export function navigateTo(page: Page, name: string): Promise<void> {
  return page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
}

/**
 * Chromium for one describe block: launched before its tests, closed after them, and every page's
 * CSP violations and errors checked at the end. `signIn` opens a fresh context (its own cookies) and
 * signs in through the portal's real flow, back on a page with the navigation showing.
 */
export function usePortalBrowser(baseUrl: () => string): { signIn(as: DevSignIn, viewport?: typeof DESKTOP): Promise<Page> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const problemsSeen: string[][] = [];
  beforeAll(async () => {
    browser = await launch();
  }, 90_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    for (const p of problemsSeen) expect(p, 'CSP violations or page errors').toEqual([]);
  });
  return {
    async signIn(as, viewport = DESKTOP) {
      if (!browser) throw new Error('Chromium is not launched');
      const { context, problems } = await newContext(browser, baseUrl(), viewport);
      contexts.push(context);
      problemsSeen.push(problems);
      const page = await context.newPage();
      await signInThroughPortal(page, as);
      await page.getByRole('navigation').waitFor();
      return page;
    },
  };
}
