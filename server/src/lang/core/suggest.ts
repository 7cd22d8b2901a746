/** Damerau-Levenshtein (optimal string alignment) distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  return boundedDistance(a.toLowerCase(), b.toLowerCase(), Math.max(a.length, b.length));
}

// Three rolling rows of the distance table, grown as needed and reused: a lookup allocates nothing per candidate.
let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The optimal-string-alignment distance of two lower-cased strings, or
 * `bound + 1` as soon as it is certain to exceed `bound`: every cell of a row
 * above the bound means every later row is above it too (costs only grow
 * along a path, and a transposition reaches back one row from a cell that
 * was itself counted).
 */
function boundedDistance(s: string, t: string, bound: number): number {
  if (Math.abs(s.length - t.length) > bound) return bound + 1;
  const cols = t.length + 1;
  if (rows[0].length < cols) rows = [new Int32Array(cols * 2), new Int32Array(cols * 2), new Int32Array(cols * 2)];
  let [older, previous, current] = rows;
  for (let j = 0; j < cols; j++) previous[j] = j;
  let previousMin = 0;
  for (let i = 1; i <= s.length; i++) {
    const si = s.charCodeAt(i - 1);
    const sPrev = i > 1 ? s.charCodeAt(i - 2) : -1;
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const tj = t.charCodeAt(j - 1);
      let v = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (si === tj ? 0 : 1));
      if (i > 1 && j > 1 && si === t.charCodeAt(j - 2) && sPrev === tj) v = Math.min(v, older[j - 2]! + 1);
      current[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // A transposition reads the row before `previous`, so the exit waits until two rows are over the bound.
    if (rowMin > bound && previousMin > bound) return bound + 1;
    previousMin = rowMin;
    [older, previous, current] = [previous, current, older];
  }
  const d = previous[cols - 1]!;
  return d > bound ? bound + 1 : d;
}

/**
 * The closest candidates to a misspelt name, best first. A candidate counts
 * when it is within a third of the name's length (at least 1, at most 3 edits),
 * which catches `LDM_LENGUAGE` and `next-sever` without suggesting noise.
 */
export function suggestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > budget) continue;
    const distance = boundedDistance(lower, candidate.toLowerCase(), budget);
    if (distance > 0 && distance <= budget) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** " Did you mean `X`?" or an empty string, for the end of a message. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  return ` Did you mean ${suggestions.map((s) => '`' + s + '`').join(' or ')}?`;
}
