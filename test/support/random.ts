/** A small seeded generator (mulberry32), so that a failing input can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fuzz input made from a real file: 1 to 8 random edits that insert a
 * piece of the language's syntax, delete a run, insert a random character, or
 * copy a slice of the text elsewhere.
 */
export function mutate(next: () => number, text: string, pieces: readonly string[]): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  let out = text;
  const edits = 1 + Math.floor(next() * 8);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const kind = next();
    if (kind < 0.4) out = out.slice(0, at) + pick(pieces) + out.slice(at);
    else if (kind < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 20));
    else if (kind < 0.85) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + out.slice(at);
    else {
      const from = Math.floor(next() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(next() * 80)) + out.slice(at);
    }
  }
  return out;
}

/** A fuzz input made of up to `maxPieces` pieces of syntax in random order. */
export function randomText(next: () => number, pieces: readonly string[], maxPieces: number): string {
  let out = '';
  const length = Math.floor(next() * maxPieces);
  for (let i = 0; i < length; i++) out += pieces[Math.floor(next() * pieces.length)];
  return out;
}
