// Feature matrices of the Online Shoppers data set for the intent benchmark, one per model family:
// - trees: the raw values (trees are invariant to monotone transforms), the integer-coded OperatingSystems, Browser,
//   Region and TrafficType as codes, Month and VisitorType one-hot, Weekend 0/1 (28 columns; no fitting, so no fold
//   can leak into another);
// - linear (LR, SVM): encodeFold's log1p + standardised numerics and all six categoricals one-hot, fitted on each
//   training fold;
// - numeric (Gaussian NB): the same numerics without the one-hots, whose 0/1 columns are nothing like normal (rare
//   categories get near-zero variances; ROC-AUC 0.76 with them, 0.86 without);
// - counts (multinomial NB, which needs non-negative features): log1p of the numerics, unscaled, and the one-hots.
import path from 'node:path';
import { hstack, OneHotEncoder, signedLog1p } from '../src/ml/preprocess.js';
import { matrix, takeRows, type Matrix } from '../src/ml/types.js';
import { CATEGORICAL_COLUMNS, encodeFold, loadOnlineShoppers, NUMERIC_COLUMNS, type OnlineShoppers } from './datasets/online-shoppers.js';
import { root } from './lib.js';

export const DATASET_FILE = path.resolve(root, '../shared/datasets/online_shoppers_intention/online_shoppers_intention.csv');
export type Encoding = 'trees' | 'linear' | 'numeric' | 'counts';

// The data dictionary's categories (../shared/datasets/online_shoppers_intention/README.md), in a fixed order.
const MONTHS = ['Feb', 'Mar', 'May', 'June', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const VISITOR_TYPES = ['Returning_Visitor', 'New_Visitor', 'Other'];
const CODED = ['OperatingSystems', 'Browser', 'Region', 'TrafficType'] as const;

export function loadIntentData(file = DATASET_FILE): OnlineShoppers {
  return loadOnlineShoppers(file);
}

/** The tree encoding of every row, and its column names. */
export function treeMatrix(data: OnlineShoppers): { x: Matrix; features: string[] } {
  const numeric = data.numericNames.length; // the ten numerics, then Weekend
  const features = [...data.numericNames, ...CODED, ...MONTHS.map((m) => `Month=${m}`), ...VISITOR_TYPES.map((v) => `VisitorType=${v}`)];
  const x = matrix(data.rows, features.length);
  for (let r = 0; r < data.rows; r++) {
    const o = r * features.length;
    x.data.set(data.numeric.data.subarray(r * numeric, (r + 1) * numeric), o);
    CODED.forEach((c, j) => {
      const code = Number(data.categorical[c][r]);
      if (!Number.isInteger(code)) throw new Error(`online shoppers: row ${r + 1} ${c} is ${data.categorical[c][r]}`);
      x.data[o + numeric + j] = code;
    });
    const month = MONTHS.indexOf(data.categorical.Month[r]!);
    const visitor = VISITOR_TYPES.indexOf(data.categorical.VisitorType[r]!);
    if (month < 0 || visitor < 0) throw new Error(`online shoppers: row ${r + 1} has Month ${data.categorical.Month[r]}, VisitorType ${data.categorical.VisitorType[r]}`);
    x.data[o + numeric + CODED.length + month] = 1;
    x.data[o + numeric + CODED.length + MONTHS.length + visitor] = 1;
  }
  return { x, features };
}

export interface FoldMatrices {
  xTrain: Matrix;
  xTest: Matrix;
}

/** The matrices one model family trains and is tested on for one fold. */
export function foldMatrices(encoding: Encoding, data: OnlineShoppers, trees: Matrix, train: Int32Array, test: Int32Array): FoldMatrices {
  if (encoding === 'trees') return { xTrain: takeRows(trees, train), xTest: takeRows(trees, test) };
  if (encoding === 'linear' || encoding === 'numeric') {
    const fold = encodeFold(data, train, test, encoding === 'numeric' ? { oneHot: [] } : {});
    return { xTrain: fold.xTrain, xTest: fold.xTest };
  }
  const logged = matrix(data.rows, data.numeric.cols);
  for (let r = 0; r < data.rows; r++) {
    for (let j = 0; j < data.numeric.cols; j++) {
      const v = data.numeric.data[r * data.numeric.cols + j]!;
      logged.data[r * data.numeric.cols + j] = j < NUMERIC_COLUMNS.length ? signedLog1p(v) : v;
    }
  }
  const values = (c: (typeof CATEGORICAL_COLUMNS)[number], rows: Int32Array) => Array.from(rows, (i) => data.categorical[c][i]!);
  const encoders = CATEGORICAL_COLUMNS.map((c) => new OneHotEncoder().fit(values(c, train)));
  const encode = (rows: Int32Array) => hstack(takeRows(logged, rows), ...CATEGORICAL_COLUMNS.map((c, k) => encoders[k]!.transform(values(c, rows))));
  return { xTrain: encode(train), xTest: encode(test) };
}
