/** The French lines verify-log prints: one per finding, naming the proposal, the event or the row. */
import type { ChainBreak } from './verify.ts';
import type { ReadModelDifference, ReplayFailure } from './read-models.ts';

// French plural: 0 and 1 take the singular.
export const count = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`;

/** « l’événement n° 5 a été supprimé » or « les événements n° 3 à 5 ont été supprimés ». */
function removed(from: number, to: number): string {
  return from === to ? `l’événement n° ${from} a été supprimé` : `les événements n° ${from} à ${to} ont été supprimés`;
}

/** A head written `count hash` (or `0`) in a finding. */
function head(value: string | undefined): { events: number; hash: string } {
  const [events, hash] = (value ?? '0').split(' ');
  return { events: Number(events), hash: hash ?? '' };
}

function reason(b: ChainBreak): string {
  const stored = head(b.stored);
  const expected = head(b.expected);
  switch (b.reason) {
    case 'hash_mismatch':
      return 'l’empreinte ne correspond plus au contenu de l’événement';
    case 'broken_link':
      return 'l’empreinte précédente ne correspond pas à l’événement d’avant';
    case 'sequence_gap':
      return `la numérotation présente un trou : cet événement manque (supprimé), la chaîne passe à l’événement ${b.stored}`;
    case 'column_mismatch':
      return `la colonne ${b.column} vaut « ${b.stored} » alors que l’événement enregistré sous son empreinte dit « ${b.expected} »`;
    case 'head_truncated':
      return `la proposition enregistre ${count(stored.events, 'événement', 'événements')} mais le journal ${expected.events ? `s’arrête à l’événement n° ${expected.events}` : 'n’en contient aucun'} : ${removed(b.seq, stored.events)}`;
    case 'head_mismatch':
      return expected.events !== stored.events
        ? `le journal contient ${count(expected.events, 'événement', 'événements')} mais la proposition en enregistre ${stored.events} : la tête enregistrée (last_seq, last_hash) a été réécrite`
        : `la proposition enregistre pour dernière empreinte ${stored.hash}, or celle de l’événement n° ${b.seq} est ${expected.hash} : la tête enregistrée ou cet événement a été réécrit`;
    case 'no_proposal':
      return `le journal contient ${count(b.seq, 'événement', 'événements')} pour une proposition absente de la table proposals`;
    case 'witness_missing':
      return `le relevé atteste ${count(expected.events, 'événement', 'événements')} (dernière empreinte ${expected.hash}), le journal n’en contient aucun : ${removed(1, expected.events)}`;
    case 'witness_truncated':
      return `le relevé atteste ${count(expected.events, 'événement', 'événements')} (dernière empreinte ${expected.hash}), le journal s’arrête à l’événement n° ${stored.events} : ${removed(b.seq, expected.events)}`;
    case 'witness_rewritten':
      return `le relevé atteste pour cet événement l’empreinte ${expected.hash}, le journal lui donne ${stored.hash} : cet événement ou l’un de ceux d’avant a été réécrit`;
  }
}

export function describeBreak(b: ChainBreak): string {
  const prefix = b.reason.startsWith('witness_') ? 'NON CONFORME AU RELEVÉ' : 'ALTÉRÉ';
  return `${prefix} : proposition ${b.streamId}, événement n° ${b.seq}${b.eventId === null ? '' : ` (id ${b.eventId})`} : ${reason(b)}.`;
}

export function describeDifference(d: ReadModelDifference): string {
  const where = `table ${d.table}, ligne ${d.key}`;
  if (d.column === null) {
    return d.stored === null
      ? `DIFFÉRENT : ${where} : le journal donne cette ligne, elle manque dans la table.`
      : `DIFFÉRENT : ${where} : cette ligne est dans la table mais le journal ne la donne pas.`;
  }
  return `DIFFÉRENT : ${where}, colonne ${d.column} : enregistré ${clip(d.stored)}, le journal donne ${clip(d.expected)}.`;
}

export function describeReplayFailure(f: ReplayFailure): string {
  return `REJEU IMPOSSIBLE : proposition ${f.streamId}, événement n° ${f.seq} : ${f.message}.`;
}

function clip(value: string | null): string {
  const text = value ?? 'null';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
