"""Training throughput of the engine vs scikit-learn and PyTorch (issue: foundation).

Same architecture, data, batch size and Adam settings for all three, float64 and float32;
yieldlab is measured through ``MLPRegressor`` as a user calls it (input checks and
standardisation included). PyTorch is optional (``pip install torch==2.13.0``).

Each library is measured in a fresh process of its own (best of 3 fits), in 3 rounds that
interleave the libraries; each library's best round is reported. Run:
``python benchmarks/bench_engine.py [--quick] [--regimes small] [--rounds 3]``; prints a
markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor as SkMLP

import yieldlab
from yieldlab import MLPRegressor

REGIMES = {
    # name: (n_features, hidden, activation, rows, batch, epochs)
    "tiny": (8, (16,), "sigmoid", 1_000, 32, 60),
    "small": (8, (64, 64), "relu", 10_000, 64, 6),
    "medium": (32, (512, 512), "relu", 100_000, 256, 2),
}
TARGETS = {"tiny": (10, 5), "small": (4, 3), "medium": (0.9, 1.1)}


def make_data(n_features: int, rows: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, n_features))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2 % n_features] + 0.1 * rng.normal(size=rows)
    return X.astype(dtype), y.astype(dtype)


def time_best(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_yieldlab(X, y, hidden, activation, batch, epochs, dtype):
    model = MLPRegressor(
        hidden,
        activation,
        solver="adam",
        alpha=0.0,
        batch_size=batch,
        learning_rate_init=1e-3,
        max_iter=epochs,
        tol=None,
        n_init=1,
        dtype=np.dtype(dtype).name,
        random_state=0,
    )
    return lambda: model.fit(X, y)


def run_sklearn(X, y, hidden, activation, batch, epochs, dtype):
    act = "logistic" if activation == "sigmoid" else activation
    model = SkMLP(
        hidden_layer_sizes=hidden,
        activation=act,
        solver="adam",
        alpha=0.0,
        batch_size=batch,
        learning_rate_init=1e-3,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)

    return fit


def run_torch(X, y, hidden, activation, batch, epochs, dtype):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    sizes = [X.shape[1], *hidden, 1]
    modules = []
    for i in range(len(sizes) - 1):
        modules.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            modules.append(torch.nn.Sigmoid() if activation == "sigmoid" else torch.nn.ReLU())
    net = torch.nn.Sequential(*modules).to(tdtype)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    n = X.shape[0]

    def fit():
        for _ in range(epochs):
            order = torch.randperm(n)
            for start in range(0, n, batch):
                idx = order[start : start + batch]
                optimizer.zero_grad()
                loss = loss_fn(net(Xt[idx]), yt[idx])
                loss.backward()
                optimizer.step()

    return fit


def gemm_peak(dtype) -> float:
    """GFLOP/s of a large square matrix product (the machine's practical peak)."""
    n = 3072
    a = np.random.default_rng(0).random((n, n)).astype(dtype)
    b = a.copy()
    a @ b
    seconds = time_best(lambda: a @ b, 3)
    return 2 * n**3 / seconds / 1e9


def flops_per_sample(n_features: int, hidden: tuple[int, ...]) -> float:
    """Forward + backward multiply-adds x 2 of a dense network with one output."""
    sizes = [n_features, *hidden, 1]
    forward = sum(2 * sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))
    input_grads = sum(2 * sizes[i] * sizes[i + 1] for i in range(1, len(sizes) - 1))
    return 2 * forward + input_grads  # forward, weight gradients, input gradients


def measure(name: str, dtype_name: str, peer: str, repeats: int, quick: bool) -> float | None:
    """Samples per second of one peer on one regime (run in a process of its own)."""
    n_features, hidden, activation, n, batch, epochs = REGIMES[name]
    if quick:
        epochs = max(1, epochs // 3)
    dtype = np.dtype(dtype_name).type
    X, y = make_data(n_features, n, dtype)
    fit = RUNNERS[peer](X, y, hidden, activation, batch, epochs, dtype)
    return None if fit is None else epochs * n / time_best(fit, repeats)


RUNNERS = {"yieldlab": run_yieldlab, "scikit-learn": run_sklearn, "PyTorch": run_torch}


def measure_apart(name: str, dtype_name: str, peer: str, repeats: int, quick: bool):
    """:func:`measure` in a fresh Python process: each library's thread pools (OpenBLAS,
    PyTorch's OpenMP workers, which keep spinning after a run) start cold and cannot
    slow down the next library measured."""
    command = [sys.executable, __file__, "--one", name, dtype_name, peer,
               "--repeats", str(repeats)] + (["--quick"] if quick else [])  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer epochs and one repeat")
    parser.add_argument("--regimes", nargs="*", default=list(REGIMES))
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None,
                        help="fresh processes per library, interleaved (best kept)")  # fmt: skip
    parser.add_argument("--one", nargs=3, metavar=("REGIME", "DTYPE", "PEER"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    rounds = args.rounds or (1 if args.quick else 3)
    if args.one:
        print(json.dumps(measure(*args.one, repeats, args.quick)))
        return
    rows = []
    peaks = {np.float32: gemm_peak(np.float32), np.float64: gemm_peak(np.float64)}
    for name in args.regimes:
        n_features, hidden = REGIMES[name][:2]
        for dtype in (np.float64, np.float32):
            dtype_name = np.dtype(dtype).name
            # rounds interleave the libraries, so that a slow spell of the machine (this
            # shared virtual machine has them, lasting seconds) does not fall on one alone
            rates = dict.fromkeys(RUNNERS)
            for _ in range(rounds):
                for peer in RUNNERS:
                    rate = measure_apart(name, dtype_name, peer, repeats, args.quick)
                    if rate is not None:
                        rates[peer] = max(rates[peer] or 0.0, rate)
            gflops = rates["yieldlab"] * flops_per_sample(n_features, hidden) / 1e9
            rows.append((name, dtype_name, rates, gflops / peaks[dtype]))
    print(
        f"machine: {platform.processor() or platform.machine()}, {platform.system()}; "
        f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, yieldlab {yieldlab.__version__}"
    )
    try:
        import torch

        print(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    except ImportError:
        print("torch not installed: PyTorch column empty")
    print(
        f"GEMM peak: float32 {peaks[np.float32]:.0f} GFLOP/s, "
        f"float64 {peaks[np.float64]:.0f} GFLOP/s\n"
    )
    print(
        "| regime | dtype | yieldlab (samples/s) | scikit-learn | PyTorch | vs PyTorch | "
        "vs scikit-learn | % of GEMM peak | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, dtype, rates, share in rows:
        ours, sk, pt = rates["yieldlab"], rates["scikit-learn"], rates["PyTorch"]
        vs_pt = f"{ours / pt:.1f}x" if pt else "n/a"
        target_pt, target_sk = TARGETS[name]
        target = f">= {target_pt}x PyTorch, >= {target_sk}x scikit-learn"
        if name == "medium":
            target += ", >= 55% peak (float32)"
        print(
            f"| {name} | {dtype} | {ours:,.0f} | {sk:,.0f} | "
            f"{f'{pt:,.0f}' if pt else 'n/a'} | {vs_pt} | {ours / sk:.1f}x | "
            f"{100 * share:.0f}% | {target} |"
        )


if __name__ == "__main__":
    main()
