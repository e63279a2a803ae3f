import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';

function rosenbrock(p: Float64Array, g: Float64Array): number {
  const [x, y] = [p[0]!, p[1]!];
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function at (1, 1) from the classic start (−1.2, 1)', () => {
    const result = minimizeLbfgs(
      rosenbrock,
      Float64Array.from([-1.2, 1]),
      { gradientTolerance: 1e-9, valueTolerance: 0 },
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.iterations).toBeLessThan(100);
  });

  it('solves an ill-conditioned quadratic ½xᵀAx − bᵀx: the minimum is A⁻¹b', () => {
    // A = diag(1, 10, 100, 1000) plus a coupling between the first two; b = (1, 2, 3, 4).
    const a = [
      [1, 0.5, 0, 0],
      [0.5, 10, 0, 0],
      [0, 0, 100, 0],
      [0, 0, 0, 1000],
    ];
    const b = [1, 2, 3, 4];
    const result = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 4; i++) {
          let ax = 0;
          for (let j = 0; j < 4; j++) ax += a[i]![j]! * x[j]!;
          g[i] = ax - b[i]!;
          f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
        }
        return f;
      },
      new Float64Array(4),
      { gradientTolerance: 1e-12, valueTolerance: 0 },
    );
    // 2×2 block solved by hand: det = 9.75, x0 = (10·1 − 0.5·2)/9.75, x1 = (1·2 − 0.5·1)/9.75.
    const expected = [9 / 9.75, 1.5 / 9.75, 0.03, 0.004];
    expected.forEach((v, i) => expect(result.x[i]).toBeCloseTo(v, 10));
  });

  it('reports no convergence when the iteration budget runs out, and leaves x0 untouched', () => {
    const x0 = Float64Array.from([-1.2, 1]);
    const result = minimizeLbfgs(
      rosenbrock,
      x0,
      { maxIterations: 3 },
    );
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(Array.from(x0)).toEqual([-1.2, 1]);
  });
});
