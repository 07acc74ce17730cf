"""Accuracy and speed of least squares: yieldlab vs numpy.linalg.lstsq vs scikit-learn.

1. NIST StRD linear sets (``../shared/data/nist/linear``; ``YIELDLAB_SHARED_DATA``
   overrides ``../shared/data``): the smallest LRE (correct significant digits) over the
   coefficients, for yieldlab through its public API
   (``LinearRegression`` on the given columns, ``ResponseSurface(degree=k)`` on x for the
   polynomial sets), yieldlab ``LinearRegression`` on the float64 power columns (the same
   input the peers get), ``numpy.linalg.lstsq`` and scikit-learn's ``LinearRegression``.
2. Speed on tall Gaussian data (1,000,000 x 100 and 100,000 x 10, with an intercept), with
   the relative coefficient error against a float64 Householder QR reference. yieldlab is
   timed as a user calls it (input checks included), with all its statistics
   (``diagnostics=True``: leverage, PRESS, lack of fit) and with ``diagnostics=False``.
   ``lstsq`` is timed on ``[1, X]`` including building that matrix.
3. Ill-conditioned polynomial designs: smallest LRE against the exact least-squares
   solution computed in rational arithmetic.

Run: ``python benchmarks/bench_linear.py [--quick] [--threads N] [--repeats R]``; prints
markdown tables. ``--threads`` limits BLAS threads for every contender (threadpoolctl).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.linalg import solve_triangular
from sklearn.linear_model import LinearRegression as SkLinearRegression
from threadpoolctl import threadpool_limits

import yieldlab
from yieldlab import LinearRegression, ResponseSurface

SHARED = Path(
    os.environ.get("YIELDLAB_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
NIST = SHARED / "nist" / "linear"
DATASETS = {"norris": None, "pontius": 2, "noint1": None, "noint2": None, "filip": 10,
            "longley": None, "wampler1": 5, "wampler2": 5, "wampler3": 5, "wampler4": 5,
            "wampler5": 5}  # fmt: skip


def lre(estimate, reference) -> float:
    estimate, reference = np.asarray(estimate, float), np.asarray(reference, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = -np.log10(np.abs(estimate - reference) / np.abs(reference))
    digits = np.where(np.isnan(digits), 0.0, digits)
    return float(np.clip(digits, 0.0, 15.0).min())


# ------------------------------------------------------------------------------- NIST
def nist_table() -> str:
    if not NIST.is_dir():
        return f"(NIST data not found at {NIST}; set YIELDLAB_SHARED_DATA to the data folder)"
    certified = json.loads((NIST / "certified.json").read_text(encoding="utf-8"))
    rows = ["| data set | difficulty | yieldlab (public API) | yieldlab SE | "
            "yieldlab on float64 powers | numpy lstsq | scikit-learn |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, degree in DATASETS.items():
        table = pd.read_csv(NIST / f"{name}.csv", encoding="utf-8-sig")
        y = table["y"].to_numpy()
        beta = certified[name]["beta"]
        intercept = not name.startswith("noint")
        if degree is None:
            X = table.drop(columns="y")
            ours = LinearRegression(fit_intercept=intercept).fit(X, y)
            X = X.to_numpy()
        else:
            x = table[["x" if "x" in table else "x1"]].set_axis(["x"], axis=1)
            ours = ResponseSurface(degree=degree).fit(x, y)
            X = np.vander(x["x"].to_numpy(), degree + 1, increasing=True)[:, 1:]
        summary = ours.summary()
        se = lre(summary["std_error"], certified[name]["se"]) if "se" in certified[name] else None
        powers = LinearRegression(fit_intercept=intercept).fit(X, y)
        A = np.column_stack([np.ones(len(y)), X]) if intercept else X
        numpy_beta = np.linalg.lstsq(A, y, rcond=None)[0]
        sk = SkLinearRegression(fit_intercept=intercept).fit(X, y)
        sk_beta = np.r_[sk.intercept_, sk.coef_] if intercept else sk.coef_
        powers_beta = np.r_[powers.intercept_, powers.coef_] if intercept else powers.coef_
        cells = [
            f"{lre(summary['estimate'], beta):.1f}",
            "-" if se is None else f"{se:.1f}",
            f"{lre(powers_beta, beta):.1f}" if degree is not None else "(same)",
            f"{lre(numpy_beta, beta):.1f}",
            f"{lre(sk_beta, beta):.1f}",
        ]  # fmt: skip
        rows.append(f"| {name} | {certified[name]['difficulty']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


# ------------------------------------------------------------------------------- speed
def qr_reference(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    Q, R = np.linalg.qr(A)
    return solve_triangular(R, Q.T @ y)


def median_time(fn, repeats: int, min_seconds: float = 1.0) -> tuple[float, object]:
    """Median wall time of ``fn`` after one warm-up call: at least ``repeats`` runs, and
    more (up to 200) until ``min_seconds`` have passed, so that millisecond timings are
    not one noisy sample."""
    out = fn()
    times: list[float] = []
    while len(times) < repeats or (sum(times) < min_seconds and len(times) < 200):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def speed_rows(n_samples: int, n_features: int, repeats: int) -> list[str]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    y = 1.0 + X @ rng.standard_normal(n_features) + rng.standard_normal(n_samples)
    A = np.column_stack([np.ones(n_samples), X])
    reference = qr_reference(A, y)
    del A

    def ours(diagnostics: bool):
        model = LinearRegression(diagnostics=diagnostics).fit(X, y)
        return np.r_[model.intercept_, model.coef_]

    def numpy_lstsq():
        return np.linalg.lstsq(np.column_stack([np.ones(n_samples), X]), y, rcond=None)[0]

    def scikit_learn():
        model = SkLinearRegression().fit(X, y)
        return np.r_[model.intercept_, model.coef_]

    contenders = {
        "yieldlab LinearRegression (all statistics)": lambda: ours(True),
        "yieldlab LinearRegression(diagnostics=False)": lambda: ours(False),
        "numpy.linalg.lstsq on [1, X]": numpy_lstsq,
        "scikit-learn LinearRegression": scikit_learn,
    }
    results = {name: median_time(fn, repeats) for name, fn in contenders.items()}
    base = results["numpy.linalg.lstsq on [1, X]"][0]
    rows = []
    for name, (seconds, beta) in results.items():
        error = np.max(np.abs(beta - reference)) / np.max(np.abs(reference))
        rows.append(f"| {n_samples:,} x {n_features} | {name} | {seconds * 1e3:,.1f} | "
                    f"{base / seconds:.1f}x | {error:.1e} |")  # fmt: skip
    return rows


# ------------------------------------------------------------------ ill-conditioned
def exact_polyfit(x: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Least-squares polynomial coefficients in rational arithmetic (exact powers of x)."""
    rows = [[Fraction(v) ** k for k in range(degree + 1)] for v in x]
    ys = [Fraction(v) for v in y]
    k = degree + 1
    G = [[sum(r[i] * r[j] for r in rows) for j in range(k)] for i in range(k)]
    g = [sum(r[i] * t for r, t in zip(rows, ys, strict=True)) for i in range(k)]
    for p in range(k):
        pivot = G[p][p]
        G[p] = [v / pivot for v in G[p]]
        g[p] /= pivot
        for i in range(k):
            if i != p and G[i][p] != 0:
                f = G[i][p]
                G[i] = [a - f * b for a, b in zip(G[i], G[p], strict=True)]
                g[i] -= f * g[p]
    return np.array([float(v) for v in g])


def polynomial_rows(quick: bool) -> list[str]:
    cases = [("[0, 1]", 0.0, 1.0, 6), ("[0, 1]", 0.0, 1.0, 10), ("[1, 2]", 1.0, 2.0, 8),
             ("[-9, -3]", -9.0, -3.0, 10), ("[100, 101]", 100.0, 101.0, 4)]  # fmt: skip
    if quick:
        cases = cases[:2]
    rows = []
    for label, low, high, degree in cases:
        x = np.linspace(low, high, 41)
        y = np.exp(np.sin(3.0 * (x - low) / (high - low)))
        exact = exact_polyfit(x, y, degree)
        V = np.vander(x, degree + 1, increasing=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            surface = ResponseSurface(degree=degree).fit(x[:, None], y)
            powers = LinearRegression().fit(V[:, 1:], y)
            sk = SkLinearRegression().fit(V[:, 1:], y)
        cells = [
            lre(np.r_[surface.intercept_, surface.coef_], exact),
            lre(np.r_[powers.intercept_, powers.coef_], exact),
            lre(np.linalg.lstsq(V, y, rcond=None)[0], exact),
            lre(np.r_[sk.intercept_, sk.coef_], exact),
        ]
        condition = np.linalg.cond(V / np.linalg.norm(V, axis=0))
        rows.append(f"| x in {label}, degree {degree} | {condition:.1e} | "
                    + " | ".join(f"{c:.1f}" for c in cells) + " |")  # fmt: skip
    return rows


def machine_notes(threads) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (
        f"{cpu}, {os.cpu_count()} logical cores, load average {load[0]:.1f}; Python "
        f"{platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, yieldlab {yieldlab.__version__}; BLAS threads: "
        f"{threads or 'default'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads for all")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs at least (median)")
    args = parser.parse_args()
    sizes = [(100_000, 10), (200_000, 50)] if args.quick else [(100_000, 10), (1_000_000, 100)]

    print("## NIST StRD linear least squares: smallest LRE over the coefficients\n")
    print(nist_table())
    print("\n## Ill-conditioned polynomial designs (41 points): smallest LRE against the "
          "exact least-squares solution\n")  # fmt: skip
    print("| design | cond (scaled) | yieldlab ResponseSurface | yieldlab on float64 powers "
          "| numpy lstsq | scikit-learn |\n|---|---|---|---|---|---|")  # fmt: skip
    print("\n".join(polynomial_rows(args.quick)))

    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(
            "\n## Speed on tall Gaussian data (median of >= 3 timed runs after a warm-up; "
            "up to 200 runs for the fast ones)\n"
        )
        print("| size | method | time (ms) | speed-up vs lstsq | rel. error vs QR |")
        print("|---|---|---|---|---|")
        for n_samples, n_features in sizes:
            print("\n".join(speed_rows(n_samples, n_features, args.repeats)), flush=True)
    print(f"\nMachine: {machine_notes(args.threads)}")


if __name__ == "__main__":
    main()
