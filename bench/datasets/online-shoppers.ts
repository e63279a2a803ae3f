// The Online Shoppers Purchasing Intention data set (UCI 468; ../shared/datasets/online_shoppers_intention): parsing
// and the per-fold encoding the models are benchmarked on. Benchmark-only: the product never reads this file.
import fs from 'node:fs';
import { hstack, OneHotEncoder, Standardizer } from '../../src/ml/preprocess.js';
import { matrix, takeRows, type Labels, type Matrix } from '../../src/ml/types.js';

/** Counts, durations and rates: heavy-tailed, so log1p before standardizing helps linear models. */
export const NUMERIC_COLUMNS = [
  'Administrative', 'Administrative_Duration', 'Informational', 'Informational_Duration', 'ProductRelated',
  'ProductRelated_Duration', 'BounceRates', 'ExitRates', 'PageValues', 'SpecialDay',
] as const;
/** Month and visitor type, and four integer-coded categoricals whose codes have no order. */
export const CATEGORICAL_COLUMNS = ['Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType'] as const;
export type CategoricalColumn = (typeof CATEGORICAL_COLUMNS)[number];
const HEADER = [...NUMERIC_COLUMNS.slice(0, 10), 'Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType', 'Weekend', 'Revenue'];

export interface OnlineShoppers {
  rows: number;
  /** The ten numeric columns, then Weekend as 0/1. */
  numeric: Matrix;
  numericNames: string[];
  categorical: Record<CategoricalColumn, string[]>;
  /** Revenue: 1 when the session ended in a purchase. */
  y: Labels;
}

function bool(value: string, line: number): number {
  if (value === 'TRUE') return 1;
  if (value === 'FALSE') return 0;
  throw new Error(`online shoppers: line ${line}: expected TRUE or FALSE, got ${JSON.stringify(value)}`);
}

/** Parses the CSV text (header line + 18 comma-separated fields per row, no quoting). */
export function parseOnlineShoppers(csv: string): OnlineShoppers {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(',');
  if (!header || header.join(',') !== HEADER.join(',')) throw new Error('online shoppers: unexpected header');
  const rows = lines.length - 1;
  const numeric = matrix(rows, NUMERIC_COLUMNS.length + 1);
  const categorical = Object.fromEntries(CATEGORICAL_COLUMNS.map((c) => [c, new Array<string>(rows)])) as Record<CategoricalColumn, string[]>;
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const f = lines[r + 1]!.trim().split(',');
    if (f.length !== HEADER.length) throw new Error(`online shoppers: line ${r + 2} has ${f.length} fields`);
    for (let j = 0; j < NUMERIC_COLUMNS.length; j++) {
      const v = Number(f[j]);
      if (f[j] === '' || !Number.isFinite(v)) throw new Error(`online shoppers: line ${r + 2}: ${HEADER[j]} is not a number`);
      numeric.data[r * numeric.cols + j] = v;
    }
    CATEGORICAL_COLUMNS.forEach((c, k) => (categorical[c][r] = f[10 + k]!));
    numeric.data[r * numeric.cols + NUMERIC_COLUMNS.length] = bool(f[16]!, r + 2);
    y[r] = bool(f[17]!, r + 2);
  }
  return { rows, numeric, numericNames: [...NUMERIC_COLUMNS, 'Weekend'], categorical, y };
}

/** Reads and parses the CSV at `path`. */
export function loadOnlineShoppers(path: string): OnlineShoppers {
  return parseOnlineShoppers(fs.readFileSync(path, 'utf8'));
}

export interface EncodingOptions {
  /** Categorical columns to one-hot encode; the others are left out (default: all six). */
  oneHot?: readonly CategoricalColumn[];
  /** signed log1p on the ten numeric columns before standardizing (default true). */
  log1p?: boolean;
}

export interface EncodedFold {
  xTrain: Matrix;
  yTrain: Labels;
  xTest: Matrix;
  yTest: Labels;
  featureNames: string[];
}

/** Model-ready matrices for one split: standardizer and one-hot categories are fitted on the training rows only. */
export function encodeFold(data: OnlineShoppers, train: Int32Array, test: Int32Array, options: EncodingOptions = {}): EncodedFold {
  const oneHot = options.oneHot ?? CATEGORICAL_COLUMNS;
  const log1p = options.log1p ?? true;
  const scaler = new Standardizer({ log1p: log1p ? NUMERIC_COLUMNS.map((_, j) => j) : [] }).fit(takeRows(data.numeric, train));
  const pick = (values: string[], idx: Int32Array) => Array.from(idx, (i) => values[i]!);
  const encoders = oneHot.map((c) => new OneHotEncoder().fit(pick(data.categorical[c], train)));
  const encode = (idx: Int32Array) =>
    hstack(scaler.transform(takeRows(data.numeric, idx)), ...oneHot.map((c, k) => encoders[k]!.transform(pick(data.categorical[c], idx))));
  return {
    xTrain: encode(train),
    yTrain: Int32Array.from(train, (i) => data.y[i]!),
    xTest: encode(test),
    yTest: Int32Array.from(test, (i) => data.y[i]!),
    featureNames: [...data.numericNames, ...oneHot.flatMap((c, k) => encoders[k]!.featureNames(c))],
  };
}
