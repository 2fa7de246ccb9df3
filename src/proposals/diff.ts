/**
 * The difference between two versions of a text, as people read it: word by word (whitespace kept,
 * so joining the parts gives back each text), with neighbouring changes merged into one removed
 * passage followed by one added passage, never « ~~jours~~jours. ~~et~~Ses ». The word diff itself
 * is the `diff` package's (Myers' algorithm); this module only shapes it for the views.
 */
import { diffWordsWithSpace } from 'diff';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Both texts side by side (« avant / après »): each keeps its own words, the changed passages marked. */
export interface SideBySide {
  before: { text: string; changed: boolean }[];
  after: { text: string; changed: boolean }[];
}

/**
 * Two changes separated by less than this many words of unchanged text are one change: reading
 * « ~~une semaine~~dix jours » is easier than three small edits around a kept « de ».
 */
const MERGE_GAP_WORDS = 3;
/** Past this many edits, the texts have little in common: shown as one replacement (and the diff stays fast). */
const MAX_EDITS = 400;

const words = (s: string): number => (s.match(/[^\s]+/g) ?? []).length;

/** The word-level difference between `before` and `after`, neighbouring changes merged. */
export function diffWords(before: string, after: string): DiffPart[] {
  if (before === after) return before ? [{ kind: 'same', text: before }] : [];
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDITS });
  const raw: DiffPart[] = changes
    ? changes.map((c) => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }))
    : [
        { kind: 'removed', text: before },
        { kind: 'added', text: after },
      ];
  return merge(raw);
}

/** The same difference laid out as two columns, « avant » and « après ». */
export function sideBySide(parts: DiffPart[]): SideBySide {
  const result: SideBySide = { before: [], after: [] };
  for (const p of parts) {
    if (p.kind !== 'added') result.before.push({ text: p.text, changed: p.kind === 'removed' });
    if (p.kind !== 'removed') result.after.push({ text: p.text, changed: p.kind === 'added' });
  }
  return result;
}

/**
 * Groups each run of changes whose unchanged gaps are short (under MERGE_GAP_WORDS words) into one
 * removed then one added passage; the short gaps go into both. Longer unchanged text stays as it is.
 */
function merge(raw: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let removed = '';
  let added = '';
  let open = false;
  const flush = () => {
    if (removed) out.push({ kind: 'removed', text: removed });
    if (added) out.push({ kind: 'added', text: added });
    removed = added = '';
    open = false;
  };
  raw.forEach((part, i) => {
    if (part.kind === 'removed') {
      removed += part.text;
      open = true;
    } else if (part.kind === 'added') {
      added += part.text;
      open = true;
    } else if (open && i < raw.length - 1 && words(part.text) < MERGE_GAP_WORDS && raw[i + 1]!.kind !== 'same') {
      // a short gap between two changes: it belongs to the change, read once before and once after
      removed += part.text;
      added += part.text;
    } else {
      flush();
      out.push({ kind: 'same', text: part.text });
    }
  });
  flush();
  // the whitespace at the edges of a merged passage is no change: give it back to the text around it
  return trimEdges(out);
}

/** Moves whitespace shared by the start (or end) of a removed/added pair out into the unchanged text. */
function trimEdges(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const q = parts[i + 1];
    if (p.kind === 'removed' && q?.kind === 'added') {
      const lead = commonEdge(p.text, q.text, /^\s+/);
      const trail = commonEdge(p.text.slice(lead.length), q.text.slice(lead.length), /\s+$/);
      const r = p.text.slice(lead.length, p.text.length - trail.length);
      const a = q.text.slice(lead.length, q.text.length - trail.length);
      pushSame(out, lead);
      if (r) out.push({ kind: 'removed', text: r });
      if (a) out.push({ kind: 'added', text: a });
      pushSame(out, trail);
      i++;
    } else if (p.kind === 'same') pushSame(out, p.text);
    else out.push(p);
  }
  return out;
}

function commonEdge(a: string, b: string, edge: RegExp): string {
  const x = edge.exec(a)?.[0] ?? '';
  const y = edge.exec(b)?.[0] ?? '';
  return x === y ? x : '';
}

function pushSame(out: DiffPart[], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.kind === 'same') last.text += text;
  else out.push({ kind: 'same', text });
}
