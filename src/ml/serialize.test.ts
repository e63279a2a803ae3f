import { describe, expect, it } from 'vitest';
import { referenceSet, roundTrip } from '../../test/ml-fixtures.js';
import { createRng } from '../platform/random.js';
import { RandomForest } from './forest.js';
import { GradientBoosting } from './gbdt.js';
import { LogisticRegression } from './logistic.js';
import { GaussianNaiveBayes, MultinomialNaiveBayes } from './naive-bayes.js';
import { MODEL_LOADERS, modelFromJSON } from './serialize.js';
import { LinearSvm } from './svm.js';
import { DecisionTree } from './tree.js';
import type { Classifier } from './types.js';

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

  it('rebuilds every registered kind with identical probabilities after JSON.stringify/parse', () => {
    for (const [model, features] of models) {
      model.fit(ref[features], ref.y3);
      const back = modelFromJSON(roundTrip(model)) as Classifier;
      expect(back.kind).toBe(model.kind);
      expect(back.classes).toBe(3);
      expect(Array.from(back.predictProba(ref[features]))).toEqual(Array.from(model.predictProba(ref[features])));
    }
    expect(Object.keys(MODEL_LOADERS).sort()).toEqual(models.map(([m]) => m.kind).sort());
  });

  it('refuses unknown kinds, newer format versions and non-objects', () => {
    const json = models[2]![0].toJSON();
    expect(() => modelFromJSON({ ...json, kind: 'toString' })).toThrow(/unknown model kind "toString"/);
    expect(() => modelFromJSON({ ...json, version: 2 })).toThrow(/version 2 is not readable/);
    expect(() => modelFromJSON({ ...json, version: '1' })).toThrow(/version 1 is not readable/);
    expect(() => modelFromJSON(null)).toThrow(/not a serialized model/);
  });
});
