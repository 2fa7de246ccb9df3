/** The register's charts: decisions per month over the last twelve months, and how objections ended. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { barChart, type BarChart } from './charts.ts';
import { parisToday } from '../i18n/dates.ts';
import { decisionsPerMonth, objectionOutcomes } from './statistics.repository.ts';

export const OBJECTION_OUTCOMES = ['integrated', 'withdrawn', 'not_valid', 'deferred', 'proposal_withdrawn', 'proposal_postponed'] as const;

export interface Statistics {
  months: { month: string; adopted: number; withdrawn: number; postponed: number; total: number }[];
  monthsChart: BarChart;
  outcomes: { outcome: string; n: number }[];
  outcomesChart: BarChart;
}

/** The twelve months ending with the current one, 'YYYY-MM', oldest first. */
export function lastMonths(today: string, count = 12): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

export async function statistics(
  db: Kysely<DB>,
  actor: Actor,
  labels: { month: (m: string) => string; outcome: (o: string) => string },
  now = new Date(),
): Promise<Statistics> {
  authorize(actor, { type: 'register.read' });
  const months = lastMonths(parisToday(now));
  const [perMonth, outcomes] = await Promise.all([decisionsPerMonth(db, `${months[0]}-01`), objectionOutcomes(db)]);
  const rows = months.map((month) => {
    const of = (stage: string) => perMonth.find((r) => r.month === month && r.stage === stage)?.n ?? 0;
    const row = { month, adopted: of('adopted'), withdrawn: of('withdrawn'), postponed: of('postponed') };
    return { ...row, total: row.adopted + row.withdrawn + row.postponed };
  });
  const counted: { outcome: string; n: number }[] = OBJECTION_OUTCOMES.map((outcome) => ({ outcome, n: outcomes.find((o) => o.outcome === outcome)?.n ?? 0 }));
  const open = outcomes.find((o) => o.outcome === null)?.n ?? 0;
  if (open) counted.push({ outcome: 'open', n: open });
  return {
    months: rows,
    monthsChart: barChart(rows.map((r) => ({ label: labels.month(r.month), value: r.total }))),
    outcomes: counted,
    outcomesChart: barChart(
      counted.map((o) => ({ label: labels.outcome(o.outcome), value: o.n })),
      { horizontal: true, labelWidth: 260 },
    ),
  };
}
