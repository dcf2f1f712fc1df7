"""XGBoost side of `npm run bench -- targeting` (Debian's python3-xgboost).

Reads numeric CSVs written by index.ts (first column the 0/1 label, `nan` for missing), trains
with the same hyperparameters as the TypeScript GBDT and early-stops on the same later-dated
holdout, then writes the validation scores and timings as JSON. With "bags" > 1 in the parameters,
that many boosters (seeds seed, seed + 1, ...) are averaged in log-odds, as the Interdict GBDT
bags its Critical Fraud model. Usage:
    python3 xgb.py PARAMS_JSON FIT_CSV HOLDOUT_CSV VALID_CSV OUT_JSON
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return data[:, 1:], data[:, 0]


def main():
    params_path, fit_path, holdout_path, valid_path, out_path = sys.argv[1:6]
    p = json.load(open(params_path))
    x_fit, y_fit = load(fit_path)
    x_hold, y_hold = load(holdout_path)
    x_valid, y_valid = load(valid_path)
    d_fit = xgb.DMatrix(x_fit, label=y_fit, missing=np.nan)
    d_hold = xgb.DMatrix(x_hold, label=y_hold, missing=np.nan)
    d_valid = xgb.DMatrix(x_valid, missing=np.nan)
    params = {
        "objective": "binary:logistic",
        "eval_metric": "logloss",
        "tree_method": "hist",
        "grow_policy": "lossguide",
        "max_bin": p["maxBins"],
        "eta": p["learningRate"],
        "max_leaves": p["maxLeaves"],
        "max_depth": p["maxDepth"],
        "min_child_weight": p["minChildWeight"],
        "lambda": p["lambda"],
        "gamma": p["minSplitGain"],
        "subsample": p["subsample"],
        "colsample_bytree": p["colsample"],
        "scale_pos_weight": p["positiveWeight"],
        "nthread": 2,
        "seed": p["seed"],
        "verbosity": 0,
    }
    # "bags" > 1: that many boosters with seeds seed, seed + 1, ..., each early-stopped on its
    # own, averaged in log-odds (what the Interdict GBDT does with the same parameter).
    bags = int(p.get("bags", 1))
    started = time.perf_counter()
    boosters = []
    for k in range(bags):
        booster = xgb.train(
            {**params, "seed": p["seed"] + k},
            d_fit,
            num_boost_round=p["rounds"],
            evals=[(d_hold, "holdout")],
            early_stopping_rounds=p["earlyStoppingRounds"],
            verbose_eval=False,
        )
        boosters.append((booster, booster.best_iteration + 1))
    train_seconds = time.perf_counter() - started
    booster, best = boosters[0]
    margin = np.mean(
        [b.predict(d_valid, iteration_range=(0, n), output_margin=True) for b, n in boosters],
        axis=0,
    )
    scores = 1 / (1 + np.exp(-margin))
    # Throughput: the best of several passes over the validation matrix (least disturbed).
    # Also per second of CPU time (all threads), comparable with Interdict's single thread.
    per_second = 0.0
    per_cpu_second = 0.0
    for _ in range(15 if p.get("throughput", True) else 0):
        started = time.perf_counter()
        cpu_started = time.process_time()
        # inplace_predict on the array: DMatrix predictions are cached, which would flatter it.
        booster.inplace_predict(x_valid, iteration_range=(0, best), missing=np.nan)
        per_second = max(per_second, x_valid.shape[0] / (time.perf_counter() - started))
        cpu = time.process_time() - cpu_started
        if cpu > 0:
            per_cpu_second = max(per_cpu_second, x_valid.shape[0] / cpu)
    json.dump(
        {
            "version": xgb.__version__,
            "trainSeconds": train_seconds,
            "bestRound": sum(n for _, n in boosters),
            "scoresPerSecond": per_second,
            "scoresPerCpuSecond": per_cpu_second,
            "scores": [float(s) for s in scores],
        },
        open(out_path, "w"),
    )


if __name__ == "__main__":
    main()
