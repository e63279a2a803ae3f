import { describe, expect, it } from 'vitest';
import { referenceSet, roundTrip } from '../../test/ml-fixtures.js';
import { createRng } from '../platform/random.js';
import { RandomForest } from './forest.js';
import { GradientBoosting } from './gbdt.js';
import { GruClassifier } from './gru.js';
import { LogisticRegression } from './logistic.js';
import { GaussianNaiveBayes, MultinomialNaiveBayes } from './naive-bayes.js';
import { MODEL_LOADERS, modelFromJSON } from './serialize.js';
import { LinearSvm } from './svm.js';
import { TransformerClassifier } from './transformer.js';
import { DecisionTree } from './tree.js';
import type { Classifier, SequenceClassifier } from './types.js';

describe('modelFromJSON', () => {
  const ref = referenceSet();
  const models: [Classifier, 'x' | 'counts'][] = [
    [new MultinomialNaiveBayes(), 'counts'],
    [new GaussianNaiveBayes(), 'x'],
    [new LogisticRegression(), 'x'],
    [new LinearSvm({ rng: createRng(1) }), 'x'],
    [new DecisionTree({ maxDepth: 4 }), 'x'],
    [new RandomForest({ trees: 5, rng: createRng(1) }), 'x'],
    [new GradientBoosting({ maxIter: 5, minSamplesLeaf: 5 }), 'x'],
  ];
  // Token sequences for the sequence models: ids 1..4 by formula, 1–6 tokens long.
  const sequences = Array.from({ length: ref.y3.length }, (_, i) => Int32Array.from({ length: 1 + (i % 6) }, (_, t) => 1 + ((i * 7 + t * 3) % 4)));
  const sequenceModels: SequenceClassifier[] = [
    new GruClassifier({ hidden: 4, embedding: 2, epochs: 2, rng: createRng(1) }),
    new TransformerClassifier({ dModel: 4, maxLength: 6, epochs: 2, rng: createRng(1) }),
  ];

  it('rebuilds every registered kind with identical probabilities after JSON.stringify/parse', () => {
    for (const [model, features] of models) {
      model.fit(ref[features], ref.y3);
      const back = modelFromJSON(roundTrip(model)) as Classifier;
      expect(back.kind).toBe(model.kind);
      expect(back.classes).toBe(3);
      expect(Array.from(back.predictProba(ref[features]))).toEqual(Array.from(model.predictProba(ref[features])));
    }
    for (const model of sequenceModels) {
      model.fit(sequences, ref.y3);
      const back = modelFromJSON(roundTrip(model)) as SequenceClassifier;
      expect(back.kind).toBe(model.kind);
      expect(back.classes).toBe(3);
      expect(Array.from(back.predictProba(sequences))).toEqual(Array.from(model.predictProba(sequences)));
    }
    // Ensembles hold other models: their round trips are in ensemble.test.ts.
    const ensembles = ['soft-voting', 'stacking'];
    expect(Object.keys(MODEL_LOADERS).sort()).toEqual([...models.map(([m]) => m.kind), ...sequenceModels.map((m) => m.kind), ...ensembles].sort());
  });

  it('refuses unknown kinds, newer format versions and non-objects', () => {
    const json = models[2]![0].toJSON();
    expect(() => modelFromJSON({ ...json, kind: 'toString' })).toThrow(/unknown model kind "toString"/);
    expect(() => modelFromJSON({ ...json, version: 2 })).toThrow(/version 2 is not readable/);
    expect(() => modelFromJSON({ ...json, version: '1' })).toThrow(/version 1 is not readable/);
    expect(() => modelFromJSON(null)).toThrow(/not a serialized model/);
  });
});
