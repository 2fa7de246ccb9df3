import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './support.ts';

let server: RunningServer;
let browser: Browser;
beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the home page in a real browser', () => {
  it('when a visitor opens the home page, then it is French, htmx is loaded and the console shows no error', async () => {
    const context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()}`));

    const response = await page.goto(server.url + '/', { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect.poll(() => page.evaluate(() => typeof (globalThis as unknown as { htmx?: { version: string } }).htmx?.version)).toBe('string');
    const version = await page.evaluate(() => (globalThis as unknown as { htmx: { version: string } }).htmx.version);
    expect(version).toMatch(/^2\.0\./);
    expect(await page.evaluate(() => (globalThis as unknown as { htmx: { config: { allowEval: boolean } } }).htmx.config.allowEval)).toBe(false);
    expect(await page.textContent('h1')).toContain('sans que personne ne dise non');
    expect(problems).toEqual([]);
  });

  it('when the server receives SIGTERM, then it stops cleanly', async () => {
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.output()).not.toMatch(/error/i);
  });
});
