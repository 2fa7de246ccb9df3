/** Summary statistics and one printed line per measurement, shared by the benchmarks. */
export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { n: samples.length, mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: pct(50), p95: pct(95) };
}

/** One aligned line: name, count, mean, median, 95th percentile, and optionally the rate. */
export function row(name: string, s: Stats, options: { rate?: boolean } = {}): string {
  const rate = options.rate ? `  ${(1000 / s.mean).toFixed(0).padStart(6)}/s` : '';
  return `${name.padEnd(44)} n=${String(s.n).padStart(4)}  mean ${s.mean.toFixed(2).padStart(7)} ms  p50 ${s.p50.toFixed(2).padStart(7)} ms  p95 ${s.p95.toFixed(2).padStart(7)} ms${rate}`;
}
