/**
 * Helpers of the meeting browser tests: a database of its own on the PostgreSQL server, people in
 * browser contexts (with JavaScript, without, or keyboard only), waiting on live states, axe-core.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { watchContext } from './support.ts';

/** The little of the DOM the page callbacks use (the project type-checks without DOM typings). */
export interface BrowserElement {
  id: string;
  matches(selector: string): boolean;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
}
export interface BrowserDocument {
  activeElement: BrowserElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  getElementById(id: string): BrowserElement | null;
  querySelector(selector: string): BrowserElement | null;
}
declare const document: BrowserDocument;

export const DEMO_PASSWORD = 'demo-consentement';
/** Generous: two slow cores run a server or two, PostgreSQL and a dozen Chromium pages. */
export const WAIT = 30_000;

/** A fresh database on the server of `serverUrl`, dropped by `drop()`. */
export async function createDatabase(
  serverUrl: string,
): Promise<{ url: string; query: <T = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<T[]>; drop(): Promise<void> }> {
  const name = `so_e2e_${randomBytes(6).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async query<T>(text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as T[];
      } finally {
        await client.end();
      }
    },
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

export interface PersonOptions {
  js?: boolean;
  /** Only Tab, Shift+Tab, Enter, Space and typing: never a click. */
  keyboard?: boolean;
  width?: number;
}

/** Someone in their own browser context (their own cookies: their own session). */
export class Person {
  private navigations = 0;
  private settled = 0;
  readonly js: boolean;
  readonly keyboard: boolean;

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
    public base: string,
    options: PersonOptions,
    /** Console errors, uncaught errors and CSP violations of this person's pages (watchContext). */
    readonly problems: string[],
  ) {
    this.js = options.js !== false;
    this.keyboard = !!options.keyboard;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.navigations += 1;
    });
    page.setDefaultTimeout(WAIT);
  }

  static async open(browser: Browser, name: string, base: string, options: PersonOptions = {}): Promise<Person> {
    const context = await browser.newContext({
      locale: 'fr-FR',
      javaScriptEnabled: options.js !== false,
      viewport: { width: options.width ?? 1280, height: 900 },
    });
    const problems = await watchContext(context);
    const page = await context.newPage();
    return new Person(name, context, page, base, options, problems);
  }

  async goto(pathname: string): Promise<void> {
    await this.page.goto(this.base + pathname, { waitUntil: 'load' });
  }

  /** From now on, this page must change only through htmx (no navigation). */
  settle(): void {
    this.settled = this.navigations;
  }

  expectNoReload(): void {
    if (this.js) expect(this.navigations, `${this.name} reloaded the page`).toBe(this.settled);
  }

  /** Moves the focus with Tab until `selector` has it (keyboard users), then nothing else. */
  async tabTo(selector: string): Promise<void> {
    for (let i = 0; i < 120; i++) {
      if (await this.page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return;
      await this.page.keyboard.press('Tab');
    }
    throw new Error(`${this.name}: Tab never reached ${selector}`);
  }

  async fill(selector: string, text: string): Promise<void> {
    await this.page.waitForSelector(selector);
    if (this.keyboard) {
      await this.tabTo(selector);
      await this.page.keyboard.type(text);
    } else {
      await this.page.fill(selector, text);
    }
  }

  /** Activates a button or a checkbox: Enter (keyboard), a click otherwise; without JS, waits for the new page. */
  async press(selector: string, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
    await this.page.waitForSelector(selector);
    const activate = async () => {
      if (this.keyboard) {
        await this.tabTo(selector);
        await this.page.keyboard.press(key);
      } else {
        await this.page.click(selector);
      }
    };
    if (this.js) return activate();
    await Promise.all([this.page.waitForNavigation({ waitUntil: 'load' }), activate()]);
  }

  /** Waits for a state of the page: live for JS pages, by reloading for a page without JS. */
  async see(selector: string): Promise<void> {
    if (this.js) {
      await this.page.waitForSelector(selector, { state: 'attached' });
      return;
    }
    await expect
      .poll(
        async () => {
          if (await this.page.$(selector)) return true;
          await this.page.reload({ waitUntil: 'load' });
          return !!(await this.page.$(selector));
        },
        { timeout: WAIT, interval: 300 },
      )
      .toBe(true);
  }

  async seq(): Promise<number> {
    return Number(await this.page.getAttribute('#live', 'data-seq'));
  }

  async text(selector: string): Promise<string> {
    return ((await this.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {});
  }
}

export async function signIn(person: Person, email: string, next = '/seances'): Promise<void> {
  await person.goto(`/connexion?next=${encodeURIComponent(next)}`);
  await person.fill('#f-email', email);
  await person.fill('#f-password', DEMO_PASSWORD);
  await person.press('form[action^="/connexion"] button[type="submit"]');
  if (person.js) await person.page.waitForURL((u) => !u.pathname.startsWith('/connexion'));
}

/** Joins with the code: a guest gives a name; an account only confirms. */
export async function join(person: Person, code: string, displayName?: string): Promise<void> {
  await person.goto(`/rejoindre/${code}`);
  if (displayName) await person.fill('#f-displayName', displayName);
  await person.press('form[action="/rejoindre"] button[type="submit"]');
  if (person.js) await person.page.waitForURL(/\/seances\/[0-9a-f-]{36}$/);
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is now (the context must bypass the CSP to add axe's script). */
export async function axe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await fs.readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200), failureSummary: n.failureSummary })),
    }));
  });
}

/** A readable report of violations for the failure message. */
export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} ${n.html}\n    ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
}

export const SCREENSHOTS = path.resolve('test-results/screenshots');
