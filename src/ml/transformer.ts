// A small transformer encoder classifier: token embedding + learned positional embedding → 1–2 pre-norm encoder
// blocks (x + MultiHeadSelfAttention(LN(x)), then x + FFN(LN(x)) with a ReLU) → final layer norm → mean over the
// sequence → softmax. The backward pass is written by hand. Padding (id 0) is dropped before the network and each
// sequence attends over its own tokens only (a length mask), so padding never changes a prediction. Positions count
// back from the most recent token (position 0 is the latest event), so a session's newest step always has the same
// positional embedding however long the session is.
import { createRng, type Rng } from '../platform/random.js';
import { expectModel, readCount } from './model-json.js';
import { countClasses, rowWeights } from './preprocess.js';
import { cleanAll, predictAll, trainSequenceNet, vocabularyOf, type SequenceFitInfo, type SequenceModelOptions, type SequenceNet } from './sequence-fit.js';
import {
  decodeFloat32, encodeFloat32, layerNormBackward, layerNormForward, linearBackward, linearForward, paramLayout, paramViews, softmaxInPlace,
  type ParamLayout, type Vec, type VecConstructor,
} from './tensor.js';
import type { FitOptions, Labels, SequenceClassifier, SerializedModel } from './types.js';

/** The sizes that fix a transformer's parameters. */
export interface TransformerShape {
  vocabulary: number;
  /** Model width d (a multiple of heads). */
  dModel: number;
  heads: number;
  /** Width of the feed-forward layer. */
  ff: number;
  blocks: number;
  /** Positions (tokens kept per sequence). */
  maxLength: number;
  classes: number;
}

const BLOCK_GROUPS = ['ln1g', 'ln1b', 'wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo', 'ln2g', 'ln2b', 'w1', 'b1', 'w2', 'b2'] as const;
type BlockGroup = (typeof BLOCK_GROUPS)[number];
type Block = Record<BlockGroup, Vec>;

/** The parameter groups in their order in the flat vector: emb, pos, then `b<i>.<group>` per block, then the head. */
export function transformerLayout(s: TransformerShape): ParamLayout<string> {
  const { dModel: d, ff } = s;
  const block: Record<BlockGroup, number> = { ln1g: d, ln1b: d, wq: d * d, bq: d, wk: d * d, bk: d, wv: d * d, bv: d, wo: d * d, bo: d, ln2g: d, ln2b: d, w1: ff * d, b1: ff, w2: d * ff, b2: d };
  const sizes: Record<string, number> = { emb: s.vocabulary * d, pos: s.maxLength * d };
  for (let b = 0; b < s.blocks; b++) for (const g of BLOCK_GROUPS) sizes[`b${b}.${g}`] = block[g];
  Object.assign(sizes, { lnfg: d, lnfb: d, wc: s.classes * d, bc: s.classes });
  return paramLayout(sizes);
}

/** Per-block activations kept for the backward pass. */
interface BlockCache {
  xhat1: Vec; rstd1: Vec; a: Vec; q: Vec; k: Vec; v: Vec; p: Vec; ctx: Vec; x1: Vec; xhat2: Vec; rstd2: Vec; c: Vec; u: Vec; act: Vec;
}

/** The network (parameters, gradients, workspace) behind TransformerClassifier; public for gradient checks. */
export class TransformerNetwork implements SequenceNet {
  readonly params: Vec;
  readonly grads: Vec;
  readonly layout: ParamLayout<string>;
  private readonly p: Record<string, Vec>;
  private readonly g: Record<string, Vec>;
  private readonly pb: Block[];
  private readonly gb: Block[];
  private readonly xs: Vec[]; // the input of each block, then the last block's output
  private readonly cache: BlockCache[];
  private readonly xhatf: Vec;
  private readonly rstdf: Vec;
  private readonly yf: Vec;
  private readonly pooled: Vec;
  private readonly logits: Vec;
  private readonly dx: Vec;
  private readonly dx1: Vec;
  private readonly dtmp: Vec; // L × d scratch: ∂ of LN outputs, then of ctx
  private readonly dq: Vec;
  private readonly dk: Vec;
  private readonly dv: Vec;
  private readonly dff: Vec;
  private readonly dp: Vec;

  constructor(readonly shape: TransformerShape, ctor: VecConstructor = Float32Array, params?: Vec) {
    const { dModel: d, heads, ff, maxLength: L } = shape;
    if (d % heads !== 0) throw new Error(`transformer: dModel ${d} is not a multiple of heads ${heads}`);
    this.layout = transformerLayout(shape);
    this.params = new ctor(this.layout.total);
    if (params) {
      if (params.length !== this.layout.total) throw new Error(`transformer: ${params.length} parameters, expected ${this.layout.total}`);
      this.params.set(params);
    }
    this.grads = new ctor(this.layout.total);
    this.p = paramViews(this.params, this.layout);
    this.g = paramViews(this.grads, this.layout);
    const blockViews = (all: Record<string, Vec>, b: number) => Object.fromEntries(BLOCK_GROUPS.map((k) => [k, all[`b${b}.${k}`]!])) as Block;
    this.pb = Array.from({ length: shape.blocks }, (_, b) => blockViews(this.p, b));
    this.gb = Array.from({ length: shape.blocks }, (_, b) => blockViews(this.g, b));
    const rows = () => new ctor(L * d);
    this.xs = Array.from({ length: shape.blocks + 1 }, rows);
    this.cache = Array.from({ length: shape.blocks }, () => ({
      xhat1: rows(), rstd1: new ctor(L), a: rows(), q: rows(), k: rows(), v: rows(), p: new ctor(heads * L * L), ctx: rows(),
      x1: rows(), xhat2: rows(), rstd2: new ctor(L), c: rows(), u: new ctor(L * ff), act: new ctor(L * ff),
    }));
    this.xhatf = rows();
    this.rstdf = new ctor(L);
    this.yf = rows();
    this.pooled = new ctor(d);
    this.logits = new ctor(shape.classes);
    this.dx = rows();
    this.dx1 = rows();
    this.dtmp = rows();
    this.dq = rows();
    this.dk = rows();
    this.dv = rows();
    this.dff = new ctor(L * ff);
    this.dp = new ctor(L);
  }

  /** Random initial weights: embeddings N(0, 0.1²), linear layers Glorot-uniform, biases 0, layer norms γ = 1, β = 0. */
  initialize(rng: Rng): void {
    const { p, shape } = this;
    const glorot = (w: Vec, fanIn: number, fanOut: number) => {
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < w.length; i++) w[i] = rng.float(-bound, bound);
    };
    this.params.fill(0);
    for (const w of [p.emb!, p.pos!]) for (let i = 0; i < w.length; i++) w[i] = rng.normal(0, 0.1);
    for (const b of this.pb) {
      for (const w of [b.wq, b.wk, b.wv, b.wo]) glorot(w, shape.dModel, shape.dModel);
      glorot(b.w1, shape.dModel, shape.ff);
      glorot(b.w2, shape.ff, shape.dModel);
      b.ln1g.fill(1);
      b.ln2g.fill(1);
    }
    p.lnfg!.fill(1);
    glorot(p.wc!, shape.dModel, shape.classes);
  }

  prepare(): void {}

  beginBatch(): void {
    this.grads.fill(0);
  }

  endBatch(): void {}

  /** Forward pass over tokens[0, length): caches every block's activations, leaves the probabilities in `logits`. */
  private run(tokens: Int32Array, length: number): void {
    const { shape, p, logits, pooled } = this;
    const { dModel: d, ff } = shape;
    const L = length;
    pooled.fill(0);
    if (L > 0) {
      const x0 = this.xs[0]!;
      for (let t = 0; t < L; t++) {
        const e = tokens[t]! * d;
        const q = (L - 1 - t) * d;
        for (let i = 0; i < d; i++) x0[t * d + i] = p.emb![e + i]! + p.pos![q + i]!;
      }
      for (let b = 0; b < shape.blocks; b++) {
        const w = this.pb[b]!;
        const c = this.cache[b]!;
        const x = this.xs[b]!;
        const out = this.xs[b + 1]!;
        layerNormForward(x, 0, L, d, w.ln1g, w.ln1b, c.a, c.xhat1, c.rstd1);
        linearForward(c.a, 0, L, d, w.wq, w.bq, d, c.q, 0);
        linearForward(c.a, 0, L, d, w.wk, w.bk, d, c.k, 0);
        linearForward(c.a, 0, L, d, w.wv, w.bv, d, c.v, 0);
        this.attend(c, L);
        linearForward(c.ctx, 0, L, d, w.wo, w.bo, d, c.x1, 0);
        for (let i = 0; i < L * d; i++) c.x1[i]! += x[i]!;
        layerNormForward(c.x1, 0, L, d, w.ln2g, w.ln2b, c.c, c.xhat2, c.rstd2);
        linearForward(c.c, 0, L, d, w.w1, w.b1, ff, c.u, 0);
        for (let i = 0; i < L * ff; i++) c.act[i] = c.u[i]! > 0 ? c.u[i]! : 0;
        linearForward(c.act, 0, L, ff, w.w2, w.b2, d, out, 0);
        for (let i = 0; i < L * d; i++) out[i]! += c.x1[i]!;
      }
      layerNormForward(this.xs[shape.blocks]!, 0, L, d, p.lnfg!, p.lnfb!, this.yf, this.xhatf, this.rstdf);
      for (let t = 0; t < L; t++) for (let i = 0; i < d; i++) pooled[i]! += this.yf[t * d + i]!;
      for (let i = 0; i < d; i++) pooled[i]! /= L;
    }
    linearForward(pooled, 0, 1, d, p.wc!, p.bc!, shape.classes, logits, 0);
    softmaxInPlace(logits, 0, shape.classes);
  }

  /** Scaled dot-product attention of every head over the sequence's own L tokens (the length mask): fills p and ctx. */
  private attend(c: BlockCache, L: number): void {
    const { dModel: d, heads } = this.shape;
    const dh = d / heads;
    const scale = 1 / Math.sqrt(dh);
    const { q, k, v, p, ctx } = c; // locals: the hot loops read typed arrays, not object fields
    for (let h = 0; h < heads; h++) {
      const off = h * dh;
      for (let t = 0; t < L; t++) {
        const row = (h * L + t) * L;
        const qt = t * d + off;
        for (let s = 0; s < L; s++) {
          const ks = s * d + off;
          let dot = 0;
          for (let i = 0; i < dh; i++) dot += q[qt + i]! * k[ks + i]!;
          p[row + s] = dot * scale;
        }
        softmaxInPlace(p, row, L);
        ctx.fill(0, qt, qt + dh);
        for (let s = 0; s < L; s++) {
          const pts = p[row + s]!;
          const vs = s * d + off;
          for (let i = 0; i < dh; i++) ctx[qt + i]! += pts * v[vs + i]!;
        }
      }
    }
  }

  /** Backward of attend: from ∂ctx (dctx) adds into dq, dk and dv. */
  private attendBackward(c: BlockCache, L: number, dctx: Vec): void {
    const { dModel: d, heads } = this.shape;
    const dh = d / heads;
    const inv = 1 / Math.sqrt(dh);
    const { q, k, v, p } = c;
    const { dq, dk, dv, dp } = this;
    for (let h = 0; h < heads; h++) {
      const off = h * dh;
      for (let t = 0; t < L; t++) {
        const row = (h * L + t) * L;
        const qt = t * d + off;
        let dot = 0;
        for (let s = 0; s < L; s++) {
          const vs = s * d + off;
          const pts = p[row + s]!;
          let sum = 0;
          for (let i = 0; i < dh; i++) {
            const dc = dctx[qt + i]!;
            sum += dc * v[vs + i]!;
            dv[vs + i]! += pts * dc;
          }
          dp[s] = sum;
          dot += pts * sum;
        }
        for (let s = 0; s < L; s++) {
          const ds = p[row + s]! * (dp[s]! - dot) * inv; // through the softmax and the 1/√dₕ scale
          if (ds === 0) continue;
          const ks = s * d + off;
          for (let i = 0; i < dh; i++) {
            dq[qt + i]! += ds * k[ks + i]!;
            dk[ks + i]! += ds * q[qt + i]!;
          }
        }
      }
    }
  }

  forward(tokens: Int32Array, length: number, out: Float64Array, off: number): void {
    this.run(tokens, length);
    for (let c = 0; c < this.shape.classes; c++) out[off + c] = this.logits[c]!;
  }

  accumulate(tokens: Int32Array, length: number, label: number, scale: number): number {
    this.run(tokens, length);
    const { shape, p, g, logits, dx, dx1, dtmp, dq, dk, dv, dff } = this;
    const { dModel: d, ff, classes } = shape;
    const L = length;
    const loss = -Math.log(Math.max(logits[label]!, 1e-30));
    for (let c = 0; c < classes; c++) logits[c] = scale * (logits[c]! - (c === label ? 1 : 0));
    // ∂/∂pooled into dtmp's first row, then spread over the rows as ∂/∂yf (mean pooling).
    dtmp.fill(0, 0, d);
    linearBackward(logits, 0, this.pooled, 0, 1, d, p.wc!, classes, g.wc!, g.bc!, dtmp, 0);
    if (L === 0) return loss;
    for (let i = 0; i < d; i++) dtmp[i]! /= L;
    for (let t = L - 1; t >= 0; t--) for (let i = 0; i < d; i++) dtmp[t * d + i] = dtmp[i]!;
    dx.fill(0, 0, L * d);
    layerNormBackward(dtmp, 0, L, d, p.lnfg!, this.xhatf, this.rstdf, g.lnfg!, g.lnfb!, dx);
    for (let b = shape.blocks - 1; b >= 0; b--) {
      const w = this.pb[b]!;
      const gw = this.gb[b]!;
      const c = this.cache[b]!;
      // out = x1 + W2·relu(W1·LN2(x1) + b1) + b2
      dx1.set(dx.subarray(0, L * d));
      dff.fill(0, 0, L * ff);
      linearBackward(dx, 0, c.act, 0, L, ff, w.w2, d, gw.w2, gw.b2, dff, 0);
      for (let i = 0; i < L * ff; i++) if (!(c.u[i]! > 0)) dff[i] = 0;
      dtmp.fill(0, 0, L * d);
      linearBackward(dff, 0, c.c, 0, L, d, w.w1, ff, gw.w1, gw.b1, dtmp, 0);
      layerNormBackward(dtmp, 0, L, d, w.ln2g, c.xhat2, c.rstd2, gw.ln2g, gw.ln2b, dx1);
      // x1 = x + Wo·attention(LN1(x)) + bo
      dx.set(dx1.subarray(0, L * d));
      dtmp.fill(0, 0, L * d);
      linearBackward(dx1, 0, c.ctx, 0, L, d, w.wo, d, gw.wo, gw.bo, dtmp, 0);
      dq.fill(0, 0, L * d);
      dk.fill(0, 0, L * d);
      dv.fill(0, 0, L * d);
      this.attendBackward(c, L, dtmp);
      dtmp.fill(0, 0, L * d);
      linearBackward(dq, 0, c.a, 0, L, d, w.wq, d, gw.wq, gw.bq, dtmp, 0);
      linearBackward(dk, 0, c.a, 0, L, d, w.wk, d, gw.wk, gw.bk, dtmp, 0);
      linearBackward(dv, 0, c.a, 0, L, d, w.wv, d, gw.wv, gw.bv, dtmp, 0);
      layerNormBackward(dtmp, 0, L, d, w.ln1g, c.xhat1, c.rstd1, gw.ln1g, gw.ln1b, dx);
    }
    for (let t = 0; t < L; t++) {
      const e = tokens[t]! * d;
      const q = (L - 1 - t) * d;
      for (let i = 0; i < d; i++) {
        g.emb![e + i]! += dx[t * d + i]!;
        g.pos![q + i]! += dx[t * d + i]!;
      }
    }
    return loss;
  }
}

export interface TransformerOptions extends SequenceModelOptions {
  /** Model width (default 32). */
  dModel?: number;
  /** Attention heads (default 2; must divide dModel). */
  heads?: number;
  /** Feed-forward width (default 2 × dModel). */
  ff?: number;
  /** Encoder blocks, 1 or 2 (default 1). */
  blocks?: number;
}

/** Transformer-encoder classifier over token sequences (SequenceClassifier). */
export class TransformerClassifier implements SequenceClassifier {
  static readonly KIND = 'transformer';
  static readonly VERSION = 1;
  readonly kind = TransformerClassifier.KIND;
  private net: TransformerNetwork | undefined;
  private readonly options: TransformerOptions;
  fitInfo: SequenceFitInfo | undefined;

  constructor(options: TransformerOptions = {}) {
    this.options = { ...options };
    const blocks = options.blocks ?? 1;
    if (blocks !== 1 && blocks !== 2) throw new Error('transformer: blocks must be 1 or 2');
    for (const [name, v] of [['dModel', options.dModel ?? 32], ['heads', options.heads ?? 2], ['ff', options.ff ?? 1], ['maxLength', options.maxLength ?? 50]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`transformer: ${name} must be a positive integer`);
    }
  }

  get classes(): number {
    return this.net?.shape.classes ?? 0;
  }

  fit(sequences: Int32Array[], y: Labels, opts: FitOptions = {}): void {
    if (sequences.length !== y.length) throw new Error(`transformer: ${sequences.length} sequences but ${y.length} labels`);
    const o = this.options;
    const dModel = o.dModel ?? 32;
    const shape: TransformerShape = {
      vocabulary: o.vocabulary ?? vocabularyOf(sequences),
      dModel,
      heads: o.heads ?? 2,
      ff: o.ff ?? 2 * dModel,
      blocks: o.blocks ?? 1,
      maxLength: o.maxLength ?? 50,
      classes: countClasses(y, o.classes),
    };
    const tokens = cleanAll(sequences, shape.vocabulary, shape.maxLength, 'transformer');
    const w = rowWeights(y, shape.classes, opts.sampleWeight, o.classWeight);
    const rng = o.rng ?? createRng(0);
    const net = new TransformerNetwork(shape);
    net.initialize(rng.fork());
    this.fitInfo = trainSequenceNet(net, tokens, y, w, shape.classes, o, rng);
    this.net = net;
  }

  predictProba(sequences: Int32Array[]): Float64Array {
    if (!this.net) throw new Error('transformer: not fitted');
    const { shape } = this.net;
    return predictAll(this.net, sequences, shape.classes, shape.vocabulary, shape.maxLength, 'transformer');
  }

  toJSON(): SerializedModel {
    if (!this.net) throw new Error('transformer: not fitted');
    return { kind: this.kind, version: TransformerClassifier.VERSION, ...this.net.shape, weights: encodeFloat32(this.net.params as Float32Array) };
  }

  static fromJSON(json: unknown): TransformerClassifier {
    const m = expectModel(json, TransformerClassifier.KIND, TransformerClassifier.VERSION);
    const shape: TransformerShape = {
      vocabulary: readCount(m, 'vocabulary'),
      dModel: readCount(m, 'dModel'),
      heads: readCount(m, 'heads'),
      ff: readCount(m, 'ff'),
      blocks: readCount(m, 'blocks'),
      maxLength: readCount(m, 'maxLength'),
      classes: readCount(m, 'classes'),
    };
    if (shape.classes < 2 || shape.vocabulary < 2 || shape.heads < 1 || shape.ff < 1 || shape.maxLength < 1) throw new Error('transformer: invalid shape');
    const model = new TransformerClassifier({ ...shape });
    model.net = new TransformerNetwork(shape, Float32Array, decodeFloat32(m.weights, transformerLayout(shape).total, 'transformer'));
    return model;
  }
}
