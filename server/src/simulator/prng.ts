// Seeded pseudo-randomness for the scenarios. Figures must be a pure function of their inputs, so the same
// seller, marketplace and day always give the same document; Math.random would break that.

/** A 32-bit hash of a string (cyrb53 folded to 32 bits): cheap, well mixed, stable across runs. */
export function hashString(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

/** mulberry32: a small generator with a 32-bit state; returns numbers in [0, 1). */
export function createRng(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One draw in [0, 1) keyed by its parts, so a figure never depends on how many draws came before it. */
export function unitFor(...parts: (string | number)[]): number {
  return createRng(parts.join('|'))();
}

/** One draw in [-1, 1) keyed by its parts. */
export function noiseFor(...parts: (string | number)[]): number {
  return unitFor(...parts) * 2 - 1;
}
