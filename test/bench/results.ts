/**
 * bench/results.md: one section per part, each with the date and commit it was measured at, so
 * that rerunning one part (`npm run bench -- fanout`) rewrites its section and keeps the others.
 * The analysis between `<!-- notes -->` and `<!-- /notes -->` is written by hand and kept.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes.ts';
import { show, type Repeated } from './stats.ts';

export interface Row {
  figure: string;
  value: string;
  baseline: string;
  /** value / baseline, as the goal reads it. */
  ratio: string;
  goal: string;
  met: boolean | null;
}

export interface Section {
  part: string;
  title: string;
  rows: Row[];
  /** One line under the table: what exactly was measured. */
  how: string;
}

const FILE = path.join(ROOT, 'bench/results.md');

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'views', 'public', 'migrations'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

function render(s: Section, env: { postgres: string; cpus: string }): string {
  const lines = [
    `<!-- part:${s.part} -->`,
    `## ${s.title}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit()}; ${env.cpus}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${env.postgres.split(' on ')[0]}.`,
    '',
    '| figure (median of the repetitions, min–max) | measured | baseline in the same run | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...s.rows.map((r) => `| ${r.figure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`),
    '',
    s.how,
    `<!-- /part:${s.part} -->`,
  ];
  return lines.join('\n');
}

const ORDER = ['write', 'fanout', 'memory', 'start', 'bytes', 'register'];

/**
 * Writes each measured part into bench/results.md in place: its block between its markers is
 * replaced (or added before the notes), and everything else in the file (notes, hand-written
 * sections between parts) is kept as it is.
 */
export async function writeResults(sections: Section[], env: { postgres: string; cpus: string }): Promise<void> {
  let text = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
  if (!text.trim())
    text = [
      '# Benchmark results',
      '',
      'Written by `npm run bench` (test/bench/run.ts): the app measured from outside, as production runs it',
      "(package.json's `serve` script, NODE_ENV=production, logs at info), on a throwaway PostgreSQL 15 started by",
      '`.ci/postgres.sh` (fsync off, as in CI), every figure next to its baseline measured in the same run.',
      'Each part says when and at which commit it was measured; `npm run bench -- <part>` rewrites only its own.',
      '',
      '<!-- notes -->\n## Where a goal is missed, and why\n\n(written by hand after a run)\n<!-- /notes -->',
      '',
    ].join('\n');
  for (const s of sections) {
    const block = render(s, env);
    const existing = new RegExp(`<!-- part:${s.part} -->[\\s\\S]*?<!-- /part:${s.part} -->`);
    if (existing.test(text)) text = text.replace(existing, () => block);
    else {
      // a part measured for the first time goes before the next part in ORDER that is there, or before the notes
      const after = ORDER.slice(ORDER.indexOf(s.part) + 1).find((p) => text.includes(`<!-- part:${p} -->`));
      const marker = after ? `<!-- part:${after} -->` : text.includes('<!-- notes -->') ? '<!-- notes -->' : null;
      text = marker ? text.replace(marker, () => `${block}\n\n${marker}`) : `${text.trimEnd()}\n\n${block}\n`;
    }
  }
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.writeFileSync(FILE, text);
  console.log(`bench: results written to ${path.relative(process.cwd(), FILE)}`);
}

const ratio = (a: Repeated, b: Repeated) => a.median / b.median;
const ms = (r: Repeated) => show(r, 0, ' ms');

export const section = {
  write(levels: readonly (readonly [number, Record<string, Repeated>])[], turns: number): Section {
    const rows: Row[] = [];
    for (const [clients, g] of levels) {
      for (const [key, label] of [
        ['pass', '« passer » turns'],
        ['react', '200-character reactions'],
      ] as const) {
        const r = ratio(g[`${key}.rps`]!, g['bare.rps']!);
        rows.push({
          figure: `${label}, ${clients} clients: req/s; p50 / p95 / p99`,
          value: `${show(g[`${key}.rps`]!)} req/s; ${ms(g[`${key}.p50`]!)} / ${ms(g[`${key}.p95`]!)} / ${ms(g[`${key}.p99`]!)}${g[`${key}.failed`]!.max > 0 ? `; ${show(g[`${key}.failed`]!)} failed` : ''}`,
          baseline: `bare Express + pg one INSERT: ${show(g['bare.rps']!)} req/s; ${ms(g['bare.p50']!)} / ${ms(g['bare.p95']!)} / ${ms(g['bare.p99']!)}`,
          ratio: r.toFixed(2),
          goal: '≥ 0.5',
          met: r >= 0.5,
        });
      }
      const total = (key: string) => g[`${key}.appCpu`]!.median + g[`${key}.dbCpu`]!.median;
      const cpu = (key: string) => `${show(g[`${key}.appCpu`]!, 2)} + ${Number.isNaN(g[`${key}.dbCpu`]!.median) ? '?' : show(g[`${key}.dbCpu`]!, 2)} ms`;
      rows.push({
        figure: `CPU per request, ${clients} clients: app + PostgreSQL; « passer » / reactions`,
        value: `${cpu('pass')} / ${cpu('react')}`,
        baseline: `bare Express + pg one INSERT: ${cpu('bare')}`,
        ratio: Number.isFinite(total('pass') / total('bare')) ? `${(total('pass') / total('bare')).toFixed(1)}× (passer)` : '—',
        goal: '—',
        met: null,
      });
    }
    return {
      part: 'write',
      title: 'Write path: a contribution through the whole stack',
      rows,
      how: `Each client is one séance of ${turns} guests, each holding a session, who take their turns in order: a real form POST (\`_csrf\`, \`cle\`) answered 303 through session, CSRF, validation, decide, append, project and notify. The baseline posts the same 200-character form to bare Express, which runs one INSERT (test/bench/bare-server.mjs). Throughput counts every request of the phase over its duration. CPU per request: user + system time of the server process and of every PostgreSQL process over the phase (/proc), divided by its requests; less at the mercy of the other work on the machine than throughput.`,
    };
  },
};
