import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, watchContext, type RunningServer } from './support.ts';

let server: RunningServer;
let browser: Browser;
beforeAll(async () => {
  // development with the demo accounts, as a newcomer runs it
  server = await startServer({ NODE_ENV: 'development', SEED_DEMO: 'true' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new French page whose console errors and CSP violations are collected in `problems`. */
async function open(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const problems = await watchContext(context);
  return { page: await context.newPage(), problems };
}

describe('accounts and guests in a real browser', () => {
  it('when the facilitator signs in, creates a meeting and a guest joins with its code, then the CSP reports nothing', async () => {
    const { page: facilitation, problems } = await open();
    await facilitation.goto(`${server.url}/seances/nouvelle`);
    expect(facilitation.url()).toContain('/connexion?next=%2Fseances%2Fnouvelle');
    await facilitation.getByLabel('Adresse électronique').fill('facilitation@demo.local');
    await facilitation.getByLabel('Mot de passe').fill('demo-consentement');
    await facilitation.getByRole('button', { name: 'Se connecter' }).click();
    await facilitation.waitForURL(/\/seances\/nouvelle$/);
    await facilitation.getByLabel('Cercle').selectOption({ label: 'Direction générale' });
    await facilitation.getByLabel('Intitulé de la séance').fill('Passer au consentement ?');
    await facilitation.getByLabel('Date et heure').fill('2026-05-04T14:00');
    await facilitation.getByRole('button', { name: 'Créer la séance' }).click();
    await facilitation.waitForURL(/\/seances\/[0-9a-f-]{36}$/);
    const code = (await facilitation.textContent('.join-code'))!.trim();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);

    const { page: guest, problems: guestProblems } = await open();
    await guest.goto(`${server.url}/rejoindre/${code}`);
    await guest.getByLabel('Votre nom').fill('Habitante du quartier');
    await guest.getByRole('button', { name: 'Rejoindre' }).click();
    await guest.waitForURL(/\/seances\//);
    expect(await guest.textContent('h1')).toContain('Passer au consentement ?');

    // an htmx request carries the CSRF header from <body hx-headers>
    await facilitation.reload();
    expect(await facilitation.textContent('#membres')).toContain('Habitante du quartier');
    await facilitation.evaluate(() =>
      (globalThis as unknown as { htmx: { ajax: (m: string, u: string, o: object) => Promise<void> } }).htmx.ajax('POST', '/deconnexion', {
        target: 'main',
        swap: 'none',
      }),
    );
    await facilitation.goto(`${server.url}/seances`);
    expect(facilitation.url()).toContain('/connexion');

    expect(problems).toEqual([]);
    expect(guestProblems).toEqual([]);
  });

  // last of the file: it kills the server
  it('when the app goes away under an open live view, then the view says « Connexion perdue, reprise… » at once', async () => {
    const { page: facilitation } = await open();
    await facilitation.goto(`${server.url}/connexion`);
    await facilitation.getByLabel('Adresse électronique').fill('facilitation@demo.local');
    await facilitation.getByLabel('Mot de passe').fill('demo-consentement');
    await facilitation.getByRole('button', { name: 'Se connecter' }).click();
    await facilitation.waitForURL(/\/seances$/);
    await facilitation.goto(`${server.url}/seances/nouvelle`);
    await facilitation.getByLabel('Cercle').selectOption({ label: 'Direction générale' });
    await facilitation.getByLabel('Intitulé de la séance').fill('Séance coupée');
    await facilitation.getByLabel('Date et heure').fill('2026-05-04T14:00');
    await facilitation.getByRole('button', { name: 'Créer la séance' }).click();
    await facilitation.waitForURL(/\/seances\/[0-9a-f-]{36}$/);
    await facilitation.goto(`${facilitation.url()}/console`);
    // a string: these tests are compiled without the DOM library
    await facilitation.waitForFunction("document.querySelector('[sse-connect]')?.['htmx-internal-data']?.sseEventSource?.readyState === 1");
    expect(await facilitation.locator('#connection-lost').count()).toBe(0);
    await server.kill();
    const notice = facilitation.locator('#connection-lost');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toBe('Connexion perdue, reprise…');
    expect(await notice.getAttribute('role')).toBe('status');
  });
});
