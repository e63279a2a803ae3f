"""scikit-learn reference for bench/intent.ts (benchmark-only; never a runtime dependency).

Reads a manifest written by bench/intent-reference.ts: the same fold indices and the same feature matrices our
models get (raw little-endian int32/float64 files), fits RandomForest, HistGradientBoosting and LogisticRegression
with the settings of ours, writes each fold's positive-class probabilities next to the manifest (the metrics are
computed by the TypeScript side, with the same code as ours), and prints timings and versions as one JSON line.
Run single-threaded (OMP_NUM_THREADS=1, set by the caller), as our models are.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression


def read(path, dtype, cols=None):
    a = np.fromfile(path, dtype=dtype)
    return a.reshape(-1, cols) if cols else a


def make(name, settings, seed):
    if name == "random-forest":
        return RandomForestClassifier(
            n_estimators=settings["forestTrees"], max_features="sqrt", criterion="gini", n_jobs=1, random_state=seed
        )
    if name == "hist-gradient-boosting":
        return HistGradientBoostingClassifier(**settings["gbdt"], scoring="loss", random_state=seed)
    if name == "logistic-regression":
        return LogisticRegression(C=1.0, max_iter=1000)
    raise ValueError(name)


def main():
    manifest_path = sys.argv[1]
    m = json.load(open(manifest_path))
    out_dir = os.path.dirname(manifest_path)
    y = read(m["y"], "<i4")
    trees_x = read(m["trees"]["path"], "<f8", m["trees"]["cols"])
    results = {}
    for name in m["models"]:
        encoding = "linear" if name == "logistic-regression" else "trees"
        runs = []
        for f, fold in enumerate(m["folds"]):
            train, test = read(fold["train"], "<i4"), read(fold["test"], "<i4")
            if encoding == "trees":
                x_train, x_test = trees_x[train], trees_x[test]
            else:
                lin = m["linear"][f]
                x_train, x_test = read(lin["train"], "<f8", lin["cols"]), read(lin["test"], "<f8", lin["cols"])
            model = make(name, m, m["seed"])
            t0 = time.perf_counter()
            model.fit(x_train, y[train])
            fit_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            proba = model.predict_proba(x_test)[:, 1]
            batch_ms = (time.perf_counter() - t0) * 1000
            one = []
            for i in range(min(200, len(test))):
                row = x_test[i : i + 1]
                t0 = time.perf_counter()
                model.predict_proba(row)
                one.append((time.perf_counter() - t0) * 1e6)
            proba_path = os.path.join(out_dir, f"sk-{name}-{f}.f64")
            proba.astype("<f8").tofile(proba_path)
            run = {"fitMs": fit_ms, "predictUsPerRow": batch_ms * 1000 / len(test), "predictOneUs": statistics.median(one), "proba": proba_path}
            if name == "hist-gradient-boosting":
                run["iterations"] = int(model.n_iter_)
            runs.append(run)
        results[name] = runs
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "results": results,
    }))


if __name__ == "__main__":
    main()
