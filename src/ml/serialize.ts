// Loading any model back from its toJSON(): one map from `kind` to the class that reads it. A new model class
// registers itself by adding one line to MODEL_LOADERS.
import { SoftVotingEnsemble, StackingEnsemble } from './ensemble.js';
import { RandomForest } from './forest.js';
import { GradientBoosting } from './gbdt.js';
import { GruClassifier } from './gru.js';
import { GaussianNaiveBayes, MultinomialNaiveBayes } from './naive-bayes.js';
import { LinearSvm } from './svm.js';
import { LogisticRegression } from './logistic.js';
import { TransformerClassifier } from './transformer.js';
import { DecisionTree } from './tree.js';
import type { Classifier, SequenceClassifier, SerializedModel } from './types.js';

/** A model class as the registry sees it: its newest format version and its static fromJSON. */
export interface ModelLoader {
  readonly VERSION: number;
  fromJSON(json: unknown): Classifier | SequenceClassifier;
}

/** A loader looked up when used: ensembles load their members through modelFromJSON, so they import this module. */
function lazy(get: () => ModelLoader): ModelLoader {
  return {
    get VERSION() {
      return get().VERSION;
    },
    fromJSON: (json) => get().fromJSON(json),
  };
}

/** kind → the class that reads it. */
export const MODEL_LOADERS: Readonly<Record<string, ModelLoader>> = {
  'multinomial-nb': MultinomialNaiveBayes,
  'gaussian-nb': GaussianNaiveBayes,
  'logistic-regression': LogisticRegression,
  'linear-svm': LinearSvm,
  'decision-tree': DecisionTree,
  'random-forest': RandomForest,
  gbdt: GradientBoosting,
  gru: GruClassifier,
  transformer: TransformerClassifier,
  'soft-voting': lazy(() => SoftVotingEnsemble),
  stacking: lazy(() => StackingEnsemble),
};

/** Rebuilds a model from its toJSON() output (also after JSON.stringify/parse); unknown kinds and newer versions are refused. */
export function modelFromJSON(json: unknown): Classifier | SequenceClassifier {
  if (!json || typeof json !== 'object') throw new Error('not a serialized model');
  const { kind, version } = json as SerializedModel;
  const loader = typeof kind === 'string' && Object.hasOwn(MODEL_LOADERS, kind) ? MODEL_LOADERS[kind] : undefined;
  if (!loader) throw new Error(`unknown model kind ${JSON.stringify(kind)}`);
  if (!Number.isInteger(version) || version < 1 || version > loader.VERSION) {
    throw new Error(`${kind}: format version ${String(version)} is not readable by this build (reads 1..${loader.VERSION})`);
  }
  return loader.fromJSON(json);
}
