import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};
const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('seeded RNG', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const sa = draw(100, () => a.next());
    expect(draw(100, () => b.next())).toEqual(sa);
    expect(draw(100, () => c.next())).not.toEqual(sa);
    expect(createRng('seed').uuid()).toBe(createRng('seed').uuid());
  });

  it('stays in range', () => {
    const rng = createRng(1);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = rng.int(3, 7);
      expect(Number.isInteger(n) && n >= 3 && n <= 7).toBe(true);
    }
  });

  it('has sane distributions', () => {
    const rng = createRng(7);
    const uniform = draw(50_000, () => rng.next());
    expect(mean(uniform)).toBeCloseTo(0.5, 2);
    const ints = draw(60_000, () => rng.int(1, 6));
    for (let face = 1; face <= 6; face++) {
      expect(ints.filter((x) => x === face).length / ints.length).toBeCloseTo(1 / 6, 2);
    }
    const normals = draw(50_000, () => rng.normal(10, 2));
    expect(mean(normals)).toBeCloseTo(10, 1);
    expect(sd(normals)).toBeCloseTo(2, 1);
    const logs = draw(50_000, () => rng.lognormal(30, 0.5)).sort((x, y) => x - y);
    expect(logs[25_000]! / 30).toBeGreaterThan(0.97);
    expect(logs[25_000]! / 30).toBeLessThan(1.03);
    expect(mean(draw(50_000, () => rng.exponential(4)))).toBeCloseTo(0.25, 2);
    expect(mean(draw(50_000, () => rng.poisson(3)))).toBeCloseTo(3, 1);
    expect(draw(10_000, () => (rng.chance(0.3) ? 1 : 0)).reduce((s, x) => s + x, 0) / 10_000).toBeCloseTo(0.3, 1);
  });

  it('picks by weight', () => {
    const rng = createRng(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[rng.weighted({ a: 1, b: 3, c: 0 })]++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.8);
    expect(counts.b / counts.a).toBeLessThan(3.2);
    expect(() => rng.weighted({ a: 0 })).toThrow();
    expect(() => rng.pick([])).toThrow();
  });

  it('formats UUIDs as version 4 and tokens over the alphabet', () => {
    const rng = createRng(9);
    const ids = new Set(draw(1000, () => 0).map(() => rng.uuid()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rng.token(24)).toMatch(/^[A-Za-z0-9]{24}$/);
  });

  it('forks into independent, reproducible streams', () => {
    const a = createRng(5).fork(), b = createRng(5).fork();
    expect(a.next()).toBe(b.next());
    const parent = createRng(5);
    const child = parent.fork();
    expect(child.next()).not.toBe(parent.next());
  });
});
