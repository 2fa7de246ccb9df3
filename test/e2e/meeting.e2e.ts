/**
 * Issue 5 in real Chromium, on PostgreSQL: the Atelier 3 meeting from first question to adoption,
 * on one app instance then on two instances sharing the database; axe-core on every view at
 * several stages; a keyboard-only participant; a participant without JavaScript; screenshots.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './support.ts';
import { axe, createDatabase, describeViolations, SCREENSHOTS, WAIT, type BrowserDocument } from './meeting-support.ts';
import { holdMeeting, openPeople, type People, type Stage } from './meeting-scenario.ts';
import type { Person } from './meeting-support.ts';

declare const document: BrowserDocument;

const serverUrl = inject('databaseUrl');
const env = (url: string) => ({ NODE_ENV: 'development', SEED_DEMO: 'true', DATABASE_URL: url });

let browser: Browser;
const servers: RunningServer[] = [];
const databases: { drop(): Promise<void> }[] = [];
const contexts: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  await fs.mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  for (const s of servers) await s.stop().catch(() => {});
  for (const d of databases) await d.drop().catch(() => {});
});

async function people(options: Parameters<typeof openPeople>[1]): Promise<People> {
  const p = await openPeople(browser, options);
  contexts.push(...Object.values(p).map((x) => x.context));
  return p;
}

describe('the Atelier 3 meeting in real browsers, on PostgreSQL', () => {
  it(
    'when a facilitator and four participants hold the meeting (one keyboard only, one without JavaScript, one without a device), then every browser follows each step live and the record holds both objections with their outcomes',
    { timeout: 480_000 },
    async () => {
      const db = await createDatabase(serverUrl);
      databases.push(db);
      const server = await startServer(env(db.url));
      servers.push(server);
      const all = Object.fromEntries(['facilitator', 'projector', 'proposer', 'alice', 'bob', 'chloe'].map((k) => [k, server.url])) as Record<
        keyof People,
        string
      >;

      const violations: string[] = [];
      const audit = new Auditor(browser, server.url, violations);
      contexts.push(audit);
      await audit.anonymous(['/', '/connexion', '/rejoindre']);

      const options = {
        servers: all,
        chloeWithoutJs: true,
        bobKeyboardOnly: true,
        closing: true,
        onDraftPage: async (meetingId: string) => {
          await audit.pageAs('facilitator', '/seances/nouvelle', 'new-meeting');
          await audit.pageAs('proposer', `/seances/${meetingId}/propositions/nouvelle`, 'draft');
        },
        checkpoint: async (stage: Stage, meeting: { id: string; code: string; people: People }) => {
          if (stage !== 'integration') await projectorShots(meeting.people.projector, stage, violations);
          if (stage === 'clarification') {
            await audit.anonymous([`/rejoindre/${meeting.code}`]);
            await audit.pageAs('facilitator', `/seances/${meeting.id}`, 'meeting');
          }
          await audit.views(stage, meeting.id);
        },
      };
      const p = await people(options);
      audit.register(p);
      await holdMeeting(p, options, db);
      expect(violations.join('\n\n')).toBe('');
      expect(server.output()).not.toMatch(/"level":(50|60)/);
    },
  );
});

describe('two app instances on one database', () => {
  it('when the participants are split between two servers, then each browser still follows each step live', { timeout: 480_000 }, async () => {
    const db = await createDatabase(serverUrl);
    databases.push(db);
    const a = await startServer(env(db.url));
    servers.push(a);
    const b = await startServer(env(db.url)); // the demo accounts exist already: it seeds nothing
    servers.push(b);
    const split: Record<keyof People, string> = { facilitator: a.url, projector: b.url, proposer: b.url, alice: a.url, bob: b.url, chloe: a.url };
    await holdMeeting(
      await people({ servers: split, chloeWithoutJs: false, bobKeyboardOnly: false }),
      { servers: split, chloeWithoutJs: false, bobKeyboardOnly: false },
      db,
    );
    expect(a.output()).not.toMatch(/"level":(50|60)/);
    expect(b.output()).not.toMatch(/"level":(50|60)/);
  });
});

/** The screen (not the full page) kept for the README, copied by hand to public/screenshots/. */
const README_SHOTS: Record<string, string> = {
  console: 'testing-1280',
  participant: 'clarification-360',
  porteur: 'integration-1280',
  projection: 'testing-1280',
};
const README_HEIGHT: Record<string, number> = { console: 1100, porteur: 1500, projection: 800 };

type Role = 'facilitator' | 'proposer' | 'participant';
const VIEW_OF: Record<string, Role> = { console: 'facilitator', projection: 'facilitator', porteur: 'proposer', participant: 'participant' };

/**
 * Opens the views in contexts that share a person's session but bypass the CSP, so that axe-core's
 * script can be added; runs axe and takes screenshots at 1280 and 360 px.
 */
class Auditor {
  private readonly pages = new Map<Role | 'anonymous', Page>();
  private readonly owned: BrowserContext[] = [];
  private sources: Partial<Record<Role, BrowserContext>> = {};

  constructor(
    private readonly browser: Browser,
    private readonly base: string,
    private readonly violations: string[],
  ) {}

  register(people: People): void {
    this.sources = { facilitator: people.facilitator.context, proposer: people.proposer.context, participant: people.alice.context };
  }

  private async page(role: Role | 'anonymous', source?: BrowserContext): Promise<Page> {
    let page = this.pages.get(role);
    if (!page) {
      const context = await this.browser.newContext({
        locale: 'fr-FR',
        bypassCSP: true,
        viewport: { width: 1280, height: 900 },
        ...(source ? { storageState: await source.storageState() } : {}),
      });
      this.owned.push(context);
      page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      this.pages.set(role, page);
    }
    return page;
  }

  private async check(page: Page, where: string): Promise<void> {
    const found = await axe(page);
    if (found.length) this.violations.push(describeViolations(where, found));
  }

  async anonymous(paths: string[]): Promise<void> {
    const page = await this.page('anonymous');
    for (const p of paths) {
      await page.goto(this.base + p, { waitUntil: 'load' });
      await this.check(page, p);
    }
  }

  /** A page of a signed-in person, before the meeting views (the source context is given by name). */
  async pageAs(role: 'facilitator' | 'proposer', pathname: string, label: string): Promise<void> {
    const page = await this.page(role, this.sources[role]);
    await page.goto(this.base + pathname, { waitUntil: 'load' });
    await this.check(page, label);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${label}-1280.png`), fullPage: true });
  }

  async views(stage: Stage, meetingId: string): Promise<void> {
    for (const view of ['console', 'participant', 'porteur', 'projection']) {
      const page = await this.page(VIEW_OF[view]!, this.sources[VIEW_OF[view]!]);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${this.base}/seances/${meetingId}/${view}`, { waitUntil: 'load' });
      await page.waitForSelector(`#live[data-stage="${stage}"]`, { state: 'attached' });
      await this.check(page, `${view} (${stage}, 1280 px)`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${stage}-${view}-1280.png`), fullPage: view !== 'projection' });
      if (README_SHOTS[view] === `${stage}-1280`)
        await page.screenshot({
          path: path.join(SCREENSHOTS, `readme-${view}.png`),
          fullPage: true,
          clip: { x: 0, y: 0, width: 1280, height: README_HEIGHT[view] ?? 900 },
        });
      await page.setViewportSize({ width: 360, height: 780 });
      if (README_SHOTS[view] === `${stage}-360`) await page.screenshot({ path: path.join(SCREENSHOTS, `readme-${view}.png`) });
      if (stage === 'testing') await this.check(page, `${view} (${stage}, 360 px)`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${stage}-${view}-360.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) this.violations.push(`${view} (${stage}, 360 px): the page is ${overflow} px wider than the screen`);
    }
  }

  async close(): Promise<void> {
    for (const c of this.owned) await c.close().catch(() => {});
  }
}

/**
 * The projector read from the back of a room, at 1920×1080 and 1280×720: screenshots under
 * test-results/screenshots, and what must be readable without scrolling — the title above the body
 * text, the join link whole, and during testing the objection under test above the fold.
 */
async function projectorShots(projector: Person, stage: Stage, problems: string[]): Promise<void> {
  const page = projector.page;
  for (const [width, height] of [
    [1920, 1080],
    [1280, 720],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(SCREENSHOTS, `projector-${stage}-${width}x${height}.png`) });
    const where = `projector (${stage}, ${width}×${height})`;
    const size = (selector: string) =>
      page.evaluate((s) => {
        const el = document.querySelector(s) as unknown as { ownerDocument: unknown } | null;
        return el ? parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize) : 0;
      }, selector);
    const body = await size('#proposal-text');
    if ((await size('#proposal-title')) <= body) problems.push(`${where}: the proposal title is not larger than its text`);
    if ((await size('#live .eyebrow')) < 16) problems.push(`${where}: « Étape » is smaller than 16 px`);
    const link = await page.$('.join .break');
    const box = link && (await link.boundingBox());
    if (!box || box.x + box.width > width) problems.push(`${where}: the join link is cut off`);
    // the QR code and the link are read without scrolling: wholly inside the screen
    for (const [what, selector] of [
      ['QR code', '.qr svg'],
      ['join link', '.join .break'],
    ] as const) {
      const at = await (await page.$(selector))?.boundingBox();
      if (!at || at.x < 0 || at.y < 0 || at.x + at.width > width || at.y + at.height > height) problems.push(`${where}: the ${what} is not wholly on screen`);
    }
    if (stage === 'testing') {
      const objection = await page.$('.objection-open');
      const at = objection && (await objection.boundingBox());
      if (!at || at.y + Math.min(at.height, 120) > height) problems.push(`${where}: the objection under test is below the fold`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
