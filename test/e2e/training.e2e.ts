/**
 * Trainer mode in real Chromium, on PostgreSQL: a trainer runs the Atelier 3 scenario with
 * « Étape suivante » then auto-play, the personas' proposal goes through the consent core to
 * adoption, and the projector and a trainee's phone follow the comparison live. axe-core on each
 * view; the comparison's screenshots at 1920×1080 and 360 px are the README's.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './support.ts';
import { axe, createDatabase, DEMO_PASSWORD, describeViolations, WAIT } from './meeting-support.ts';

const serverUrl = inject('databaseUrl');
const README_SHOTS = path.resolve('public/screenshots');
const TITLE = 'Essayer la décision par consentement en comité de direction';

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createDatabase>>;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  await fs.mkdir(README_SHOTS, { recursive: true });
  db = await createDatabase(serverUrl);
  server = await startServer({ NODE_ENV: 'development', SEED_DEMO: 'true', DATABASE_URL: db.url });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  await db?.drop().catch(() => {});
});

/** A page in its own context; the CSP is bypassed only so that axe-core's script can be added. */
async function open(width: number, height: number, from?: BrowserContext): Promise<Page> {
  const context = await browser.newContext({
    locale: 'fr-FR',
    bypassCSP: true,
    viewport: { width, height },
    ...(from ? { storageState: await from.storageState() } : {}),
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return page;
}

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

async function audit(page: Page, where: string, violations: string[]): Promise<void> {
  const found = await axe(page);
  if (found.length) violations.push(describeViolations(where, found));
}

describe('trainer mode in real browsers, on PostgreSQL', () => {
  it(
    'when a trainer plays the Atelier 3 scenario to adoption, then the comparison shows consensus not reached and consent reached after integration, live for everyone, and nothing enters the register',
    { timeout: 300_000 },
    async () => {
      const violations: string[] = [];

      // the trainer signs in and starts a session from the Atelier 3 scenario
      const trainer = await open(1920, 1080);
      await trainer.goto(`${server.url}/connexion?next=${encodeURIComponent('/formation')}`);
      await trainer.fill('#f-email', 'facilitation@demo.local');
      await trainer.fill('#f-password', DEMO_PASSWORD);
      await trainer.click('form[action^="/connexion"] button[type="submit"]');
      await trainer.waitForURL((u) => !u.pathname.startsWith('/connexion'));
      await trainer.goto(`${server.url}/formation`);
      await audit(trainer, 'start', violations);
      await trainer.check('#scenario-atelier-3-consentement');
      await trainer.selectOption('#f-cercle', { label: 'Direction générale' });
      await trainer.click('form.training-start button[type="submit"]');
      await trainer.waitForURL(/\/formation\/[0-9a-f-]{36}$/);
      const sessionUrl = trainer.url();
      const id = /\/formation\/([0-9a-f-]{36})$/.exec(sessionUrl)![1]!;
      const code = (await db.query<{ join_code: string }>('select join_code from meetings where id = $1', [id]))[0]!.join_code;

      // the room's screen, and a trainee's phone joined by code
      const projector = await open(1920, 1080, trainer.context());
      await projector.goto(`${sessionUrl}/projection`);
      const phone = await open(360, 800);
      await phone.goto(`${server.url}/rejoindre/${code}`);
      await phone.fill('#f-displayName', 'Alix Stagiaire');
      await phone.click('form[action="/rejoindre"] button[type="submit"]');
      await phone.waitForURL(/\/formation\/[0-9a-f-]{36}$/);
      await phone.waitForSelector('#play[data-stage="draft"]');

      // secret, then revealed: one objection stands, so neither consensus nor consent yet
      await trainer.click('form.reveal button');
      for (const page of [projector, phone]) await page.waitForSelector('.rule-consent .outcome');
      expect(await text(projector, '.rule-consensus .outcome')).toBe('Pas de consensus.');
      expect(await text(projector, '.rule-consent .outcome')).toBe('Pas encore : 1 objection à intégrer avant un nouveau tour.');
      expect(await text(projector, '.rule-majority .outcome')).toBe(
        'Égalité : 4 voix pour, 4 contre. La proposition n’est pas adoptée (sauf voix prépondérante de la présidence, en scrutin public).',
      );

      // « Étape suivante », by hand: each scripted action arrives live on the phone
      await trainer.click('form.step button');
      await phone.waitForSelector('#play[data-stage="presentation"]');
      await trainer.click('form.step button');
      await phone.waitForSelector('#play[data-stage="clarification"]');
      await trainer.click('form.step button');
      await phone.waitForFunction(
        () =>
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
            .querySelector('.said-list')
            ?.textContent.includes('Claire Morel demande') ?? false,
      );
      await audit(trainer, 'trainer console', violations);
      await audit(phone, 'phone', violations);

      // then auto-play, one action a second, to adoption
      await trainer.selectOption('#autoplay-speed', '1');
      await trainer.click('form.autoplay button');
      await trainer.waitForSelector('#play[data-stage="integration"]', { timeout: 150_000 });
      await trainer.waitForSelector('#play[data-stage="adopted"]', { timeout: 150_000 });
      await projector.waitForFunction(
        () =>
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
            .querySelector('.rule-consent .outcome')
            ?.textContent.includes('personne ne dit non') ?? false,
      );

      // after integration: consent reached, consensus still not
      expect(await text(projector, '.rule-consent .outcome')).toBe('Adoptée : personne ne dit non.');
      expect(await text(projector, '.rule-consensus .outcome')).toBe('Pas de consensus.');
      expect(await text(trainer, '#play-next')).toBe('Proposition adoptée : la proposition est réglée. Réinitialisez la session pour la rejouer.');
      const events = await db.query<{ type: string }>(
        'select e.type from events e join training_sessions t on t.proposal_id = e.stream_id where t.meeting_id = $1 order by e.seq',
        [id],
      );
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['ObjectionRaised', 'ObjectionIntegrated', 'ProposalAdopted']));

      await audit(projector, 'projector', violations);
      await projector.screenshot({ path: path.join(README_SHOTS, 'training-comparison.png') });
      await phone.waitForSelector('.rule-consent .outcome');
      await phone.locator('section.comparison').screenshot({ path: path.join(README_SHOTS, 'training-comparison-360.png') });

      // moving one persona changes the panels for everyone
      await trainer.selectOption('#move-chef-service', '1');
      await trainer.click('#persona-chef-service form.move button');
      for (const page of [projector, phone]) {
        await page.waitForFunction(
          () =>
            (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
              .querySelector('.rule-majority .outcome')
              ?.textContent.includes('5 voix contre 3') ?? false,
        );
      }
      expect(await text(projector, '.rule-majority .outcome')).toBe('Adoptée par 5 voix contre 3.');

      // a training decision never enters the register
      await trainer.goto(`${server.url}/registre`);
      expect(await trainer.textContent('main')).not.toContain(TITLE);

      expect(violations.join('\n\n')).toBe('');
      expect(problems).toEqual([]);
      expect(server.output()).not.toMatch(/"level":(50|60)/);
    },
  );
});
