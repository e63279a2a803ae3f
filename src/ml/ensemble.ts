// Ensembles of classifiers: soft voting (a weighted mean of the members' probabilities) and stacking (a logistic
// regression meta-model over the members' out-of-fold probabilities, as sklearn's StackingClassifier). Both work
// over feature matrices or token sequences alike: members only need fit/predictProba on the same input.
import { createRng, type Rng } from '../platform/random.js';
import { LogisticRegression } from './logistic.js';
import { expectModel, readFloats } from './model-json.js';
import { countClasses } from './preprocess.js';
import { modelFromJSON } from './serialize.js';
import { stratifiedKFold } from './split.js';
import { matrix, takeRows, type FitOptions, type Labels, type Matrix, type SerializedModel } from './types.js';

/** What the members may take as input: a feature matrix or token sequences. */
export type EnsembleInput = Matrix | Int32Array[];

/** A member model: any Classifier or SequenceClassifier. */
export interface Member<X extends EnsembleInput> {
  readonly kind: string;
  readonly classes: number;
  fit(x: X, y: Labels, opts?: FitOptions): void;
  predictProba(x: X): Float64Array;
  toJSON(): SerializedModel;
}

/** The rows of x at the given indices. */
function subset<X extends EnsembleInput>(x: X, indices: Int32Array): X {
  return (Array.isArray(x) ? Array.from(indices, (i) => x[i]!) : takeRows(x, indices)) as X;
}

function rowCount(x: EnsembleInput): number {
  return Array.isArray(x) ? x.length : x.rows;
}

/** Every member's serialized form, rebuilt (members are any registered kind). */
function readMembers(json: SerializedModel): Member<EnsembleInput>[] {
  const members = json.members;
  if (!Array.isArray(members) || members.length === 0) throw new Error(`${json.kind}: field members is not a non-empty array`);
  return members.map((m) => modelFromJSON(m) as Member<EnsembleInput>);
}

/** The classes all members agree on. */
function commonClasses(kind: string, members: readonly Member<EnsembleInput>[]): number {
  const k = members[0]!.classes;
  if (members.some((m) => m.classes !== k)) throw new Error(`${kind}: members disagree on the number of classes`);
  return k;
}

export interface SoftVotingOptions {
  /** One non-negative weight per member (default all 1); the probabilities are their weighted mean. */
  weights?: readonly number[];
}

/** Soft voting: p(c | x) = Σₘ wₘ·pₘ(c | x) / Σₘ wₘ. */
export class SoftVotingEnsemble<X extends EnsembleInput = Matrix> {
  static readonly KIND = 'soft-voting';
  static readonly VERSION = 1;
  readonly kind = SoftVotingEnsemble.KIND;
  readonly weights: Float64Array;

  constructor(readonly members: readonly Member<X>[], options: SoftVotingOptions = {}) {
    if (members.length === 0) throw new Error('soft-voting: no members');
    this.weights = Float64Array.from(options.weights ?? members.map(() => 1));
    if (this.weights.length !== members.length) throw new Error(`soft-voting: ${this.weights.length} weights for ${members.length} members`);
    if (!this.weights.every((w) => w >= 0 && Number.isFinite(w)) || !(this.weights.reduce((a, b) => a + b, 0) > 0)) {
      throw new Error('soft-voting: weights must be finite, non-negative and not all 0');
    }
  }

  get classes(): number {
    return this.members[0]!.classes;
  }

  /** Fits every member on the same rows. */
  fit(x: X, y: Labels, opts: FitOptions = {}): void {
    for (const m of this.members) m.fit(x, y, opts);
    commonClasses(this.kind, this.members as readonly Member<EnsembleInput>[]);
  }

  predictProba(x: X): Float64Array {
    const k = commonClasses(this.kind, this.members as readonly Member<EnsembleInput>[]);
    const out = new Float64Array(rowCount(x) * k);
    let total = 0;
    this.members.forEach((m, i) => {
      const w = this.weights[i]!;
      if (w === 0) return;
      total += w;
      const p = m.predictProba(x);
      for (let j = 0; j < out.length; j++) out[j]! += w * p[j]!;
    });
    for (let j = 0; j < out.length; j++) out[j]! /= total;
    return out;
  }

  toJSON(): SerializedModel {
    return { kind: this.kind, version: SoftVotingEnsemble.VERSION, weights: Array.from(this.weights), members: this.members.map((m) => m.toJSON()) };
  }

  static fromJSON(json: unknown): SoftVotingEnsemble<EnsembleInput> {
    const m = expectModel(json, SoftVotingEnsemble.KIND, SoftVotingEnsemble.VERSION);
    const members = readMembers(m);
    const ensemble = new SoftVotingEnsemble(members, { weights: Array.from(readFloats(m, 'weights', members.length)) });
    commonClasses(ensemble.kind, members);
    return ensemble;
  }
}

export interface StackingOptions<X extends EnsembleInput> {
  /** One factory per member: stacking fits a fresh member per fold, then one on all rows. */
  members: readonly (() => Member<X>)[];
  /** Folds for the out-of-fold probabilities (default 5, stratified). */
  folds?: number;
  /** C of the logistic-regression meta-model (default 1). */
  C?: number;
  rng?: Rng;
}

/**
 * Stacking: each member's out-of-fold probabilities (class 1's for two classes, else every class's) become the
 * features of a logistic regression that learns how far to trust each member; the members are then refitted on all
 * rows. Out-of-fold, so a member that memorises its training rows is not trusted for it.
 */
export class StackingEnsemble<X extends EnsembleInput = Matrix> {
  static readonly KIND = 'stacking';
  static readonly VERSION = 1;
  readonly kind = StackingEnsemble.KIND;
  private fitted: Member<X>[] = [];
  private meta: LogisticRegression | undefined;
  /** The meta-model's training features from the last fit: rows × (members × columns per member). */
  outOfFold: Matrix | undefined;

  constructor(private readonly options: StackingOptions<X> | undefined = undefined) {
    if (options && options.members.length === 0) throw new Error('stacking: no members');
  }

  get classes(): number {
    return this.meta?.classes ?? 0;
  }

  get members(): readonly Member<X>[] {
    return this.fitted;
  }

  fit(x: X, y: Labels, opts: FitOptions = {}): void {
    const o = this.options;
    if (!o) throw new Error('stacking: loaded from JSON without member factories; it cannot be refitted');
    const n = rowCount(x);
    if (n !== y.length) throw new Error(`stacking: ${n} rows but ${y.length} labels`);
    const k = countClasses(y);
    const width = k === 2 ? 1 : k;
    const oof = matrix(n, o.members.length * width);
    const rng = o.rng ?? createRng(0);
    for (const split of stratifiedKFold(y, o.folds ?? 5, rng)) {
      const xTrain = subset(x, split.train);
      const xTest = subset(x, split.test);
      const yTrain = Int32Array.from(split.train, (i) => y[i]!);
      const w = opts.sampleWeight ? Float64Array.from(split.train, (i) => opts.sampleWeight![i]!) : undefined;
      o.members.forEach((make, mi) => {
        const member = make();
        member.fit(xTrain, yTrain, { sampleWeight: w });
        this.placeColumns(oof, member.predictProba(xTest), split.test, mi, k);
      });
    }
    this.fitted = o.members.map((make) => {
      const member = make();
      member.fit(x, y, opts);
      return member;
    });
    this.meta = new LogisticRegression({ C: o.C ?? 1, classes: k });
    this.meta.fit(oof, y, opts);
    this.outOfFold = oof;
  }

  /** Writes member mi's probabilities for the given rows into its columns of the meta features. */
  private placeColumns(features: Matrix, proba: Float64Array, rows: ArrayLike<number>, mi: number, k: number): void {
    const width = k === 2 ? 1 : k;
    for (let r = 0; r < rows.length; r++) {
      const at = rows[r]! * features.cols + mi * width;
      if (k === 2) features.data[at] = proba[r * 2 + 1]!;
      else for (let c = 0; c < k; c++) features.data[at + c] = proba[r * k + c]!;
    }
  }

  predictProba(x: X): Float64Array {
    if (!this.meta) throw new Error('stacking: not fitted');
    const k = this.meta.classes;
    const n = rowCount(x);
    const features = matrix(n, this.fitted.length * (k === 2 ? 1 : k));
    const all = Int32Array.from({ length: n }, (_, i) => i);
    this.fitted.forEach((m, mi) => this.placeColumns(features, m.predictProba(x), all, mi, k));
    return this.meta.predictProba(features);
  }

  toJSON(): SerializedModel {
    if (!this.meta) throw new Error('stacking: not fitted');
    return { kind: this.kind, version: StackingEnsemble.VERSION, meta: this.meta.toJSON(), members: this.fitted.map((m) => m.toJSON()) };
  }

  static fromJSON(json: unknown): StackingEnsemble<EnsembleInput> {
    const m = expectModel(json, StackingEnsemble.KIND, StackingEnsemble.VERSION);
    const ensemble = new StackingEnsemble<EnsembleInput>();
    ensemble.fitted = readMembers(m);
    ensemble.meta = LogisticRegression.fromJSON(m.meta);
    const k = ensemble.meta.classes;
    if (commonClasses(ensemble.kind, ensemble.fitted) !== k) throw new Error('stacking: members and meta-model disagree on the classes');
    return ensemble;
  }
}
