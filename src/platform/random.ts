// Seeded pseudo-random numbers (sfc32) for results that must be reproducible: simulations,
// model training, sampling. Not for secrets: use node:crypto for those.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** A float in [min, max). */
  float(min: number, max: number): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One key of a weight table, with probability proportional to its (non-negative) weight. */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K;
  /** A normal deviate (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** A lognormal deviate given the median and the sigma of the underlying normal. */
  lognormal(median: number, sigma: number): number;
  /** An exponential deviate with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** A Poisson count with the given mean (Knuth; fine for small means). */
  poisson(mean: number): number;
  /** A random v4-formatted UUID drawn from this generator. */
  uuid(): string;
  /** A string of the given length over [A-Za-z0-9]. */
  token(length: number): string;
  /** An independent generator derived from this one (for sub-streams that must not shift each other). */
  fork(): Rng;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Hashes a seed (number or string) into four 32-bit words (cyrb128). */
function seedWords(seed: number | string): [number, number, number, number] {
  const str = String(seed);
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** A seeded generator (sfc32: small, fast, passes PractRand to 2^40+ bytes). */
export function createRng(seed: number | string): Rng {
  let [a, b, c, d] = seedWords(seed);
  const u32 = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return r >>> 0;
  };
  // Warm-up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 12; i++) u32();
  const next = () => u32() / 4294967296;
  let spareNormal: number | undefined;

  const rng: Rng = {
    next,
    float: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted: (weights) => {
      const entries = (Object.entries(weights) as [string, number | undefined][]).map(([k, w]) => [k, w ?? 0] as const);
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      if (!(total > 0)) throw new Error('weighted pick needs a positive total weight');
      let x = next() * total;
      for (const [key, w] of entries) {
        x -= w;
        if (x < 0) return key as never;
      }
      // Rounding can leave x at ~0 after the last entry: return the last positive one.
      return entries.filter(([, w]) => w > 0).at(-1)![0] as never;
    },
    normal: (mean = 0, sd = 1) => {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return mean + sd * z;
      }
      const u = 1 - next(); // (0, 1]: log(0) is -Infinity
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    lognormal: (median, sigma) => median * Math.exp(sigma * rng.normal()),
    exponential: (rate) => -Math.log(1 - next()) / rate,
    poisson: (mean) => {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    uuid: () => {
      const hex = Array.from({ length: 4 }, () => u32().toString(16).padStart(8, '0')).join('');
      const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
    token: (length) => Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''),
    fork: () => createRng(`${u32()}:${u32()}:${u32()}:${u32()}`),
  };
  return rng;
}
