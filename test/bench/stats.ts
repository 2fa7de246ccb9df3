/** Summary statistics, and the "median (min–max)" of repeated measurements the results print. */
export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / (samples.length || 1);
  return {
    n: samples.length,
    mean,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** The same figure measured in each repetition. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function repeated(values: readonly number[]): Repeated {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    values: [...values],
  };
}

/** "239 (154–250)": the median of the repetitions and their range, rounded for reading. */
export function show(r: Repeated, digits = 0, unit = ''): string {
  const f = (n: number) =>
    Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).replace(/,/g, ' ') : '—';
  if (r.values.length === 1) return `${f(r.median)}${unit}`;
  return `${f(r.median)}${unit} (${f(r.min)}–${f(r.max)})`;
}

/** Several figures of one repetition, keyed by name, gathered into one Repeated per name. */
export function gather(runs: readonly Record<string, number>[]): Record<string, Repeated> {
  const out: Record<string, Repeated> = {};
  for (const key of Object.keys(runs[0] ?? {})) out[key] = repeated(runs.map((r) => r[key]!));
  return out;
}

/** One aligned line: name, count, mean, median, 95th percentile (the register's in-process figures). */
export function row(name: string, s: Stats): string {
  return `${name.padEnd(44)} n=${String(s.n).padStart(4)}  mean ${s.mean.toFixed(2).padStart(7)} ms  p50 ${s.p50.toFixed(2).padStart(7)} ms  p95 ${s.p95.toFixed(2).padStart(7)} ms`;
}
