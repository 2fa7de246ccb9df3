/**
 * The dot vote (« C’est mon choix »), pure: candidates ranked by the dots placed on them, most
 * first; among equals, the order they were given in. Used for a training session's projects and
 * for a séance's agenda alike.
 */
export interface Ranked<T> {
  item: T;
  dots: number;
  /** The same number of dots as the one just above: an « égalité ». */
  tied: boolean;
}

export function rankByDots<T>(items: readonly T[], dotsOf: (item: T) => number): Ranked<T>[] {
  const ranked = items.map((item, i) => ({ item, dots: dotsOf(item), i })).sort((a, b) => b.dots - a.dots || a.i - b.i);
  return ranked.map((r, k) => ({ item: r.item, dots: r.dots, tied: k > 0 && ranked[k - 1]!.dots === r.dots }));
}

/** The dots each candidate received, from the votes as stored. */
export function totals(votes: readonly { id: string; dots: number }[]): Map<string, number> {
  const t = new Map<string, number>();
  for (const v of votes) t.set(v.id, (t.get(v.id) ?? 0) + v.dots);
  return t;
}
