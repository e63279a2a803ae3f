import { describe, expect, it } from 'vitest';
import { blobs, roundTrip } from '../../test/ml-fixtures.js';
import { orderTask } from '../../test/sequence-fixtures.js';
import { createRng } from '../platform/random.js';
import { SoftVotingEnsemble, StackingEnsemble } from './ensemble.js';
import { GruClassifier } from './gru.js';
import { LogisticRegression } from './logistic.js';
import { accuracy, argmaxRows, positiveColumn, rocAuc } from './metrics.js';
import { GaussianNaiveBayes } from './naive-bayes.js';
import { modelFromJSON } from './serialize.js';
import { TransformerClassifier } from './transformer.js';
import { DecisionTree } from './tree.js';
import { matrix, type Classifier, type FitOptions, type Labels, type Matrix, type SerializedModel } from './types.js';

/** Logistic regression that sees one column only (a member with its own view of the features). */
class OneColumn implements Classifier {
  readonly kind = 'one-column';
  private readonly lr = new LogisticRegression();
  constructor(private readonly column: number) {}
  get classes() {
    return this.lr.classes;
  }
  private pick(x: Matrix): Matrix {
    return matrix(x.rows, 1, Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + this.column]!));
  }
  fit(x: Matrix, y: Labels, opts?: FitOptions) {
    this.lr.fit(this.pick(x), y, opts);
  }
  predictProba(x: Matrix) {
    return this.lr.predictProba(this.pick(x));
  }
  toJSON(): SerializedModel {
    return { kind: this.kind, version: 1 };
  }
}

/** y = [x₀ + x₁ + noise > 0]: each column alone explains about half of it. */
function twoViews(rng: ReturnType<typeof createRng>, rows: number): { x: Matrix; y: Labels } {
  const x = matrix(rows, 2);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rng.normal(0, 1);
    const b = rng.normal(0, 1);
    x.data[2 * i] = a;
    x.data[2 * i + 1] = b;
    y[i] = a + b + rng.normal(0, 0.3) > 0 ? 1 : 0;
  }
  return { x, y };
}

describe('SoftVotingEnsemble', () => {
  const { x, y } = blobs(createRng('vote'), 3, 40, 2);

  it('is the weighted mean of its members’ probabilities, computed by hand', () => {
    const lr = new LogisticRegression({ C: 0.05 });
    const nb = new GaussianNaiveBayes();
    const vote = new SoftVotingEnsemble([lr, nb], { weights: [2, 1] });
    vote.fit(x, y);
    const [a, b, p] = [lr.predictProba(x), nb.predictProba(x), vote.predictProba(x)];
    expect(p).toHaveLength(a.length);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo((2 * a[i]! + b[i]!) / 3, 14);
    expect(new SoftVotingEnsemble([lr, nb], { weights: [0, 1] }).predictProba(x)).toEqual(b);
    expect(vote.classes).toBe(3);
  });

  it('round-trips through JSON, with sequence members too', () => {
    const vote = new SoftVotingEnsemble([new LogisticRegression(), new GaussianNaiveBayes()], { weights: [1, 3] });
    vote.fit(x, y);
    const back = modelFromJSON(roundTrip(vote)) as SoftVotingEnsemble;
    expect(back.predictProba(x)).toEqual(vote.predictProba(x));
    const { sequences, y: ys } = orderTask(createRng('vote-seq'), 60);
    const seqVote = new SoftVotingEnsemble<Int32Array[]>([
      new GruClassifier({ hidden: 4, embedding: 2, epochs: 2, rng: createRng(1) }),
      new TransformerClassifier({ dModel: 4, maxLength: 10, epochs: 2, rng: createRng(1) }),
    ]);
    seqVote.fit(sequences, ys);
    const seqBack = modelFromJSON(roundTrip(seqVote)) as SoftVotingEnsemble<Int32Array[]>;
    expect(seqBack.predictProba(sequences)).toEqual(seqVote.predictProba(sequences));
  });

  it('refuses bad weights and members that disagree on the classes', () => {
    expect(() => new SoftVotingEnsemble([new LogisticRegression()], { weights: [1, 2] })).toThrow(/2 weights for 1/);
    expect(() => new SoftVotingEnsemble([new LogisticRegression()], { weights: [0] })).toThrow(/not all 0/);
    const two = new LogisticRegression();
    two.fit(x, Int32Array.from(y, (c) => (c === 0 ? 0 : 1)));
    const three = new LogisticRegression();
    three.fit(x, y);
    expect(() => new SoftVotingEnsemble([two, three]).predictProba(x)).toThrow(/disagree/);
  });
});

describe('StackingEnsemble', () => {
  const rng = createRng('stack');
  const train = twoViews(rng, 1200);
  const test = twoViews(rng, 800);

  it('beats both members when they see different features', () => {
    const auc = (m: Classifier) => rocAuc(test.y, positiveColumn(m.predictProba(test.x)));
    const a = new OneColumn(0);
    const b = new OneColumn(1);
    a.fit(train.x, train.y);
    b.fit(train.x, train.y);
    const stack = new StackingEnsemble({ members: [() => new OneColumn(0), () => new OneColumn(1)], rng: createRng(2) });
    stack.fit(train.x, train.y);
    const [aucA, aucB, aucStack] = [auc(a), auc(b), auc(stack)];
    expect(Math.min(aucA, aucB)).toBeLessThan(0.9);
    expect(aucStack).toBeGreaterThan(Math.max(aucA, aucB) + 0.05);
    expect(accuracy(test.y, argmaxRows(stack.predictProba(test.x), 2))).toBeGreaterThan(0.9);
  });

  it('trains the meta-model on out-of-fold probabilities, not on what members saw', () => {
    // A fully grown tree scores its own training rows (almost) perfectly; out of fold it cannot.
    const stack = new StackingEnsemble({ members: [() => new DecisionTree()], folds: 4, rng: createRng(3) });
    stack.fit(train.x, train.y);
    const inSample = positiveColumn(stack.members[0]!.predictProba(train.x));
    expect(accuracy(train.y, Int32Array.from(inSample, (p) => (p > 0.5 ? 1 : 0)))).toBeGreaterThan(0.99);
    const oof = stack.outOfFold!;
    expect(oof.cols).toBe(1);
    expect(accuracy(train.y, Int32Array.from(oof.data, (p) => (p > 0.5 ? 1 : 0)))).toBeLessThan(0.95);
  });

  it('round-trips through JSON (multiclass: every class a column) and cannot be refitted without factories', () => {
    const { x, y } = blobs(createRng('stack3'), 3, 40, 2);
    const stack = new StackingEnsemble({ members: [() => new LogisticRegression(), () => new GaussianNaiveBayes()], folds: 3, rng: createRng(4) });
    stack.fit(x, y);
    expect(stack.outOfFold!.cols).toBe(6);
    const back = modelFromJSON(roundTrip(stack)) as StackingEnsemble;
    expect(back.predictProba(x)).toEqual(stack.predictProba(x));
    expect(back.classes).toBe(3);
    expect(() => back.fit(x, y)).toThrow(/cannot be refitted/);
  });
});
