// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search. Enough for the
// smooth convex objectives here (logistic regression); callers hand in one function returning the value and
// filling the gradient, so the expensive pass over the data computes both at once.

export interface LbfgsOptions {
  /** Stop after this many iterations (default 500). */
  maxIterations?: number;
  /** Pairs of correction vectors kept (default 10). */
  memory?: number;
  /** Converged when max |gradient| is at most this (default 1e-6). */
  gradientTolerance?: number;
  /** Converged when one step lowers the value by less than this, relative (default 1e-12). */
  valueTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
  /** max |gradient| at x. */
  gradientNorm: number;
}

/** The objective: returns f(x) and writes ∇f(x) into grad. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimizes a smooth function from x0 by L-BFGS; x0 is not modified. */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 500, memory = 10, gradientTolerance = 1e-6, valueTolerance = 1e-12 } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  const d = new Float64Array(n);
  let stored = 0;
  let newest = -1;
  let iterations = 0;
  let converged = maxAbs(g) <= gradientTolerance;

  while (!converged && iterations < maxIterations) {
    iterations++;
    // Two-loop recursion: d = -H·g with H the implicit inverse-Hessian estimate.
    d.set(g);
    for (let k = 0; k < stored; k++) {
      const j = (newest - k + memory) % memory;
      alpha[j] = rho[j]! * dot(s[j]!, d);
      const yj = y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[j]! * yj[i]!;
    }
    // Initial scaling: sᵀy/yᵀy from the newest pair, or a unit first step along the gradient.
    const gamma = stored > 0 ? 1 / (rho[newest]! * dot(y[newest]!, y[newest]!)) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < n; i++) d[i]! *= gamma;
    for (let k = stored - 1; k >= 0; k--) {
      const j = (newest - k + memory) % memory;
      const beta = rho[j]! * dot(y[j]!, d);
      const sj = s[j]!;
      for (let i = 0; i < n; i++) d[i]! += sj[i]! * (alpha[j]! - beta);
    }
    for (let i = 0; i < n; i++) d[i] = -d[i]!;
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): forget the history and follow the gradient.
      stored = 0;
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let i = 0; i < n; i++) d[i] = -g[i]! * scale;
      slope = dot(d, g);
    }

    let step = 1;
    let fNew = NaN;
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      // Minimum of the quadratic through f, the slope and fNew, kept within [0.1, 0.5] of the step.
      const q = (-slope * step * step) / (2 * (fNew - f - slope * step));
      step = Number.isFinite(q) ? Math.min(0.5 * step, Math.max(0.1 * step, q)) : 0.5 * step;
    }
    if (!accepted) break;

    const next = (newest + 1) % memory;
    const sn = s[next]!;
    const yn = y[next]!;
    for (let i = 0; i < n; i++) {
      sn[i] = xNew[i]! - x[i]!;
      yn[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sn, yn);
    // Keep the pair only when it carries positive curvature (always so for a strictly convex f).
    if (sy > 1e-12 * Math.sqrt(dot(sn, sn) * dot(yn, yn))) {
      rho[next] = 1 / sy;
      newest = next;
      stored = Math.min(stored + 1, memory);
    } else if (stored === memory) {
      stored--; // the slot just overwritten held the oldest pair
    }
    const decrease = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    converged = maxAbs(g) <= gradientTolerance || decrease <= valueTolerance * Math.max(1, Math.abs(f));
  }
  return { x, value: f, iterations, converged, gradientNorm: maxAbs(g) };
}
