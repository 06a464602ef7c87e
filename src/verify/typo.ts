// Typo suggestions for the domain: undelegated TLD slips (.con, .cmo) and edit distance
// (with transpositions) against popular providers plus the workspace's own top domains.
import { FREE_PROVIDERS, TLD_TYPOS, TYPO_TARGETS } from './data.js';

/** Optimal-string-alignment distance, giving up (returning max+1) once it exceeds `max`. */
// Three reusable rows: the distance runs for every unseen domain × every target.
let rowsA = new Int32Array(64), rowsB = new Int32Array(64), rowsC = new Int32Array(64);

export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (rowsA.length <= n) { rowsA = new Int32Array(n + 1); rowsB = new Int32Array(n + 1); rowsC = new Int32Array(n + 1); }
  let prev2 = rowsA, prev = rowsB, cur = rowsC;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  const d = prev[n]!;
  return d;
}

export class TypoSuggester {
  private readonly known: Set<string>;
  private readonly targets: string[];
  private readonly memo = new Map<string, string | null>();

  /** `extra`: the workspace's own most common domains, trusted like the popular providers. */
  constructor(extra: readonly string[] = []) {
    this.targets = [...new Set([...TYPO_TARGETS, ...extra])];
    this.known = new Set([...this.targets, ...FREE_PROVIDERS]);
  }

  /** A corrected domain, or null when the domain looks intended. Memoised per domain (bounded). */
  suggest(domain: string): string | null {
    const hit = this.memo.get(domain);
    if (hit !== undefined) return hit;
    const s = this.compute(domain);
    if (this.memo.size >= 50_000) this.memo.clear();
    this.memo.set(domain, s);
    return s;
  }

  private compute(domain: string): string | null {
    if (this.known.has(domain)) return null;
    const tld = this.fixTld(domain);
    const base = tld ?? domain;
    if (tld && this.known.has(tld)) return tld;
    // Short names sit one edit from many real domains: allow 2 edits only for longer ones.
    const max = base.length >= 10 ? 2 : 1;
    let best: string | null = null;
    let bestD = max + 1;
    for (const t of this.targets) {
      const d = editDistance(base, t, max);
      if (d < bestD && d > 0) { bestD = d; best = t; }
    }
    if (best && bestD <= max && !(tld && best === tld)) return best;
    return tld;
  }

  private fixTld(domain: string): string | null {
    for (const [typo, fix] of TLD_TYPOS) {
      if (domain.endsWith(`.${typo}`)) return `${domain.slice(0, -typo.length)}${fix}`;
    }
    return null;
  }
}
