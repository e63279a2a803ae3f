import { describe, expect, it } from 'vitest';
import { Adam, clipGradientNorm } from './adam.js';

describe('Adam', () => {
  it('takes the hand-computed steps with bias correction (lr 0.1, β 0.9/0.999, gradients 2, 1, −0.5)', () => {
    // By hand: m₁ = 0.2, v₁ = 0.004, m̂ = 2, v̂ = 4 → 1 − 0.1·2/(2 + 1e-8); then m₂ = 0.28, v₂ = 0.004996, m̂ = 0.28/0.19,
    // v̂ = 0.004996/0.001999 → 0.80678…; the third step's values are the same recurrence once more.
    const adam = new Adam(1, { learningRate: 0.1 });
    const p = new Float64Array([1]);
    const expected = [0.9000000005, 0.8067820372085104, 0.7504158999804387];
    [2, 1, -0.5].forEach((g, i) => {
      adam.step(p, new Float64Array([g]));
      expect(p[0]).toBeCloseTo(expected[i]!, 12);
    });
    expect(adam.t).toBe(3);
  });

  it('decays weights decoupled from the gradient: p ← p·(1 − lr·λ) when the gradient is zero', () => {
    const adam = new Adam(2, { learningRate: 0.1, weightDecay: 0.5 });
    const p = new Float64Array([2, -4]);
    for (let i = 0; i < 3; i++) adam.step(p, new Float64Array(2));
    expect(p[0]).toBeCloseTo(2 * 0.95 ** 3, 12);
    expect(p[1]).toBeCloseTo(-4 * 0.95 ** 3, 12);
  });

  it('clips the global gradient norm before the step and reports the norm before clipping', () => {
    const g = new Float64Array([3, 4]);
    expect(clipGradientNorm(g, 1)).toBe(5);
    expect(Array.from(g)).toEqual([0.6000000000000001, 0.8]);
    const small = new Float64Array([0.3, 0.4]);
    expect(clipGradientNorm(small, 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(small)).toEqual([0.3, 0.4]);
    // With clipping the moments see the clipped gradient: a huge gradient moves a parameter as a unit one would.
    const a = new Adam(2, { learningRate: 0.01, clipNorm: 1 });
    const b = new Adam(2, { learningRate: 0.01 });
    const pa = new Float64Array(2);
    const pb = new Float64Array(2);
    expect(a.step(pa, new Float64Array([3000, 4000]))).toBe(5000);
    b.step(pb, new Float64Array([0.6, 0.8]));
    expect(Array.from(pa)).toEqual(Array.from(pb));
  });

  it('minimizes an ill-conditioned quadratic in float32 parameters', () => {
    const target = [3, -2, 0.5, 10];
    const scale = [1, 100, 0.01, 5];
    const p = new Float32Array(4);
    const g = new Float32Array(4);
    const adam = new Adam(4, { learningRate: 0.05 });
    for (let step = 0; step < 3000; step++) {
      for (let i = 0; i < 4; i++) g[i] = 2 * scale[i]! * (p[i]! - target[i]!);
      adam.step(p, g);
    }
    target.forEach((t, i) => expect(Math.abs(p[i]! - t)).toBeLessThan(0.01));
  });

  it('refuses bad settings and mismatched sizes', () => {
    expect(() => new Adam(1, { learningRate: 0 })).toThrow(/learningRate/);
    expect(() => new Adam(1, { beta1: 1 })).toThrow(/betas/);
    expect(() => new Adam(2).step(new Float64Array(3), new Float64Array(3))).toThrow(/sized for 2/);
  });
});
