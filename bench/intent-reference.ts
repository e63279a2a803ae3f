// The scikit-learn side of the intent benchmark: finds a Python with scikit-learn (Debian's python3-sklearn), hands
// bench/reference/intent_sklearn.py the same folds and matrices as our models through raw binary files in a temp
// directory, and reads back its timings and positive-class probabilities.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Matrix } from '../src/ml/types.js';
import type { ReferenceName } from './intent-models.js';
import { root } from './lib.js';

export interface ReferenceRun {
  fitMs: number;
  predictUsPerRow: number;
  predictOneUs: number;
  /** Probability of the positive class for each test row of the fold. */
  proba: Float64Array;
  iterations?: number;
}

export interface Reference {
  sklearn: string;
  numpy: string;
  python: string;
  interpreter: string;
  threads: string;
  results: Record<ReferenceName, ReferenceRun[]>;
}

export interface ReferenceInput {
  y: Int32Array;
  folds: { train: Int32Array; test: Int32Array }[];
  trees: Matrix;
  /** The linear encoding of each fold. */
  linear: { xTrain: Matrix; xTest: Matrix }[];
  models: ReferenceName[];
  forestTrees: number;
  /** HistGradientBoostingClassifier's keyword arguments. */
  gbdt: Record<string, number | boolean>;
  seed: number;
}

/** The first of BENCH_PYTHON, Debian's /usr/bin/python3 and python3 on PATH that imports sklearn, with the reason when none does. */
export function findPython(): { python?: string; reason?: string } {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
      return { python };
    } catch {
      // not installed there, or no scikit-learn: try the next one
    }
  }
  return { reason: `no scikit-learn in ${candidates.join(', ')} (apt-get install -y python3-sklearn)` };
}

const write = (file: string, a: Int32Array | Float64Array) => fs.writeFileSync(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** Runs the reference models single-threaded on the given folds. */
export function runReference(python: string, input: ReferenceInput): Reference {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-intent-ref-'));
  try {
    const file = (name: string) => path.join(dir, name);
    write(file('y.i32'), input.y);
    write(file('trees.f64'), input.trees.data);
    const folds = input.folds.map((f, i) => {
      write(file(`train-${i}.i32`), f.train);
      write(file(`test-${i}.i32`), f.test);
      return { train: file(`train-${i}.i32`), test: file(`test-${i}.i32`) };
    });
    const linear = input.linear.map((f, i) => {
      write(file(`linear-train-${i}.f64`), f.xTrain.data);
      write(file(`linear-test-${i}.f64`), f.xTest.data);
      return { train: file(`linear-train-${i}.f64`), test: file(`linear-test-${i}.f64`), cols: f.xTrain.cols };
    });
    const manifest = {
      y: file('y.i32'),
      trees: { path: file('trees.f64'), cols: input.trees.cols },
      folds,
      linear,
      models: input.models,
      forestTrees: input.forestTrees,
      gbdt: input.gbdt,
      seed: input.seed,
    };
    fs.writeFileSync(file('manifest.json'), JSON.stringify(manifest));
    // Little-endian files: numpy reads them as '<i4' / '<f8' (every machine we run on is little-endian).
    const threads = '1';
    const out = execFileSync(python, [path.join(root, 'bench/reference/intent_sklearn.py'), file('manifest.json')], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads },
      maxBuffer: 16 * 1024 * 1024,
    });
    const parsed = JSON.parse(out.trim().split('\n').at(-1)!) as Omit<Reference, 'interpreter' | 'results'> & {
      results: Record<ReferenceName, (Omit<ReferenceRun, 'proba'> & { proba: string })[]>;
    };
    const results = Object.fromEntries(
      Object.entries(parsed.results).map(([name, runs]) => [
        name,
        runs.map((r) => {
          const bytes = fs.readFileSync(r.proba);
          return { ...r, proba: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
        }),
      ]),
    ) as Record<ReferenceName, ReferenceRun[]>;
    return { ...parsed, interpreter: python, results };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
