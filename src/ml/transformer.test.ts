import { describe, expect, it } from 'vitest';
import { bagOfTokensAccuracy, float32GradientGap, gradientCheck, orderTask } from '../../test/sequence-fixtures.js';
import { createRng } from '../platform/random.js';
import { accuracy, argmaxRows } from './metrics.js';
import { modelFromJSON } from './serialize.js';
import { TransformerClassifier, TransformerNetwork, transformerLayout, type TransformerShape } from './transformer.js';

const tiny: TransformerShape = { vocabulary: 5, dModel: 4, heads: 2, ff: 6, blocks: 2, maxLength: 6, classes: 3 };
const batch = [
  { tokens: Int32Array.from([1, 2, 3, 2]), label: 0, scale: 0.5 },
  { tokens: Int32Array.from([4, 4, 1, 3, 2, 1]), label: 2, scale: 0.3 },
  { tokens: Int32Array.from([3]), label: 1, scale: 0.2 },
];

function randomNet(shape: TransformerShape, seed: string): TransformerNetwork {
  const net = new TransformerNetwork(shape, Float64Array);
  const rng = createRng(seed);
  for (let i = 0; i < net.params.length; i++) net.params[i] = rng.normal(0, 0.6);
  return net;
}

describe('TransformerNetwork gradients', () => {
  for (const [blocks, heads] of [[2, 2], [1, 1]] as const) {
    it(`match central finite differences in every parameter group (${blocks} block(s), ${heads} head(s), float64)`, () => {
      const net = randomNet({ ...tiny, blocks, heads }, `tf-${blocks}-${heads}`);
      const check = gradientCheck(net, net.layout, batch, 3);
      expect(Object.keys(check)).toHaveLength(4 + 16 * blocks + 2);
      for (const [group, { worst, norm }] of Object.entries(check)) {
        expect(worst, group).toBeLessThan(1);
        // A key bias adds q·b to every score of a row, which the softmax ignores: its gradient is 0 in closed form.
        if (group.endsWith('.bk')) expect(norm, group).toBeLessThan(1e-12);
        else expect(norm, group).toBeGreaterThan(1e-4); // every other group is exercised
      }
    });
  }

  it('are the same in float32 up to float32 rounding', () => {
    const net64 = randomNet(tiny, 'tf-32');
    const net32 = new TransformerNetwork(tiny, Float32Array, net64.params);
    expect(float32GradientGap(net64, net32, batch)).toBeLessThan(1e-4);
  });
});

describe('TransformerClassifier', () => {
  const rng = createRng('order-tf');
  const train = orderTask(rng, 1000);
  const test = orderTask(rng, 500);
  let model: TransformerClassifier;

  it('learns whether token 1 comes before token 2 (> 95 %) where a bag of tokens stays at chance', () => {
    model = new TransformerClassifier({ dModel: 16, heads: 2, maxLength: 12, rng: createRng(1), epochs: 40, learningRate: 0.005 });
    model.fit(train.sequences, train.y);
    const acc = accuracy(test.y, argmaxRows(model.predictProba(test.sequences), 2));
    expect(acc).toBeGreaterThan(0.95);
    expect(bagOfTokensAccuracy(train, test, 7)).toBeLessThan(0.6);
  });

  it('ignores padding wherever it is (the length mask) and keeps only the most recent maxLength tokens', () => {
    const p = (seqs: number[][]) => Array.from(model.predictProba(seqs.map((s) => Int32Array.from(s))));
    const plain = p([[3, 1, 4, 2]]);
    expect(p([[0, 0, 0, 3, 1, 4, 2]])).toEqual(plain);
    expect(p([[3, 0, 1, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]])).toEqual(plain);
    // Scored in one batch beside a longer sequence, or alone: the same.
    expect(p([[5, 6, 1, 3, 3, 4, 2, 5], [3, 1, 4, 2]]).slice(2)).toEqual(plain);
    expect(plain).not.toEqual(p([[3, 2, 4, 1]]));
    const long = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 1, 2];
    expect(p([[3, 4, ...long]])).toEqual(p([long]));
  });

  it('round-trips through JSON with identical probabilities and refuses damaged weights', () => {
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const back = modelFromJSON(json) as TransformerClassifier;
    expect(back).toBeInstanceOf(TransformerClassifier);
    expect(back.predictProba(test.sequences)).toEqual(model.predictProba(test.sequences));
    expect(json.weights.length).toBe(4 * Math.ceil((transformerLayout(json).total * 4) / 3));
    expect(() => TransformerClassifier.fromJSON({ ...json, weights: json.weights.slice(8) })).toThrow(/weights/);
    expect(() => TransformerClassifier.fromJSON({ ...json, heads: 3 })).toThrow(/multiple of heads/);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const fit = (seed: number) => {
      const m = new TransformerClassifier({ dModel: 8, maxLength: 12, epochs: 2, rng: createRng(seed) });
      m.fit(train.sequences.slice(0, 200), train.y.slice(0, 200));
      return m.toJSON().weights;
    };
    expect(fit(7)).toBe(fit(7));
    expect(fit(7)).not.toBe(fit(8));
  });

  it('refuses bad shapes, tokens outside the vocabulary and an unfitted model', () => {
    expect(() => new TransformerClassifier({ blocks: 3 })).toThrow(/blocks/);
    expect(() => model.predictProba([Int32Array.from([1, 9])])).toThrow(/vocabulary/);
    expect(() => new TransformerClassifier().predictProba([])).toThrow(/not fitted/);
  });
});
