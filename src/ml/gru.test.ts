import { describe, expect, it } from 'vitest';
import { bagOfTokensAccuracy, float32GradientGap, gradientCheck, orderTask } from '../../test/sequence-fixtures.js';
import { createRng } from '../platform/random.js';
import { GruClassifier, GruNetwork, gruLayout, type GruShape, type Pooling } from './gru.js';
import { accuracy, argmaxRows } from './metrics.js';
import { modelFromJSON } from './serialize.js';

const tiny = (pooling: Pooling): GruShape => ({ vocabulary: 5, embedding: 3, hidden: 4, classes: 3, pooling });
const batch = [
  { tokens: Int32Array.from([1, 2, 3, 2]), label: 0, scale: 0.5 },
  { tokens: Int32Array.from([4, 4, 1]), label: 2, scale: 0.3 },
  { tokens: Int32Array.from([3]), label: 1, scale: 0.2 },
];

function randomNet(shape: GruShape, seed: string): GruNetwork {
  const net = new GruNetwork(shape, Float64Array);
  const rng = createRng(seed);
  for (let i = 0; i < net.params.length; i++) net.params[i] = rng.normal(0, 0.6);
  return net;
}

describe('GruNetwork gradients', () => {
  for (const pooling of ['last', 'mean'] as const) {
    it(`match central finite differences in every parameter group (${pooling} pooling, float64)`, () => {
      const net = randomNet(tiny(pooling), `gru-${pooling}`);
      const check = gradientCheck(net, gruLayout(net.shape), batch, 3);
      for (const [group, { worst, norm }] of Object.entries(check)) {
        expect(norm, group).toBeGreaterThan(1e-3); // every group is exercised
        expect(worst, group).toBeLessThan(1);
      }
    });
  }

  it('are the same in float32 up to float32 rounding', () => {
    const net64 = randomNet(tiny('last'), 'gru-32');
    const net32 = new GruNetwork(net64.shape, Float32Array, net64.params);
    expect(float32GradientGap(net64, net32, batch)).toBeLessThan(1e-5);
  });
});

describe('GruClassifier', () => {
  const rng = createRng('order');
  const train = orderTask(rng, 1000);
  const test = orderTask(rng, 500);
  let model: GruClassifier;

  it('learns whether token 1 comes before token 2 (> 95 %) where a bag of tokens stays at chance', () => {
    model = new GruClassifier({ hidden: 12, embedding: 6, rng: createRng(1), epochs: 30, learningRate: 0.02 });
    model.fit(train.sequences, train.y);
    const acc = accuracy(test.y, argmaxRows(model.predictProba(test.sequences), 2));
    expect(acc).toBeGreaterThan(0.95);
    expect(bagOfTokensAccuracy(train, test, 7)).toBeLessThan(0.6);
    const info = model.fitInfo!;
    expect(info.bestEpoch).toBeGreaterThan(0);
    expect(info.validationLoss[info.bestEpoch - 1]! - Math.min(...info.validationLoss)).toBeLessThanOrEqual(1e-6); // the kept epoch
  });

  it('ignores padding wherever it is and keeps only the most recent maxLength tokens', () => {
    const p = (seqs: number[][]) => Array.from(model.predictProba(seqs.map((s) => Int32Array.from(s))));
    const [plain, left, mixed] = [p([[3, 1, 4, 2]]), p([[0, 0, 0, 3, 1, 4, 2]]), p([[3, 0, 1, 4, 0, 2, 0]])];
    expect(left).toEqual(plain);
    expect(mixed).toEqual(plain);
    expect(p([[3, 1, 4, 2]])).not.toEqual(p([[3, 2, 4, 1]]));
    const short = new GruClassifier({ hidden: 4, embedding: 2, maxLength: 3, epochs: 2, rng: createRng(2) });
    short.fit(train.sequences.slice(0, 50), train.y.slice(0, 50));
    const q = (s: number[]) => Array.from(short.predictProba([Int32Array.from(s)]));
    expect(q([5, 6, 1, 2, 3])).toEqual(q([1, 2, 3]));
    expect(q([5, 6, 1, 2, 3])).not.toEqual(q([5, 6, 1]));
  });

  it('round-trips through JSON with identical probabilities, compactly, and refuses damaged weights', () => {
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const back = modelFromJSON(json) as GruClassifier;
    expect(back).toBeInstanceOf(GruClassifier);
    expect(back.predictProba(test.sequences)).toEqual(model.predictProba(test.sequences));
    expect(typeof json.weights).toBe('string');
    expect(json.weights.length).toBe(4 * Math.ceil((gruLayout({ ...json }).total * 4) / 3)); // base64 of 4 bytes a weight
    expect(() => GruClassifier.fromJSON({ ...json, weights: json.weights.slice(0, 40) })).toThrow(/weights/);
    expect(() => GruClassifier.fromJSON({ ...json, pooling: 'max' })).toThrow(/pooling/);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const fit = (seed: number) => {
      const m = new GruClassifier({ hidden: 8, embedding: 4, epochs: 3, rng: createRng(seed) });
      m.fit(train.sequences.slice(0, 300), train.y.slice(0, 300));
      return m.toJSON().weights;
    };
    expect(fit(7)).toBe(fit(7));
    expect(fit(7)).not.toBe(fit(8));
  });

  it('follows the sample weights when copies of the rows disagree', () => {
    // Label 1 iff the sequence starts with token 3; a flipped copy of every row; whichever copy weighs more wins.
    const seqs = train.sequences.slice(0, 300);
    const truth = Int32Array.from(seqs, (s) => (s[0] === 3 ? 1 : 0));
    const both = [...seqs, ...seqs];
    const labels = Int32Array.from([...truth, ...truth.map((v) => 1 - v)]);
    const agree = (w: number[]) => {
      const m = new GruClassifier({ hidden: 8, embedding: 4, epochs: 15, validationFraction: 0, rng: createRng(3) });
      m.fit(both, labels, { sampleWeight: Float64Array.from([...seqs.map(() => w[0]!), ...seqs.map(() => w[1]!)]) });
      return accuracy(truth, argmaxRows(m.predictProba(seqs), 2));
    };
    expect(agree([1, 0.1])).toBeGreaterThan(0.9);
    expect(agree([0.1, 1])).toBeLessThan(0.1);
  });

  it('refuses tokens outside the vocabulary and an unfitted model', () => {
    expect(() => model.predictProba([Int32Array.from([1, 9])])).toThrow(/vocabulary/);
    expect(() => new GruClassifier().predictProba([])).toThrow(/not fitted/);
  });
});
