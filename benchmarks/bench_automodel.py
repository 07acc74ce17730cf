"""AutoModel on the UCI regression benchmark, on small data, and against the clock.

Sections (``--sections``, all by default):

* ``uci``: the protocol of ``../shared/data/uci/README.md``: for each of the standard
  splits, AutoModel with default settings is fitted on the training rows only (all its
  tuning and selection happen inside them) and scored on the test rows: mean test RMSE
  +/- standard error over the splits, mean test log-likelihood, the coverage of the 95%
  intervals, next to the published numbers and, in the same run, scikit-learn's
  HistGradientBoostingRegressor with default settings as a peer.
* ``small``: 30, 60 and 120 random training rows of concrete and energy (several seeds),
  tested on all other rows: AutoModel's test RMSE next to the best single candidate's
  (each default candidate fitted alone on the same rows).
* ``timing``: one default fit on concrete's first training split, with ``n_jobs=None``
  (one process) and ``n_jobs=-1`` (all cores).
* ``budget``: a 10,000-row table (Friedman #1, 10 inputs) with ``time_budget``: the wall
  time and which candidates ran.

Run ``python benchmarks/bench_automodel.py --datasets concrete --splits 3`` for a quick
look; the full run takes hours on two cores. Tables are printed as markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from yieldlab import AutoModel
from yieldlab.modelling.candidates import DEFAULT_CANDIDATES, default_candidate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("YIELDLAB_SHARED_DATA", REPO.parent / "shared" / "data"))
# published test RMSE (mean, standard error) and log-likelihood, from the data README
PUBLISHED = {
    "concrete": {"MC dropout (2 layers)": (4.50, 0.18), "gradient boosting": (4.46, 0.29),
                 "best (PGBM)": (3.97, 0.76), "target": 4.50, "stretch": 3.97, "ll": -2.82},
    "energy": {"MC dropout (2 layers)": (0.47, 0.01), "gradient boosting": (0.39, 0.02),
               "best (PGBM, RoNGBa)": (0.35, None), "target": 0.47, "stretch": 0.35,
               "ll": -0.60},
    "kin8nm": {"MC dropout (2 layers)": (0.08, 0.00), "gradient boosting": (0.14, 0.00),
               "best (Concrete Dropout)": (0.07, None), "target": 0.08, "stretch": 0.07,
               "ll": 1.20},
}  # fmt: skip


def load_split(root: Path, name: str, split: int):
    """Training and test rows of one standard split."""
    folder = root / "uci" / name
    data = np.loadtxt(folder / "data.txt")
    features = np.loadtxt(folder / "index_features.txt").astype(int)
    target = int(np.loadtxt(folder / "index_target.txt"))
    train = np.loadtxt(folder / f"index_train_{split}.txt").astype(int)
    test = np.loadtxt(folder / f"index_test_{split}.txt").astype(int)
    X, y = data[:, features], data[:, target]
    return X[train], y[train], X[test], y[test]


def _scores(y, mean, std=None, half=None):
    out = {"rmse": float(np.sqrt(np.mean((y - mean) ** 2)))}
    if std is not None:
        out["ll"] = float(np.mean(stats.norm.logpdf(y, mean, std)))
        out["coverage"] = float(np.mean(np.abs(y - mean) <= half))
    return out


def run_uci(root: Path, datasets: list[str], splits: int, n_jobs) -> dict:
    results = {}
    for name in datasets:
        rows = []
        for split in range(splits):
            X, y, X_test, y_test = load_split(root, name, split)
            start = time.perf_counter()
            model = AutoModel(random_state=split, n_jobs=n_jobs).fit(X, y)
            seconds = time.perf_counter() - start
            mean, std = model.predict(X_test, return_std=True)
            half = model.calibrator_.quantile(0.95) * std
            row = _scores(y_test, mean, std, half) | {"seconds": seconds,
                                                      "selected": model.best_name_}  # fmt: skip
            with threadpool_limits(1):
                peer = HistGradientBoostingRegressor(random_state=split).fit(X, y)
            row["peer_rmse"] = _scores(y_test, peer.predict(X_test))["rmse"]
            rows.append(row)
            print(f"  {name} split {split}: {json.dumps(row)}", flush=True)
        results[name] = rows
    return results


def uci_table(results: dict) -> str:
    lines = [
        "| data set | AutoModel test RMSE | test log-lik. | 95% coverage | fit s | selected "
        "| sklearn HGB (same run) | MC dropout 2L | gradient boosting | best published | "
        "target / stretch |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        k = len(rows)
        rmse = np.array([r["rmse"] for r in rows])
        peer = np.array([r["peer_rmse"] for r in rows])
        chosen = {}
        for r in rows:
            chosen[r["selected"]] = chosen.get(r["selected"], 0) + 1
        pub = PUBLISHED[name]
        best = next(v for key, v in pub.items() if key.startswith("best"))
        lines.append(
            f"| {name} ({k} splits) | {rmse.mean():.3f} ± {rmse.std(ddof=1) / np.sqrt(k):.3f} "
            f"| {np.mean([r['ll'] for r in rows]):.2f} (published best {pub['ll']}) "
            f"| {np.mean([r['coverage'] for r in rows]):.3f} "
            f"| {np.mean([r['seconds'] for r in rows]):.0f} "
            f"| {', '.join(f'{n} {c}' for n, c in sorted(chosen.items()))} "
            f"| {peer.mean():.3f} ± {peer.std(ddof=1) / np.sqrt(k):.3f} "
            f"| {pub['MC dropout (2 layers)'][0]} | {pub['gradient boosting'][0]} "
            f"| {best[0]} | {pub['target']} / {pub['stretch']} |"
        )
    return "\n".join(lines)


def run_small(root: Path, seeds: int, sizes=(30, 60, 120)) -> list[dict]:
    rows = []
    for name in ("concrete", "energy"):
        folder = root / "uci" / name
        data = np.loadtxt(folder / "data.txt")
        features = np.loadtxt(folder / "index_features.txt").astype(int)
        X, y = data[:, features], data[:, int(np.loadtxt(folder / "index_target.txt"))]
        for n in sizes:
            for seed in range(seeds):
                order = np.random.default_rng(1000 * n + seed).permutation(len(y))
                train, test = order[:n], order[n:]
                model = AutoModel(random_state=seed).fit(X[train], y[train])
                row = {"data": name, "n": n, "seed": seed, "selected": model.best_name_,
                       "auto": _scores(y[test], model.predict(X[test]))["rmse"]}  # fmt: skip
                for candidate in DEFAULT_CANDIDATES:
                    fitted = default_candidate(candidate, seed).fit(X[train], y[train])
                    row[candidate] = _scores(y[test], fitted.predict(X[test]))["rmse"]
                rows.append(row)
                print(f"  small {json.dumps(row)}", flush=True)
    return rows


def small_table(rows: list[dict]) -> str:
    lines = [
        "| data set | rows | AutoModel RMSE | best fixed candidate (mean over seeds) | "
        "AutoModel / best fixed | per-seed best | AutoModel / per-seed best | selected |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("concrete", "energy"):
        for n in sorted({r["n"] for r in rows}):
            group = [r for r in rows if r["data"] == name and r["n"] == n]
            if not group:
                continue
            auto = np.mean([r["auto"] for r in group])
            means = {c: np.mean([r[c] for r in group]) for c in DEFAULT_CANDIDATES}
            fixed = min(means, key=means.get)
            oracle = np.mean([min(r[c] for c in DEFAULT_CANDIDATES) for r in group])
            chosen = {}
            for r in group:
                chosen[r["selected"]] = chosen.get(r["selected"], 0) + 1
            lines.append(
                f"| {name} | {n} | {auto:.3f} | {fixed} {means[fixed]:.3f} "
                f"| {auto / means[fixed]:.3f} | {oracle:.3f} | {auto / oracle:.3f} "
                f"| {', '.join(f'{k} {v}' for k, v in sorted(chosen.items()))} |"
            )
    return "\n".join(lines)


def run_timing(root: Path) -> str:
    X, y, _, _ = load_split(root, "concrete", 0)
    lines = ["| fit (concrete, 927 rows, defaults) | seconds | selected |", "|---|---|---|"]
    for n_jobs in (None, -1):
        start = time.perf_counter()
        model = AutoModel(random_state=0, n_jobs=n_jobs).fit(X, y)
        lines.append(f"| n_jobs={n_jobs} | {time.perf_counter() - start:.1f} "
                     f"| {model.best_name_} |")  # fmt: skip
    return "\n".join(lines)


def run_budget(budgets=(20.0, 60.0)) -> str:
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(10_000, 10))
    f = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3]
    y = f + 5 * X[:, 4] + rng.normal(0, 1, 10_000)
    lines = ["| time_budget (10,000 rows) | wall seconds | ran | skipped | selected |",
             "|---|---|---|---|---|"]  # fmt: skip
    for budget in budgets:
        start = time.perf_counter()
        model = AutoModel(time_budget=budget, random_state=0).fit(X, y)
        seconds = time.perf_counter() - start
        board = model.leaderboard_
        ran = board.loc[board["status"] == "ok", "name"].tolist()
        skipped = board.loc[board["status"].str.startswith("skipped"), "name"].tolist()
        lines.append(f"| {budget:g} s | {seconds:.1f} | {', '.join(ran)} "
                     f"| {', '.join(skipped) or '-'} | {model.best_name_} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="concrete,energy,kin8nm")
    parser.add_argument("--splits", type=int, default=20)
    parser.add_argument("--small-seeds", type=int, default=10)
    parser.add_argument("--sections", default="uci,small,timing,budget")
    parser.add_argument("--n-jobs", type=int, default=None, help="n_jobs of the UCI fits")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    sections = args.sections.split(",")
    raw, tables = {}, []
    if "uci" in sections:
        raw["uci"] = run_uci(args.data, args.datasets.split(","), args.splits, args.n_jobs)
        tables.append("### UCI benchmark (test RMSE, mean ± SE over splits)\n\n"
                      + uci_table(raw["uci"]))  # fmt: skip
    if "small" in sections:
        raw["small"] = run_small(args.data, args.small_seeds)
        tables.append("### Small data (test RMSE on all other rows)\n\n"
                      + small_table(raw["small"]))  # fmt: skip
    if "timing" in sections:
        tables.append("### Time per default fit\n\n" + run_timing(args.data))
    if "budget" in sections:
        tables.append("### time_budget on a 10,000-row table\n\n" + run_budget())
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    print(f"\nload average at the end: {os.getloadavg()}; cores: {os.cpu_count()}\n")
    print("\n\n".join(tables))


if __name__ == "__main__":
    main()
