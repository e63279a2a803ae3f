// The models the intent benchmark runs: every tabular classifier in src/ml, each with the encoding it is meant for
// and, where scikit-learn has the same model, the name of its counterpart in the reference run. A new model class in
// src/ml adds one entry here.
import { createRng } from '../src/platform/random.js';
import { RandomForest } from '../src/ml/forest.js';
import { GradientBoosting } from '../src/ml/gbdt.js';
import { LogisticRegression } from '../src/ml/logistic.js';
import { GaussianNaiveBayes, MultinomialNaiveBayes } from '../src/ml/naive-bayes.js';
import { LinearSvm } from '../src/ml/svm.js';
import { DecisionTree } from '../src/ml/tree.js';
import type { Classifier } from '../src/ml/types.js';
import type { Encoding } from './intent-data.js';

export type ReferenceName = 'random-forest' | 'hist-gradient-boosting' | 'logistic-regression';

export interface BenchModel {
  name: string;
  /** The settings, as printed. */
  settings: string;
  encoding: Encoding;
  /** The scikit-learn model with the same settings in the reference run. */
  reference?: ReferenceName;
  make(seed: number): Classifier;
}

export const FOREST_TREES = 100;
/** Our GradientBoosting defaults, spelled out so the scikit-learn reference gets the same (HistGradientBoosting's names). */
export const GBDT_SETTINGS = {
  learning_rate: 0.05,
  max_iter: 200,
  max_leaf_nodes: 31,
  min_samples_leaf: 20,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: true,
  validation_fraction: 0.1,
  n_iter_no_change: 10,
  tol: 1e-7,
};

export const BENCH_MODELS: BenchModel[] = [
  {
    name: 'gbdt',
    settings: 'lr 0.05, ≤ 200 iterations, 31 leaves, min leaf 20, λ 0, early stopping (10% held out, patience 10)',
    encoding: 'trees',
    reference: 'hist-gradient-boosting',
    make: (seed) => {
      const s = GBDT_SETTINGS;
      return new GradientBoosting({
        learningRate: s.learning_rate,
        maxIter: s.max_iter,
        maxLeafNodes: s.max_leaf_nodes,
        minSamplesLeaf: s.min_samples_leaf,
        l2: s.l2_regularization,
        maxBins: s.max_bins,
        earlyStopping: s.early_stopping,
        validationFraction: s.validation_fraction,
        patience: s.n_iter_no_change,
        tol: s.tol,
        rng: createRng(seed),
      });
    },
  },
  {
    name: 'random-forest',
    settings: `${FOREST_TREES} trees, sqrt features, gini, fully grown`,
    encoding: 'trees',
    reference: 'random-forest',
    make: (seed) => new RandomForest({ trees: FOREST_TREES, rng: createRng(seed) }),
  },
  {
    name: 'decision-tree',
    settings: 'gini, depth ≤ 8, min leaf 20',
    encoding: 'trees',
    make: (seed) => new DecisionTree({ maxDepth: 8, minSamplesLeaf: 20, rng: createRng(seed) }),
  },
  {
    name: 'logistic-regression',
    settings: 'L2, C 1, L-BFGS',
    encoding: 'linear',
    reference: 'logistic-regression',
    make: () => new LogisticRegression({ C: 1 }),
  },
  {
    name: 'linear-svm',
    settings: 'squared hinge, C 0.1, Platt scaling on 3 folds',
    encoding: 'linear',
    make: (seed) => new LinearSvm({ C: 0.1, rng: createRng(seed) }),
  },
  {
    name: 'gaussian-nb',
    settings: 'var smoothing 1e-9 (numeric columns only)',
    encoding: 'numeric',
    make: () => new GaussianNaiveBayes(),
  },
  {
    name: 'multinomial-nb',
    settings: 'alpha 1 (log1p counts + one-hot)',
    encoding: 'counts',
    make: () => new MultinomialNaiveBayes(),
  },
];
