/**
 * The decision register in a real browser, on the demo history a fresh installation seeds: an élue
 * finds a decision by a word of one of its objections, opens its record, follows the link to its
 * relevé, prints it (a screenshot of the print layout under test-results/), and axe-core finds no
 * serious violation on any of these pages.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, watchContext, type RunningServer } from './support.ts';
import { axe, createDatabase, describeViolations, SCREENSHOTS } from './meeting-support.ts';

const serverUrl = inject('databaseUrl');
let db: Awaited<ReturnType<typeof createDatabase>>;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // a database of its own: the demo accounts and their register history are seeded at the first start
  db = await createDatabase(serverUrl);
  server = await startServer({ NODE_ENV: 'development', SEED_DEMO: 'true', DATABASE_URL: db.url });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await db?.drop();
});

/** Serious and critical violations only: the ones the brief asks to be absent. */
async function seriousViolations(page: Page, where: string): Promise<string> {
  const violations = (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return describeViolations(where, violations);
}

describe('the decision register in a real browser', () => {
  it('when an élue searches a word of an objection, then she finds the decision, reads its record and relevé, and prints it', async () => {
    // axe-core's script is added to the page: the context lets it past the CSP
    const context = await browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    const problems = await watchContext(context);
    // name what answered an error, not only that something did
    context.on('response', (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`)));
    const page = await context.newPage();

    await page.goto(`${server.url}/registre`);
    expect(page.url()).toContain('/connexion');
    await page.getByLabel('Adresse électronique').fill('elue@demo.local');
    await page.getByLabel('Mot de passe').fill('demo-consentement');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/registre$/);
    expect(await seriousViolations(page, 'register')).toBe('');

    // « bénévoles » is only in the objection raised against the water decision
    await page.getByLabel('Rechercher').fill('benevoles');
    await page.getByRole('button', { name: 'Appliquer' }).click();
    await page.waitForURL(/q=benevoles/);
    const results = page.locator('#registre-resultats .register-item');
    await expect.poll(() => results.count()).toBe(1);
    expect(await results.first().locator('mark').first().textContent()).toMatch(/bénévoles/i);
    expect(await seriousViolations(page, 'register search')).toBe('');

    await results.first().getByRole('link', { name: 'Gestion de l’eau des espaces verts' }).click();
    await page.waitForURL(/\/registre\/[0-9a-f-]{36}$/);
    expect(await page.textContent('h1')).toContain('Gestion de l’eau des espaces verts');
    const record = (await page.textContent('main'))!;
    expect(record).toContain('bénévoles des jardins partagés');
    expect(record).toContain('Chaîne vérifiée');
    expect(await seriousViolations(page, 'record')).toBe('');

    await page
      .getByRole('link', { name: /relevé/i })
      .first()
      .click();
    await page.waitForURL(/\/releve$/);
    expect(await page.textContent('main')).toContain('Gestion de l’eau des espaces verts');
    expect(await seriousViolations(page, 'relevé')).toBe('');

    await page.emulateMedia({ media: 'print' });
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, 'register-releve-print.png');
    await page.screenshot({ path: file, fullPage: true });
    expect((await fs.stat(file)).size).toBeGreaterThan(10_000);
    // the print layout hides what is only for the screen
    expect(
      await page
        .locator('.no-print')
        .first()
        .isVisible()
        .catch(() => false),
    ).toBe(false);

    expect(problems).toEqual([]);
    await context.close();
  });
});
