/**
 * The head of a proposal's chain: how many events it holds and the hash of the last one. Every
 * printed or exported record carries it (views/partials/chain_head.ejs), so the record can be
 * checked against the log years later with `npm run verify-log -- --against FILE`, even if
 * someone with SQL access rewrote both the events and the proposals table since.
 */
import type { Executor } from '../db/schema.ts';
import { lastEntry } from '../proposals/events.repository.ts';

export interface ChainHead {
  proposalId: string;
  /** Number of events in the chain: the sequence number of the last one. */
  events: number;
  /** Hash of the last event (64 hexadecimal digits). */
  lastHash: string;
}

/** The current head of one proposal's chain, read from the log itself; null when it has no event. */
export async function chainHead(db: Executor, proposalId: string): Promise<ChainHead | null> {
  const last = await lastEntry(db, proposalId);
  return last ? { proposalId, events: last.seq, lastHash: last.hash } : null;
}

/** One line of a heads file: `proposal-id event-count last-hash`. */
export function formatHead(head: ChainHead): string {
  return `${head.proposalId} ${head.events} ${head.lastHash}`;
}

/** A heads file: a comment saying what it is, then one line per proposal. */
export function formatHeads(heads: readonly ChainHead[], at: Date = new Date()): string {
  const header = `# Sans Objection : têtes de chaîne du journal au ${at.toISOString()} (identifiant, nombre d’événements, dernière empreinte)`;
  return [header, ...heads.map(formatHead)].join('\n') + '\n';
}

export class HeadsFileError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(
      `Relevé de têtes de chaîne illisible, ligne ${line} : ${reason}. Chaque ligne doit être « identifiant-de-proposition nombre-d’événements empreinte » (64 chiffres hexadécimaux) ; les lignes vides et celles qui commencent par # sont ignorées.`,
    );
    this.name = 'HeadsFileError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^[0-9a-f]{64}$/i;

/** Parses a heads file; throws HeadsFileError naming the first bad line. */
export function parseHeads(text: string): ChainHead[] {
  const heads: ChainHead[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const at = index + 1;
    if (fields.length !== 3) throw new HeadsFileError(at, `${fields.length} champs au lieu de 3`);
    const [proposalId, count, hash] = fields as [string, string, string];
    if (!UUID.test(proposalId)) throw new HeadsFileError(at, `« ${proposalId} » n’est pas un identifiant de proposition`);
    if (!/^[1-9][0-9]*$/.test(count)) throw new HeadsFileError(at, `« ${count} » n’est pas un nombre d’événements`);
    if (!HASH.test(hash)) throw new HeadsFileError(at, `« ${hash} » n’est pas une empreinte complète`);
    heads.push({ proposalId: proposalId.toLowerCase(), events: Number(count), lastHash: hash.toLowerCase() });
  }
  return heads;
}
