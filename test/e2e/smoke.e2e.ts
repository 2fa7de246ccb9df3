import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startServer, watchContext, type RunningServer } from './support.ts';

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
    const problems = await watchContext(context);
    const page = await context.newPage();
    page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()}`));

    const response = await page.goto(server.url + '/', { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect.poll(() => page.evaluate(() => typeof (globalThis as unknown as { htmx?: { version: string } }).htmx?.version)).toBe('string');
    const version = await page.evaluate(() => (globalThis as unknown as { htmx: { version: string } }).htmx.version);
    expect(version).toMatch(/^2\.0\./);
    const config = await page.evaluate(
      () => (globalThis as unknown as { htmx: { config: { allowEval: boolean; includeIndicatorStyles: boolean } } }).htmx.config,
    );
    expect(config.allowEval).toBe(false);
    expect(config.includeIndicatorStyles).toBe(false); // htmx would inject an inline <style> the CSP refuses
    // the indicators are styled by app.css instead: hidden at rest, shown during a request
    const opacity = await page.evaluate(`(() => {
      const probe = document.createElement('span');
      probe.className = 'htmx-indicator';
      probe.style.transition = 'none'; // read the end state, not the fade
      document.body.append(probe);
      const rest = getComputedStyle(probe).opacity;
      document.body.classList.add('htmx-request');
      const busy = getComputedStyle(probe).opacity;
      document.body.classList.remove('htmx-request');
      probe.remove();
      return { rest, busy };
    })()`);
    expect(opacity).toEqual({ rest: '0', busy: '1' });
    expect(await page.textContent('h1')).toContain('sans que personne ne dise non');
    expect(problems).toEqual([]);
  });

  it('when the server receives SIGTERM, then it stops cleanly', async () => {
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.output()).not.toMatch(/error/i);
  });
});
