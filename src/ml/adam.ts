// Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019, as PyTorch's AdamW) and
// clipping of the global gradient norm, over one flat parameter vector.
import type { Vec } from './tensor.js';

export interface AdamOptions {
  /** Step size (default 0.001). */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay: each step multiplies the parameters by 1 − lr·weightDecay (default 0). */
  weightDecay?: number;
  /** Rescale the gradient so its L2 norm is at most this before the step (default: no clipping). */
  clipNorm?: number;
}

/** Scales grads in place so their L2 norm is at most maxNorm; returns the norm before scaling. */
export function clipGradientNorm(grads: Vec, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i]! *= scale;
  }
  return norm;
}

/** Adam state for one parameter vector: moments kept in float64 whatever the parameters' precision. */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly clipNorm: number;
  /** Steps taken. */
  t = 0;

  constructor(size: number, options: AdamOptions = {}) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.lr = options.learningRate ?? 0.001;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.clipNorm = options.clipNorm ?? 0;
    if (!(this.lr > 0)) throw new Error('adam: learningRate must be > 0');
    if (!(this.beta1 >= 0 && this.beta1 < 1 && this.beta2 >= 0 && this.beta2 < 1)) throw new Error('adam: betas must be in [0, 1)');
    if (!(this.weightDecay >= 0) || !(this.clipNorm >= 0)) throw new Error('adam: weightDecay and clipNorm must be ≥ 0');
  }

  /** One update of params from grads (grads are clipped in place when clipNorm is set); returns the gradient norm before clipping. */
  step(params: Vec, grads: Vec): number {
    if (params.length !== this.m.length || grads.length !== this.m.length) throw new Error(`adam: sized for ${this.m.length} parameters`);
    const norm = clipGradientNorm(grads, this.clipNorm > 0 ? this.clipNorm : Infinity);
    this.t++;
    const { m, v, beta1, beta2, epsilon, lr } = this;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    const decay = 1 - lr * this.weightDecay;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * g);
      const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * g * g);
      params[i] = params[i]! * decay - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
    }
    return norm;
  }
}
