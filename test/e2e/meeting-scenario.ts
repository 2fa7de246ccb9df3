/**
 * The Atelier 3 meeting, held in real browsers: a facilitator (console), a projector, the proposer
 * (porteur view), three participants with devices and one without (recorded by the facilitator).
 * Every JavaScript page follows each step live (SSE + htmx) and is never reloaded.
 */
import path from 'node:path';
import { expect } from 'vitest';
import type { Browser } from 'playwright-core';
import { join, Person, SCREENSHOTS, signIn, WAIT, type BrowserDocument } from './meeting-support.ts';
import { elide } from '../../src/i18n/elision.ts';

declare const document: BrowserDocument;

export const TITLE = "Passer d'une culture du consensus à une culture du consentement";
export const NAMES = {
  facilitator: 'Farid Facilitateur',
  proposer: 'Maëlle Membre',
  alice: 'Alice Agente',
  bob: 'Bob Habitant',
  chloe: 'Chloé Élue',
  dominique: 'Dominique Sans Appareil',
} as const;
const TEXT_V1 =
  "Passer d'une culture du consensus à une culture du consentement : une décision est prise quand personne n'y voit d'objection argumentée, au lieu d'attendre que tout le monde soit d'accord.";
const TEXT_V2 = `${TEXT_V1}\nChaque décision est relue à sa date de révision.`;
const TEXT_V3 = `${TEXT_V2}\nLes élus du conseil reçoivent le relevé de chaque décision dans la semaine.`;
const OBJECTION_VALID = 'Les élus du conseil ne seront pas informés des décisions prises ainsi : ils doivent pouvoir en rendre compte.';
const OBJECTION_NOT_VALID = "Je préfère qu'on vote, c'est plus simple.";

export type Stage = 'clarification' | 'testing' | 'integration' | 'adopted';

export interface People {
  facilitator: Person;
  projector: Person;
  proposer: Person;
  alice: Person;
  /** Keyboard only when asked. */
  bob: Person;
  /** Without JavaScript when asked. */
  chloe: Person;
}

export interface ScenarioOptions {
  /** Base URL of the server each person uses. */
  servers: Record<keyof People, string>;
  chloeWithoutJs: boolean;
  bobKeyboardOnly: boolean;
  /** Called at a few stages (axe-core, screenshots). */
  checkpoint?: (stage: Stage, meeting: { id: string; code: string; people: People }) => Promise<void>;
  /** After adoption: the decision moment, closing, the printed relevé, a guest who signs out and rejoins. */
  closing?: boolean;
  /** Called once the proposal is drafted, on the draft page before it is sent. */
  onDraftPage?: (meetingId: string) => Promise<void>;
}

export async function openPeople(browser: Browser, options: ScenarioOptions): Promise<People> {
  const s = options.servers;
  return {
    facilitator: await Person.open(browser, NAMES.facilitator, s.facilitator),
    projector: await Person.open(browser, 'projecteur', s.projector),
    proposer: await Person.open(browser, NAMES.proposer, s.proposer, { width: 1280 }),
    alice: await Person.open(browser, NAMES.alice, s.alice, { width: 360 }),
    bob: await Person.open(browser, NAMES.bob, s.bob, { width: 360, keyboard: options.bobKeyboardOnly }),
    chloe: await Person.open(browser, NAMES.chloe, s.chloe, { width: 360, js: !options.chloeWithoutJs }),
  };
}

/** Holds the whole meeting; returns its id. */
export async function holdMeeting(
  people: People,
  options: ScenarioOptions,
  db: { query: <T>(text: string, values?: unknown[]) => Promise<T[]> },
): Promise<string> {
  const { facilitator, projector, proposer, alice, bob, chloe } = people;
  const everyone = Object.values(people);
  const live = () => everyone.filter((p) => p.js);

  // ---- before the meeting: the facilitator creates it, people join, the proposer drafts ----
  await signIn(facilitator, 'facilitation@demo.local', '/seances/nouvelle');
  await facilitator.page.selectOption('#f-circleId', { label: 'Direction générale' });
  await facilitator.fill('#f-title', 'Atelier 3 : décider par consentement');
  await facilitator.fill('#f-scheduledFor', '2026-05-04T14:00');
  await facilitator.press('form[action="/seances/nouvelle"] button[type="submit"]');
  await facilitator.page.waitForURL(/\/seances\/[0-9a-f-]{36}$/);
  const meetingId = /\/seances\/([0-9a-f-]{36})$/.exec(facilitator.page.url())![1]!;
  const code = await facilitator.text('.join-code');
  expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);

  await signIn(projector, 'facilitation@demo.local');
  await signIn(proposer, 'membre@demo.local');
  // the member who has not joined yet opens the participant view: told why she takes no turn, she joins from there
  await proposer.goto(`/seances/${meetingId}/participant`);
  expect(await proposer.text('#outside-round')).toContain('Vous n’avez pas rejoint cette séance');
  expect(await proposer.page.$('#your-turn')).toBeNull();
  await proposer.press('#btn-join-seance');
  await proposer.page.waitForURL(new RegExp(`/seances/${meetingId}$`));
  await proposer.goto(`/seances/${meetingId}/propositions/nouvelle`);
  await proposer.fill('#f-title', TITLE);
  await proposer.fill('#f-tension', 'Nos décisions traînent : attendre que tout le monde soit d’accord épuise le groupe et repousse ce qui est urgent.');
  await proposer.fill('#f-text', TEXT_V1);
  await proposer.fill('#f-criteria', 'Délai entre une proposition et sa décision ; nombre de décisions revues à leur date.');
  await proposer.fill('#f-reviewDate', '2027-06-30');
  if (proposer.js) {
    // F5 in the middle of typing: the text areas come back from the tab's sessionStorage (public/js/drafts.js)
    await proposer.page.reload({ waitUntil: 'load' });
    await expect.poll(() => proposer.page.inputValue('#f-text'), { timeout: WAIT }).toBe(TEXT_V1);
    expect(await proposer.page.$('#f-text[data-draft-restored]')).not.toBeNull();
    await proposer.fill('#f-title', TITLE);
    await proposer.fill('#f-reviewDate', '2027-06-30');
  }
  await options.onDraftPage?.(meetingId);
  await proposer.press('form[action$="/propositions"] button[type="submit"]');
  await proposer.page.waitForURL(/\/participant$/);
  if (proposer.js) {
    // accepted: the drafts are forgotten, a new proposal starts blank
    await proposer.goto(`/seances/${meetingId}/propositions/nouvelle`);
    expect(await proposer.page.inputValue('#f-text')).toBe('');
  }

  await join(alice, code, NAMES.alice);
  await join(bob, code, NAMES.bob);
  await join(chloe, code, NAMES.chloe);

  await facilitator.goto(`/seances/${meetingId}/console`);
  await projector.goto(`/seances/${meetingId}/projection`);
  await proposer.goto(`/seances/${meetingId}/porteur`);
  for (const p of [alice, bob, chloe]) await p.goto(`/seances/${meetingId}/participant`);
  expect(await facilitator.text('#live .agenda')).toContain(TITLE);
  expect(await projector.text('.join-code')).toBe(code);
  expect(await projector.page.$('.qr svg')).not.toBeNull();
  for (const p of live()) await waitConnected(p);
  for (const p of everyone) p.settle();

  /**
   * One step of the meeting: `actor` acts, then every page with JavaScript shows the new state
   * (same event sequence number as the actor's own page) without having been reloaded.
   */
  const t0 = Date.now();
  const trace = (what: string) => {
    if (process.env.E2E_TRACE) console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
  };
  async function step(actor: Person, act: () => Promise<void>, stage?: string): Promise<number> {
    trace(`${actor.name} acts`);
    const before = await actor.seq();
    await act();
    if (actor.js) await actor.page.waitForSelector(`#live:not([data-seq="${before}"])`, { state: 'attached' });
    const seq = await actor.seq();
    expect(seq, `${actor.name}'s action was not recorded`).toBeGreaterThan(before);
    await Promise.all(live().map((p) => p.page.waitForSelector(`#live[data-seq="${seq}"]${stage ? `[data-stage="${stage}"]` : ''}`, { state: 'attached' })));
    for (const p of live()) p.expectNoReload();
    trace(`  all at seq ${seq}`);
    const error = await actor.page.$('#action-error');
    expect(error ? await error.textContent() : null, `${actor.name}'s action was refused`).toBeNull();
    return seq;
  }
  /** Everyone with JavaScript sees `selector` (live), the page without JavaScript after a reload. */
  async function allSee(selector: string, who: Person[] = everyone): Promise<void> {
    await Promise.all(
      who.map((p) =>
        p.see(selector).catch(async (error: Error) => {
          const html = await p.page.innerHTML('#live').catch(() => '(no #live)');
          throw new Error(`${p.name} does not see ${selector}: ${error.message}\n${html.replace(/\s+/g, ' ').slice(0, 4000)}`);
        }),
      ),
    );
  }
  const turnOf = (p: Person) => p.see('#your-turn');
  /** The projector shows the round and the objections, not what was said. */
  const talk = () => live().filter((p) => p !== projector);
  /** The proposer's view shows what was said and the objections, not the round order. */
  const rounds = () => live().filter((p) => p !== proposer);

  // ---- presentation and clarification ----
  await step(facilitator, () => facilitator.press('#btn-presenter'), 'presentation');
  await step(facilitator, () => facilitator.press('#btn-ouvrir-clarification'), 'clarification');
  await turnOf(alice);
  expect(await projector.text('#turn-banner')).toContain(NAMES.alice);
  expect(await bob.text('#turn-banner')).toContain(NAMES.alice);
  expect(await facilitator.text('#turn-banner')).toContain(`Ensuite : ${NAMES.bob}`); // text() folds the non-breaking space
  expect(await proposer.page.$('#btn-question')).toBeNull(); // the proposer does not ask questions
  trace('checkpoint');
  await options.checkpoint?.('clarification', { id: meetingId, code, people });

  // Alice starts typing; meanwhile the facilitator adds Dominique, who is in the room without a
  // device. Alice's view is refreshed by the signal: her focus and her text stay where they were.
  await alice.fill('#f-question', 'Qui tranche');
  await alice.page.evaluate(() => document.getElementById('live')!.setAttribute('data-before-refresh', ''));
  const countBefore = await projector.text('#present-count');
  await facilitator.fill('#f-in-room', NAMES.dominique);
  await facilitator.press('#form-in-room button[type="submit"]');
  await facilitator.page.waitForSelector(`.presence-list li:has-text("${NAMES.dominique}")`);
  expect(await facilitator.text('.presence-list')).toContain('sans appareil');
  await expect.poll(() => projector.text('#present-count'), { timeout: WAIT }).not.toBe(countBefore);
  await alice.page.waitForSelector('#live:not([data-before-refresh])', { state: 'attached' });
  expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('f-question');
  expect(await alice.page.inputValue('#f-question')).toBe('Qui tranche');
  await alice.page.keyboard.type(' quand personne ne se met d’accord ?');

  await step(alice, () => alice.press('#btn-question'));
  await allSee(`.said-item:has-text("Qui tranche quand personne ne se met d’accord ?")`, talk());

  // While the question waits, every view says who must act: the proposer answers Alice's question,
  // Alice waits (no « À vous ! »), and the order list agrees with the banner.
  await alice.see('#awaiting-answer');
  expect(await alice.text('#awaiting-answer')).toBe(`En attente de la réponse de ${NAMES.proposer} à votre question.`);
  expect(await alice.page.$('#your-turn')).toBeNull();
  const answering = `${NAMES.proposer} répond à la question ${elide('de', NAMES.alice)}`;
  for (const p of [facilitator, projector, bob]) await p.see(`#turn-banner:has-text("${answering}")`);
  expect(await facilitator.text('.turn-awaiting')).toContain(NAMES.alice);
  expect(await proposer.text('#your-turn')).toContain(`Répondez à la question ${elide('de', NAMES.alice)}.`);
  // Alice looks at the navigation while the proposer answers: the announcement changes (Bob's
  // turn), her focus does not move.
  await alice.page.focus('.views-nav a[aria-current="page"]');
  const announceBefore = await alice.text('#announce');
  expect(announceBefore).toContain('En attente de la réponse');
  await proposer.fill('textarea[id^="f-answer-"]', 'Personne ne tranche : on cherche ensemble ce qui lève l’objection.');
  await step(proposer, () => proposer.press('#btn-repondre'));
  await expect.poll(() => alice.text('#announce'), { timeout: WAIT }).toBe(`Tour de clarification. C’est au tour de ${NAMES.bob}`);
  expect(await alice.page.evaluate(() => document.activeElement?.matches('.views-nav a[aria-current="page"]'))).toBe(true);
  expect(await alice.page.getAttribute('#announce', 'aria-live')).toBe('polite');
  await allSee('.said-answer:has-text("Personne ne tranche")', talk());

  await turnOf(bob);
  await bob.fill('#f-question', 'Une préoccupation bloque-t-elle la décision ?');
  await step(bob, () => bob.press('#btn-question'));
  await proposer.fill('textarea[id^="f-answer-"]', 'Non : elle est notée et suivie, mais elle ne bloque pas.');
  await step(proposer, () => proposer.press('#btn-repondre'));

  await turnOf(chloe);
  await step(chloe, () => chloe.press('#btn-passer'));
  await allSee(`.turn-passed:has-text("${NAMES.chloe}")`, rounds());
  expect(await projector.text('#round-progress')).toBe('3 sur 3 ont pris leur tour');

  // ---- reactions: Dominique (no device) is in the round; the facilitator records his turn ----
  await step(facilitator, () => facilitator.press('#btn-ouvrir-reactions'), 'reactions');
  expect(await projector.text('.turns')).toContain(NAMES.dominique);
  await turnOf(alice);
  await alice.fill('#f-reaction', 'Soulagée : on avancera enfin.');
  await step(alice, () => alice.press('#btn-reaction'));
  await turnOf(bob);
  await bob.fill('#f-reaction', 'Inquiet que les élus soient tenus à l’écart.');
  await step(bob, () => bob.press('#btn-reaction'));
  await turnOf(chloe);
  await chloe.fill('#f-reaction', 'Curieuse de voir comment on teste une objection.');
  await step(chloe, () => chloe.press('#btn-reaction'));
  await facilitator.see(`.on-behalf h3:has-text("Saisir pour ${NAMES.dominique}")`);
  await facilitator.fill('#f-reaction-pour', 'Content qu’on écoute tout le monde, même sans téléphone.');
  await step(facilitator, () => facilitator.press('#btn-reaction-pour'));
  const recorded = `saisi pour ${NAMES.dominique} par ${NAMES.facilitator}`;
  await allSee(`.turn-spoke:has-text("${recorded}")`, rounds());

  // ---- amendment by the proposer, motivated by Bob's reaction ----
  await step(facilitator, () => facilitator.press('#btn-ouvrir-bonification'), 'amendment');
  await proposer.page.fill('#f-amend', TEXT_V2);
  await proposer.fill('#f-amend-note', 'Ajout de la révision, suite aux réactions.');
  await proposer.page.check(`.motives .check:has-text("Réaction de ${NAMES.bob}") input`);
  await step(proposer, () => proposer.press('#btn-amender'));
  await allSee('#version-badge:has-text("Version 2")', live());
  await allSee('.diff-text ins', [projector, facilitator, alice]);

  // ---- first objection round: two objections ----
  await step(facilitator, () => facilitator.press('#btn-ouvrir-objections'), 'objections');
  await turnOf(proposer);
  await step(proposer, () => proposer.press('#btn-pas-objection'));
  await turnOf(alice);
  await alice.fill('#f-objection', OBJECTION_VALID);
  await step(alice, () => alice.press('#btn-objection'));
  await turnOf(bob);
  await bob.fill('#f-objection', OBJECTION_NOT_VALID);
  await step(bob, () => bob.press('#btn-objection'));
  await turnOf(chloe);
  await step(chloe, () => chloe.press('#btn-pas-objection'));
  await facilitator.see('#btn-pas-objection-pour');
  await step(facilitator, () => facilitator.press('#btn-pas-objection-pour'), 'testing');
  await allSee(`.objection:has-text("${NAMES.bob}") .badge:has-text("à tester")`, live());
  trace('checkpoint');
  await options.checkpoint?.('testing', { id: meetingId, code, people });

  // ---- testing: Alice's objection is valid, Bob's is not (kept as a concern) ----
  const testForm = async (objector: string) => {
    const form = facilitator.page.locator('form.action-tester', { hasText: `Tester l’objection ${elide('de', objector)}` });
    return (await form.getAttribute('id'))!.replace('form-tester-', '');
  };
  const aliceObjection = await testForm(NAMES.alice);
  const bobObjection = await testForm(NAMES.bob);
  for (const [id, answer, ruling] of [
    [bobObjection, 'non', 'not-valid'],
    [aliceObjection, 'oui', 'valid'],
  ] as const) {
    await facilitator.press(`#f-${id}-importante-${answer}`, 'Space');
    await facilitator.press(`#f-${id}-argumentee-${answer}`, 'Space');
    await facilitator.press(`#f-${id}-${ruling}`, 'Space');
    await step(facilitator, () => facilitator.press(`#btn-tester-${id}`));
  }
  await allSee(`#live[data-stage="integration"] #objection-${bobObjection}[data-outcome="not_valid"]`, live());
  await allSee(`#objection-${aliceObjection} .badge-active`, [projector, facilitator, alice, proposer]);
  expect(await projector.text('.objections')).toContain('non recevable, gardée comme préoccupation');

  // ---- integration: the proposer amends, the objector lifts, the proposer confirms the tension ----
  await proposer.page.fill('#f-amend', TEXT_V3);
  await proposer.fill('#f-amend-note', 'Les élus reçoivent le relevé des décisions.');
  await proposer.page.check(`.motives .check:has-text("Objection ${elide('de', NAMES.alice)}") input`);
  await step(proposer, () => proposer.press('#btn-amender'));
  await allSee('#version-badge:has-text("Version 3")', live());
  trace('checkpoint');
  await options.checkpoint?.('integration', { id: meetingId, code, people });
  await alice.see('#btn-levee');
  await step(alice, () => alice.press('#btn-levee'));
  await allSee(`#objection-${aliceObjection} :text("${NAMES.alice} confirme que l’objection est levée")`, [projector, facilitator]);
  await proposer.see('#btn-tension-resolue');
  await step(proposer, () => proposer.press('#btn-tension-resolue'));
  await allSee(`#objection-${aliceObjection}[data-outcome="integrated"]`, live());

  // ---- second objection round on version 3: no objection, adopted ----
  await step(facilitator, () => facilitator.press('#btn-ouvrir-objections'), 'objections');
  await turnOf(proposer);
  await step(proposer, () => proposer.press('#btn-pas-objection'));
  for (const p of [alice, bob, chloe]) {
    await turnOf(p);
    await step(p, () => p.press('#btn-pas-objection'));
  }
  await facilitator.see('#btn-pas-objection-pour');
  await step(facilitator, () => facilitator.press('#btn-pas-objection-pour'), 'adopted');
  await allSee('#live[data-stage="adopted"] .decision');
  expect(await projector.text('.decision')).toContain('Version adoptée : 3');
  trace('checkpoint');
  await options.checkpoint?.('adopted', { id: meetingId, code, people });

  // ---- the record ----
  const objections = await db.query<{ reasoning: string; objector: string; ruling: string; outcome: string; decided_by: string | null }>(
    `select o.reasoning, p.display_name as objector, o.ruling, o.outcome, d.display_name as decided_by
       from objections o join persons p on p.id = o.objector_id left join persons d on d.id = o.decided_by
       join proposals pr on pr.id = o.proposal_id
      where pr.meeting_id = $1
      order by o.raised_at`,
    [meetingId],
  );
  expect(objections.map((o) => [o.objector, o.reasoning, o.ruling, o.outcome])).toEqual([
    [NAMES.alice, OBJECTION_VALID, 'valid', 'integrated'],
    [NAMES.bob, OBJECTION_NOT_VALID, 'not_valid', 'not_valid'],
  ]);
  for (const o of objections) expect(o.decided_by).not.toBeNull();
  const proposal = await db.query<{ stage: string; versions: number }>(
    `select stage, (select count(*)::int from proposal_versions v where v.proposal_id = p.id) as versions from proposals p where p.meeting_id = $1`,
    [meetingId],
  );
  expect(proposal).toEqual([{ stage: 'adopted', versions: 3 }]);
  const onBehalf = await db.query<{ kind: string; body: string | null; recorder: string }>(
    `select c.kind, c.body, r.display_name as recorder from contributions c join persons p on p.id = c.person_id join persons r on r.id = c.recorded_by where p.display_name = $1 order by c.id`,
    [NAMES.dominique],
  );
  expect(onBehalf.length).toBeGreaterThanOrEqual(3);
  expect(onBehalf.every((c) => c.recorder === NAMES.facilitator)).toBe(true);
  expect(onBehalf[0]).toMatchObject({ kind: 'reaction', body: 'Content qu’on écoute tout le monde, même sans téléphone.' });

  if (options.closing) await closeAndRejoin({ people, meetingId, code, db, everyone: live() });

  for (const p of everyone) expect(p.problems, `${p.name}: console errors`).toEqual([]);
  return meetingId;
}

/** Waits until the page's event stream is open (its first signal would otherwise be missed). */
async function waitConnected(p: Person): Promise<void> {
  await p.page.waitForFunction(
    () => {
      const shell = document.querySelector('[sse-connect]') as unknown as { 'htmx-internal-data'?: { sseEventSource?: { readyState: number } } } | null;
      const source = shell?.['htmx-internal-data']?.sseEventSource;
      return !!source && source.readyState === 1;
    },
    undefined,
    { timeout: WAIT },
  );
}

/**
 * After adoption: the decision moment on every view, the facilitator closes the séance, everyone
 * opens the relevé (printed to A4: its screenshot is kept), and Alice signs out, opens her view
 * again, is sent to /rejoindre and comes back as the same person.
 */
async function closeAndRejoin(s: {
  people: People;
  meetingId: string;
  code: string;
  db: { query: <T>(text: string, values?: unknown[]) => Promise<T[]> };
  everyone: Person[];
}): Promise<void> {
  const { facilitator, proposer, alice, projector } = s.people;
  for (const p of [facilitator, proposer, alice, projector]) await p.see('#decision-moment');
  expect(await facilitator.text('#decision-moment')).toContain('Nous avons une décision');

  // Alice signs out on her phone, from her live view (its stream ends with « fin »: no console error), and
  // opens her view again: the séance's join page, then the same person (on a phone the header's sign-out
  // button may be folded away: the form is submitted as the button would)
  expect(new URL(alice.page.url()).pathname).toBe(`/seances/${s.meetingId}/participant`);
  await Promise.all([
    alice.page.waitForNavigation({ waitUntil: 'load' }),
    alice.page.$eval('form[action="/deconnexion"]', (f) => (f as unknown as { requestSubmit(): void }).requestSubmit()),
  ]);
  await alice.goto(`/seances/${s.meetingId}/participant`);
  expect(new URL(alice.page.url()).pathname).toBe(`/rejoindre/${s.code}`);
  await join(alice, s.code, NAMES.alice);
  await alice.goto(`/seances/${s.meetingId}/participant`);
  await alice.see('#decision-moment');
  const people = await s.db.query<{ n: number }>(`select count(*)::int as n from persons where display_name = $1`, [NAMES.alice]);
  expect(people).toEqual([{ n: 1 }]);

  // the facilitator closes the séance; every view says so and links the relevé
  await facilitator.press('#btn-cloturer-seance');
  await Promise.all(s.everyone.map((p) => p.page.waitForSelector('#releve-link', { state: 'attached', timeout: WAIT })));
  expect(await alice.text('#seance-state')).toContain('Séance clôturée');

  // the relevé, laid out for A4 print (the browser's « print to PDF » is the PDF)
  await facilitator.goto(`/seances/${s.meetingId}/releve`);
  await facilitator.page.emulateMedia({ media: 'print' });
  await facilitator.page.screenshot({ path: path.join(SCREENSHOTS, 'releve-print.png'), fullPage: true });
  const pdf = await facilitator.page.pdf({ format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
  expect(await facilitator.text('.seance-releve')).toContain(TITLE);
  await facilitator.page.emulateMedia({ media: 'screen' });
  await alice.goto(`/seances/${s.meetingId}/releve`);
  expect(await alice.text('.seance-releve')).toContain('Avis consultatif');
}
