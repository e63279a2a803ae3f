// A GRU sequence classifier: token embedding → GRU(hidden) → last or mean hidden state → softmax, trained by
// backpropagation through time written by hand. Gates follow PyTorch's GRU:
//   r = σ(Wᵣx + bᵣ + Uᵣh + cᵣ), z = σ(W_z x + b_z + U_z h + c_z), n = tanh(Wₙx + bₙ + r ⊙ (Uₙh + cₙ)),
//   h' = (1 − z) ⊙ n + z ⊙ h.
// x only ever is an embedding row, so W·emb[v] + b is computed once per token id and batch (a vocabulary × 3H
// table): each step then costs the recurrent product only, which is what makes training and a session update cheap.
import { createRng, type Rng } from '../platform/random.js';
import { expectModel, readCount } from './model-json.js';
import { countClasses, rowWeights } from './preprocess.js';
import { cleanAll, predictAll, trainSequenceNet, vocabularyOf, type SequenceFitInfo, type SequenceModelOptions, type SequenceNet } from './sequence-fit.js';
import { decodeFloat32, encodeFloat32, linearBackward, linearForward, paramLayout, paramViews, sigmoid, softmaxInPlace, type ParamLayout, type Vec, type VecConstructor } from './tensor.js';
import type { FitOptions, Labels, SequenceClassifier, SerializedModel } from './types.js';

export type Pooling = 'last' | 'mean';

/** The sizes that fix a GRU network's parameters. */
export interface GruShape {
  vocabulary: number;
  embedding: number;
  hidden: number;
  classes: number;
  pooling: Pooling;
}

type GruParam = 'emb' | 'wx' | 'bx' | 'uh' | 'bh' | 'wo' | 'bo';

/** The parameter groups of a GRU network, in their order in the flat vector. */
export function gruLayout(s: GruShape): ParamLayout<GruParam> {
  const g = 3 * s.hidden;
  return paramLayout<GruParam>({ emb: s.vocabulary * s.embedding, wx: g * s.embedding, bx: g, uh: g * s.hidden, bh: g, wo: s.classes * s.hidden, bo: s.classes });
}

/** The network (parameters, gradients, workspace) behind GruClassifier; public for gradient checks. */
export class GruNetwork implements SequenceNet {
  readonly params: Vec;
  readonly grads: Vec;
  readonly p: Record<GruParam, Vec>;
  readonly g: Record<GruParam, Vec>;
  private readonly table: Vec; // vocabulary × 3H: Wx·emb[v] + bx
  private readonly dTable: Vec;
  private readonly used: Uint8Array; // token ids whose dTable row is non-zero in this batch
  private hs: Vec; // (steps + 1) × H: h₋₁ = 0, then each step's state
  private r: Vec;
  private z: Vec;
  private n: Vec;
  private hn: Vec; // Uₙh + cₙ per step (the reset gate's input)
  private readonly hg: Vec; // 3H: U·h + c at one step, then its gradient
  private readonly pooled: Vec;
  private readonly logits: Vec;
  private readonly dh: Vec;
  private readonly dhPrev: Vec;
  private capacity = 0;

  constructor(readonly shape: GruShape, private readonly ctor: VecConstructor = Float32Array, params?: Vec) {
    const layout = gruLayout(shape);
    this.params = new ctor(layout.total);
    if (params) {
      if (params.length !== layout.total) throw new Error(`gru: ${params.length} parameters, expected ${layout.total}`);
      this.params.set(params);
    }
    this.grads = new ctor(layout.total);
    this.p = paramViews(this.params, layout);
    this.g = paramViews(this.grads, layout);
    const H = shape.hidden;
    this.table = new ctor(shape.vocabulary * 3 * H);
    this.dTable = new ctor(shape.vocabulary * 3 * H);
    this.used = new Uint8Array(shape.vocabulary);
    this.hg = new ctor(3 * H);
    this.pooled = new ctor(H);
    this.logits = new ctor(shape.classes);
    this.dh = new ctor(H);
    this.dhPrev = new ctor(H);
    this.hs = this.r = this.z = this.n = this.hn = new ctor(0);
    this.reserve(32);
  }

  /** Random initial weights: embeddings N(0, 0.1²), GRU and output weights U(±1/√H) as PyTorch, biases 0. */
  initialize(rng: Rng): void {
    const { p, shape } = this;
    const bound = 1 / Math.sqrt(shape.hidden);
    for (let i = 0; i < p.emb.length; i++) p.emb[i] = rng.normal(0, 0.1);
    for (const w of [p.wx, p.uh, p.wo]) for (let i = 0; i < w.length; i++) w[i] = rng.float(-bound, bound);
    for (const b of [p.bx, p.bh, p.bo]) b.fill(0);
  }

  private reserve(steps: number): void {
    if (steps <= this.capacity) return;
    const H = this.shape.hidden;
    this.capacity = Math.max(steps, 2 * this.capacity);
    this.hs = new this.ctor((this.capacity + 1) * H);
    this.r = new this.ctor(this.capacity * H);
    this.z = new this.ctor(this.capacity * H);
    this.n = new this.ctor(this.capacity * H);
    this.hn = new this.ctor(this.capacity * H);
  }

  prepare(): void {
    const { shape, p } = this;
    linearForward(p.emb, 0, shape.vocabulary, shape.embedding, p.wx, p.bx, 3 * shape.hidden, this.table, 0);
  }

  beginBatch(): void {
    this.grads.fill(0);
    this.prepare();
  }

  endBatch(): void {
    const { shape, p, g } = this;
    const G = 3 * shape.hidden;
    for (let v = 0; v < shape.vocabulary; v++) {
      if (!this.used[v]) continue;
      this.used[v] = 0;
      linearBackward(this.dTable, v * G, p.emb, v * shape.embedding, 1, shape.embedding, p.wx, G, g.wx, g.bx, g.emb, v * shape.embedding);
      this.dTable.fill(0, v * G, (v + 1) * G);
    }
  }

  /** Runs the recurrence over tokens[0, length), keeping every step's gates; leaves the pooled state in `pooled`. */
  private run(tokens: Int32Array, length: number): void {
    const H = this.shape.hidden;
    const G = 3 * H;
    this.reserve(length);
    const { hs, r, z, n, hn, hg, table, pooled } = this;
    const { uh, bh } = this.p;
    hs.fill(0, 0, H);
    pooled.fill(0);
    for (let t = 0; t < length; t++) {
      const prev = t * H;
      const cur = prev + H;
      linearForward(hs, prev, 1, H, uh, bh, G, hg, 0);
      const x = tokens[t]! * G;
      for (let j = 0; j < H; j++) {
        const rj = sigmoid(table[x + j]! + hg[j]!);
        const zj = sigmoid(table[x + H + j]! + hg[H + j]!);
        const nj = Math.tanh(table[x + 2 * H + j]! + rj * hg[2 * H + j]!);
        r[prev + j] = rj;
        z[prev + j] = zj;
        n[prev + j] = nj;
        hn[prev + j] = hg[2 * H + j]!;
        hs[cur + j] = (1 - zj) * nj + zj * hs[prev + j]!;
      }
    }
    if (this.shape.pooling === 'last') pooled.set(hs.subarray(length * H, (length + 1) * H));
    else if (length > 0) {
      for (let t = 1; t <= length; t++) for (let j = 0; j < H; j++) pooled[j]! += hs[t * H + j]!;
      for (let j = 0; j < H; j++) pooled[j]! /= length;
    }
  }

  forward(tokens: Int32Array, length: number, out: Float64Array, off: number): void {
    this.run(tokens, length);
    const { shape, logits } = this;
    linearForward(this.pooled, 0, 1, shape.hidden, this.p.wo, this.p.bo, shape.classes, logits, 0);
    softmaxInPlace(logits, 0, shape.classes);
    for (let c = 0; c < shape.classes; c++) out[off + c] = logits[c]!;
  }

  accumulate(tokens: Int32Array, length: number, label: number, scale: number): number {
    this.run(tokens, length);
    const { shape, logits, p, g, hs, r, z, n, hn, hg, dh, dhPrev } = this;
    const H = shape.hidden;
    const G = 3 * H;
    linearForward(this.pooled, 0, 1, H, p.wo, p.bo, shape.classes, logits, 0);
    softmaxInPlace(logits, 0, shape.classes);
    const loss = -Math.log(Math.max(logits[label]!, 1e-30));
    for (let c = 0; c < shape.classes; c++) logits[c] = scale * (logits[c]! - (c === label ? 1 : 0)); // now ∂loss/∂logits
    dhPrev.fill(0); // ∂loss/∂pooled
    linearBackward(logits, 0, this.pooled, 0, 1, H, p.wo, shape.classes, g.wo, g.bo, dhPrev, 0);
    if (length === 0) return loss;
    const mean = shape.pooling === 'mean';
    if (mean) for (let j = 0; j < H; j++) dhPrev[j]! /= length;
    const dPooled = this.pooled; // pooled is no longer needed: keep ∂loss/∂pooled there
    dPooled.set(dhPrev);
    dh.fill(0);
    if (!mean) dh.set(dPooled);
    for (let t = length - 1; t >= 0; t--) {
      if (mean) for (let j = 0; j < H; j++) dh[j]! += dPooled[j]!;
      const prev = t * H;
      const x = tokens[t]! * G;
      this.used[tokens[t]!] = 1;
      const dT = this.dTable;
      for (let j = 0; j < H; j++) {
        const rj = r[prev + j]!;
        const zj = z[prev + j]!;
        const nj = n[prev + j]!;
        const d = dh[j]!;
        const dn = d * (1 - zj) * (1 - nj * nj); // through tanh
        const dr = dn * hn[prev + j]! * rj * (1 - rj);
        const dz = d * (hs[prev + j]! - nj) * zj * (1 - zj);
        dT[x + j]! += dr;
        dT[x + H + j]! += dz;
        dT[x + 2 * H + j]! += dn;
        hg[j] = dr;
        hg[H + j] = dz;
        hg[2 * H + j] = dn * rj;
        dhPrev[j] = d * zj;
      }
      linearBackward(hg, 0, hs, prev, 1, H, p.uh, G, g.uh, g.bh, dhPrev, 0);
      dh.set(dhPrev);
    }
    return loss;
  }
}

export interface GruOptions extends SequenceModelOptions {
  /** Hidden units (default 32). */
  hidden?: number;
  /** Embedding width (default 16). */
  embedding?: number;
  /** Classify from the last hidden state (default) or the mean over steps. */
  pooling?: Pooling;
}

/** GRU classifier over token sequences (SequenceClassifier). */
export class GruClassifier implements SequenceClassifier {
  static readonly KIND = 'gru';
  static readonly VERSION = 1;
  readonly kind = GruClassifier.KIND;
  private net: GruNetwork | undefined;
  private readonly options: GruOptions;
  private maxLength: number;
  fitInfo: SequenceFitInfo | undefined;

  constructor(options: GruOptions = {}) {
    this.options = { ...options };
    this.maxLength = options.maxLength ?? 50;
    for (const [name, v] of [['hidden', options.hidden ?? 32], ['embedding', options.embedding ?? 16], ['maxLength', this.maxLength]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`gru: ${name} must be a positive integer`);
    }
  }

  get classes(): number {
    return this.net?.shape.classes ?? 0;
  }

  fit(sequences: Int32Array[], y: Labels, opts: FitOptions = {}): void {
    if (sequences.length !== y.length) throw new Error(`gru: ${sequences.length} sequences but ${y.length} labels`);
    const classes = countClasses(y, this.options.classes);
    const vocabulary = this.options.vocabulary ?? vocabularyOf(sequences);
    const tokens = cleanAll(sequences, vocabulary, this.maxLength, 'gru');
    const w = rowWeights(y, classes, opts.sampleWeight, this.options.classWeight);
    const rng = this.options.rng ?? createRng(0);
    const net = new GruNetwork({ vocabulary, classes, embedding: this.options.embedding ?? 16, hidden: this.options.hidden ?? 32, pooling: this.options.pooling ?? 'last' });
    net.initialize(rng.fork());
    this.fitInfo = trainSequenceNet(net, tokens, y, w, classes, this.options, rng);
    this.net = net;
  }

  predictProba(sequences: Int32Array[]): Float64Array {
    const net = this.fitted();
    return predictAll(net, sequences, net.shape.classes, net.shape.vocabulary, this.maxLength, 'gru');
  }

  private fitted(): GruNetwork {
    if (!this.net) throw new Error('gru: not fitted');
    return this.net;
  }

  toJSON(): SerializedModel {
    const { shape, params } = this.fitted();
    return { kind: this.kind, version: GruClassifier.VERSION, ...shape, maxLength: this.maxLength, weights: encodeFloat32(params as Float32Array) };
  }

  static fromJSON(json: unknown): GruClassifier {
    const m = expectModel(json, GruClassifier.KIND, GruClassifier.VERSION);
    const pooling = m.pooling;
    if (pooling !== 'last' && pooling !== 'mean') throw new Error(`gru: unknown pooling ${String(pooling)}`);
    const shape: GruShape = { vocabulary: readCount(m, 'vocabulary'), embedding: readCount(m, 'embedding'), hidden: readCount(m, 'hidden'), classes: readCount(m, 'classes'), pooling };
    if (shape.classes < 2 || shape.vocabulary < 2 || shape.hidden < 1 || shape.embedding < 1 || readCount(m, 'maxLength') < 1) throw new Error('gru: invalid shape');
    const model = new GruClassifier({ maxLength: readCount(m, 'maxLength'), hidden: shape.hidden, embedding: shape.embedding, pooling });
    model.net = new GruNetwork(shape, Float32Array, decodeFloat32(m.weights, gruLayout(shape).total, 'gru'));
    model.net.prepare();
    return model;
  }
}
