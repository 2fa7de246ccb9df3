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

/** The demo facilitator signs in and starts a session from the Atelier 3 scenario; its address, id and join code. */
async function startAtelier3(trainer: Page): Promise<{ sessionUrl: string; id: string; code: string }> {
  await trainer.goto(`${server.url}/connexion?next=${encodeURIComponent('/formation')}`);
  await trainer.fill('#f-email', 'facilitation@demo.local');
  await trainer.fill('#f-password', DEMO_PASSWORD);
  await trainer.click('form[action^="/connexion"] button[type="submit"]');
  await trainer.waitForURL((u) => !u.pathname.startsWith('/connexion'));
  await trainer.goto(`${server.url}/formation`);
  await trainer.check('#scenario-atelier-3-consentement');
  await trainer.selectOption('#f-cercle', { label: 'Direction générale' });
  await trainer.click('form.training-start button[type="submit"]');
  await trainer.waitForURL(/\/formation\/[0-9a-f-]{36}$/);
  const sessionUrl = trainer.url();
  const id = /\/formation\/([0-9a-f-]{36})$/.exec(sessionUrl)![1]!;
  const code = (await db.query<{ join_code: string }>('select join_code from meetings where id = $1', [id]))[0]!.join_code;
  return { sessionUrl, id, code };
}

/** A trainee joins by code on a phone (its own browser context) and lands on the session. */
async function joinOnPhone(code: string, name: string): Promise<Page> {
  const phone = await open(360, 800);
  await phone.goto(`${server.url}/rejoindre/${code}`);
  await phone.fill('#f-displayName', name);
  await phone.click('form[action="/rejoindre"] button[type="submit"]');
  await phone.waitForURL(/\/formation\/[0-9a-f-]{36}$/);
  return phone;
}

/** Waits until the page's element `selector` has a text that contains `wanted` (spaces folded). */
async function waitForText(page: Page, selector: string, wanted: string): Promise<void> {
  await page.waitForFunction(
    ([sel, want]) =>
      ((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel!)?.textContent ?? '')
        .replace(/[\s\u00a0\u202f]+/g, ' ')
        .includes(want!),
    [selector, wanted],
  );
}

/** The dot vote's bars as the page shows them, in order: project and dots. */
const bars = (page: Page) => page.$$eval('.dot-bar', (els) => els.map((e) => `${e.getAttribute('data-project')}:${e.getAttribute('data-dots')}`));

describe('trainer mode in real browsers, on PostgreSQL', () => {
  it(
    'when a trainer plays the Atelier 3 scenario to adoption, then the comparison shows consensus not reached and consent reached after integration, live for everyone, and nothing enters the register',
    { timeout: 300_000 },
    async () => {
      const violations: string[] = [];

      // the trainer signs in and starts a session from the Atelier 3 scenario
      const trainer = await open(1920, 1080);
      await trainer.goto(`${server.url}/formation`);
      const { sessionUrl, id, code } = await startAtelier3(trainer);
      await trainer.goto(`${server.url}/formation`);
      await audit(trainer, 'start', violations);
      await trainer.goto(sessionUrl);

      // the room's screen, and a trainee's phone joined by code
      const projector = await open(1920, 1080, trainer.context());
      await projector.goto(`${sessionUrl}/projection`);
      const phone = await joinOnPhone(code, 'Alix Stagiaire');
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

  it(
    'when three trainees choose in secret, the trainer reveals, they spread their dots and the trainer resets, then every view follows and the reset clears it all',
    { timeout: 300_000 },
    async () => {
      const violations: string[] = [];
      const trainer = await open(1920, 1080);
      const { sessionUrl, code } = await startAtelier3(trainer);
      const projector = await open(1920, 1080, trainer.context());
      await projector.goto(`${sessionUrl}/projection`);
      await projector.waitForSelector('#training[data-chosen="8"]');

      // three trainees, each in their own browser context, take a persona: its position is theirs to choose
      const plays = { elue: 'Alix Stagiaire', drh: 'Bastien Stagiaire', habitant: 'Chloé Stagiaire' } as const;
      const phones: Record<keyof typeof plays, Page> = {} as never;
      for (const [persona, name] of Object.entries(plays) as [keyof typeof plays, string][]) {
        const phone = await joinOnPhone(code, name);
        await phone.click(`form[action$="/personas/${persona}/prendre"] button`);
        await phone.waitForSelector('form.choose');
        phones[persona] = phone;
      }
      await projector.waitForSelector('#training[data-chosen="5"]');
      expect(await text(projector, '.big-count')).toBe('Les positions seront révélées toutes ensemble. Déjà 5 sur 8.');

      // each chooses privately: the others and the projector see only how many have chosen
      const chosen = { elue: '1', drh: '5', habitant: '4' } as const;
      for (const [persona, step] of Object.entries(chosen) as [keyof typeof plays, string][]) {
        await phones[persona].check(`#position-${step}`);
        await phones[persona].click('form.choose button[type="submit"]');
        await phones[persona].waitForSelector('.trainee .saved');
      }
      await projector.waitForSelector('#training[data-chosen="8"]');
      expect(await text(phones.elue, '.trainee .saved')).toBe('Votre position : 1. Oui, pleinement.');
      for (const page of [projector, phones.elue, phones.drh]) expect(await page.$('.gradient-table')).toBeNull();
      await audit(phones.drh, 'trainee phone, secret', violations);

      // the trainer reveals: the three panels, the same for everyone
      await trainer.click('form.reveal button');
      for (const page of [projector, ...Object.values(phones)]) await page.waitForSelector('.rule-majority .outcome');
      // for: dgs 1, Alix (elue) 1, agente 2; against: chef 3, juriste 4, Bastien (drh) 5, Chloé (habitant) 4, associative 3
      for (const page of [projector, phones.habitant]) {
        expect(await text(page, '.rule-majority .outcome')).toBe('Rejetée par 5 voix contre 3.');
        expect(await text(page, '.rule-consensus .outcome')).toBe('Pas de consensus.');
        expect(await text(page, '.rule-consent .outcome')).toBe('Pas encore : 1 objection à intégrer avant un nouveau tour.');
      }

      // the dot vote: two votes each, the bars order the agenda live on the projector
      const dots: [keyof typeof plays, string][] = [
        ['elue', 'dechets-usagers'],
        ['elue', 'dechets-usagers'],
        ['drh', 'plan-climat'],
        ['drh', 'dechets-usagers'],
        ['habitant', 'plan-climat'],
        ['habitant', 'eau-besoins-agents'],
      ];
      for (const [persona, project] of dots) {
        const phone = phones[persona];
        const before = await phone.getAttribute(`.dot-bar[data-project="${project}"]`, 'data-dots');
        await phone.click(`.dot-bar[data-project="${project}"] form.vote button`);
        await phone.waitForFunction(
          ([p, b]) =>
            (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document
              .querySelector(`.dot-bar[data-project="${p}"]`)
              ?.getAttribute('data-dots') !== b,
          [project, before],
        );
      }
      // the projector follows each dot as it comes: wait for the last one to reach it, then read the order
      await projector.waitForSelector('.dot-bar[data-project="eau-besoins-agents"][data-dots="1"]');
      await waitForText(projector, '.dot-bar:first-child', '3 voix');
      expect((await bars(projector)).slice(0, 3)).toEqual(['dechets-usagers:3', 'plan-climat:2', 'eau-besoins-agents:1']);
      expect(await text(phones.elue, '.dots .saved')).toBe('Il vous reste 0 voix sur 2.');
      expect(await phones.elue.isDisabled('.dot-bar[data-project="plan-climat"] form.vote button')).toBe(true);
      await audit(projector, 'projector, dot vote', violations);

      // reset: positions scripted again, the trainees to choose again, nothing revealed, no dot left
      await trainer.click('form.reset button');
      await projector.waitForSelector('#training[data-phase="secret"][data-chosen="5"]');
      await waitForText(projector, '.dot-bar:first-child', '0 voix');
      expect((await bars(projector)).every((b) => b.endsWith(':0'))).toBe(true);
      for (const phone of Object.values(phones)) {
        await phone.waitForSelector('#training[data-phase="secret"]');
        expect(await phone.$('.trainee .saved')).toBeNull();
        expect(await phone.$('.rule-majority')).toBeNull();
      }
      expect(await text(phones.drh, '#trainee-heading')).toContain('Vous jouez Thomas Girard');

      expect(violations.join('\n\n')).toBe('');
      expect(problems).toEqual([]);
      expect(server.output()).not.toMatch(/"level":(50|60)/);
    },
  );
});
