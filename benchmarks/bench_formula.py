"""NIST StRD nonlinear regression: FormulaModel against SciPy, 27 data sets x 2 starts.

For every data set and NIST start, the score is the minimum LRE (log relative error: the
number of correct significant digits, capped at NIST's 11, clamped at 0) over the
parameters against the certified values. Compared, in one run:

- ``yieldlab``: ``FormulaModel(formula, start=...)``, the formula text alone (NIST's
  ``[ ]`` written as ``( )``) through the public API;
- ``curve_fit``: ``scipy.optimize.curve_fit`` with its defaults (Levenberg-Marquardt,
  finite-difference Jacobian);
- ``ls-lm`` / ``ls-trf``: ``scipy.optimize.least_squares`` with ``method='lm'`` or
  ``'trf'`` and its default finite-difference Jacobian and tolerances;
- ``ls-lm tight`` / ``ls-trf tight``: the same with ``xtol = ftol = gtol = 1e-15`` and
  up to 10,000 evaluations, as a user chasing every digit would call it.

The SciPy fits evaluate the very same model function (yieldlab's expression tree, values
only), so the comparison is between the solvers. A last column fits with no start at all
(``start=None``) and says whether the certified residual sum of squares is reached (with
its LRE), which does not depend on how equivalent parameters are labelled (two
exponentials swapped).

Run: ``python benchmarks/bench_formula.py [path/to/nist_nls.json]``. Default data path:
``../shared/data/nist/nonlinear/nist_nls.json`` next to the checkout (``YIELDLAB_SHARED_DATA``
overrides ``../shared/data``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit, least_squares

from yieldlab import FormulaModel
from yieldlab.models.formula import parse_formula
from yieldlab.models.formula.expression import evaluate

SHARED = Path(
    os.environ.get("YIELDLAB_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
DEFAULT = SHARED / "nist" / "nonlinear"
METHODS = ("yieldlab", "curve_fit", "ls-lm", "ls-trf", "ls-lm tight", "ls-trf tight")
TIGHT = {"xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15, "max_nfev": 10_000}
DIGITS = 11.0


def lre(estimate, certified) -> float:
    """Minimum LRE over the parameters, capped at 11 and clamped at 0."""
    estimate, certified = np.asarray(estimate, float), np.asarray(certified, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -np.log10(np.abs(estimate - certified) / np.abs(certified))
    value = np.where(np.isnan(value), 0.0, value)
    return float(np.clip(value, 0.0, DIGITS).min())


def formula_of(entry: dict) -> str:
    return f"{entry['lhs']} = {entry['formula']}".replace("[", "(").replace("]", ")")


def scipy_problem(entry: dict):
    """Residual function r(b) of a NIST set, evaluated by yieldlab's expression tree."""
    parsed = parse_formula(formula_of(entry))
    data = np.array(entry["data"], dtype=float)
    columns = {name: data[:, j] for j, name in enumerate(entry["columns"])}
    target = evaluate(parsed.left, columns, n_samples=data.shape[0])
    names = entry["params"]

    def model(_x, *b):
        env = dict(columns)
        env.update(zip(names, b, strict=True))
        return evaluate(parsed.right, env, n_samples=data.shape[0])

    return model, target


def fit_scipy(entry: dict, start: str, method: str) -> float:
    model, target = scipy_problem(entry)
    x0 = np.array(entry[start], dtype=float)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            if method == "curve_fit":
                estimate, _ = curve_fit(model, None, target, p0=x0)
            else:
                solver, _, tight = method.removeprefix("ls-").partition(" ")
                result = least_squares(
                    lambda b: model(None, *b) - target,
                    x0,
                    method=solver,
                    **(TIGHT if tight else {}),
                )
                estimate = result.x
        except (RuntimeError, ValueError, np.linalg.LinAlgError):
            return 0.0
    return lre(estimate, entry["certified"])


def fit_yieldlab(entry: dict, start: str | None) -> tuple[float, float, bool]:
    """(min LRE of the parameters, LRE of the residual sum of squares, whether the sum of
    squares is at most the certified one: Lanczos1's 1.4e-25 is rounding noise in float64,
    so its LRE says nothing there)."""
    data = np.array(entry["data"], dtype=float)
    starts = None if start is None else dict(zip(entry["params"], entry[start], strict=True))
    model = FormulaModel(formula_of(entry), start=starts).fit(data[:, 1:], data[:, 0])
    estimate = [model.params_[p] for p in entry["params"]]
    sse = model.fit_statistics_["sse"]
    reached = sse <= entry["certified_rss"] * (1 + 1e-6)
    return lre(estimate, entry["certified"]), lre([sse], [entry["certified_rss"]]), reached


def run(path: Path) -> None:
    with open(path, encoding="utf-8") as f:
        nist = json.load(f)
    scores = {(m, s): {} for m in METHODS for s in ("start1", "start2")}
    seconds = dict.fromkeys(METHODS, 0.0)
    automatic, automatic_seconds = {}, 0.0
    for name, entry in nist.items():
        for start in ("start1", "start2"):
            for method in METHODS:
                began = time.perf_counter()
                if method == "yieldlab":
                    score = fit_yieldlab(entry, start)[0]
                else:
                    score = fit_scipy(entry, start, method)
                seconds[method] += time.perf_counter() - began
                scores[method, start][name] = score
        began = time.perf_counter()
        automatic[name] = fit_yieldlab(entry, None)[1:]
        automatic_seconds += time.perf_counter() - began
    print_table(nist, scores, automatic)
    print_counts(scores, automatic, seconds, automatic_seconds)


def print_table(nist: dict, scores: dict, automatic: dict) -> None:
    print("Minimum LRE over the parameters, start1 / start2 (11 = every certified digit):")
    print()
    header = ["data set", "difficulty", *METHODS, "yieldlab, no start: certified RSS reached"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
    for name, entry in nist.items():
        cells = [name, entry["difficulty"]]
        for method in METHODS:
            first, second = scores[method, "start1"][name], scores[method, "start2"][name]
            cells.append(f"{first:.1f} / {second:.1f}")
        rss_lre, reached = automatic[name]
        cells.append(f"{'yes' if reached else 'no'} (LRE {rss_lre:.1f})")
        print("| " + " | ".join(cells) + " |")


def print_counts(scores: dict, automatic: dict, seconds: dict, automatic_seconds: float):
    print()
    print("| method | fits with LRE >= 4 | fits with LRE >= 6 | worst min LRE | time (s) |")
    print("|---|---:|---:|---:|---:|")
    for method in METHODS:
        values = [v for s in ("start1", "start2") for v in scores[method, s].values()]
        n4 = sum(v >= 4 for v in values)
        n6 = sum(v >= 6 for v in values)
        print(
            f"| {method} | {n4}/{len(values)} | {n6}/{len(values)} | {min(values):.1f} | "
            f"{seconds[method]:.1f} |"
        )
    reached = sum(r for _, r in automatic.values())
    print()
    print(
        f"yieldlab with no start at all (start=None) reaches the certified residual sum of "
        f"squares on {reached}/{len(automatic)} data sets in {automatic_seconds:.1f} s "
        "(parameters may come out permuted, e.g. two exponentials swapped, so the RSS is "
        "compared)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", nargs="?", type=Path, default=DEFAULT / "nist_nls.json", help="nist_nls.json"
    )
    path = parser.parse_args().data
    if not path.is_file():
        parser.exit(
            1, f"NIST data not found at {path}; give its path or set YIELDLAB_SHARED_DATA\n"
        )
    run(path)


if __name__ == "__main__":
    main()
