"""Campaigns on other published reaction screens: is the optimizer tuned for one data set?

The arylation screen of ``bench_campaign.py`` is one data set; a lab brings another. This
script runs the same loop (candidates mode, a space-filling start of 5, batches of 5, the
space inferred by ``Space.from_candidates`` as a user would) on every other published screen
in ``../shared/data/experiments`` that is a table of measured results:

- Suzuki coupling (Hein lab, via Olympus): 247 reactions on a 4 x 4 x 4 x 4 grid of four
  numeric settings, yield maximized;
- Suzuki-Miyaura in flow (Reizman et al. 2016), cases 1-4: catalyst (8 levels), residence
  time, temperature and loading; the experiments an automated platform ran, replicates
  averaged (80-95 distinct settings), yield maximized;
- C-N coupling in droplet flow (Baumgartner et al. 2019), aniline: catalyst, base and three
  numeric settings, 96 experiments, yield maximized (the benzamide file reports some yields
  only as ">= 90%" and is left out);
- SnAr and N-benzylation in flow (Schweidtmann et al. 2018): four numeric settings, 66 and
  72 distinct experiments, the impurity minimized.

Each run stops when the best row of the table has been run. Reported over seeded runs: the
experiments to the best row and to a top-5% row (the 5% best rows, at least 2), as medians
with 95% bootstrap intervals, for yieldlab, for a plain scikit-learn GP with expected
improvement (the surrogate a user would put together: Matern 5/2 with one length scale per
encoded column plus a white-noise term, one-hot categoricals, numbers scaled to [0, 1], a
random start of 5, batches by the "Kriging believer" heuristic) and for random sampling
(expected value (N + 1) / (K + 1) for K target rows among N).

Except Hein's grid, each pool is what a platform chose to run while it optimized, so it is
denser near the optimum than a designed plate (random sampling does well on the top 5%); the
numbers compare optimizers on the same pools, they are not the published campaigns' counts.

Run ``python benchmarks/bench_screens.py`` (``--seeds N``, ``--only hein,reizman1,...``,
``--optimizers yieldlab,sklearn GP-EI,random``). The data are read from
``../shared/data/experiments`` (``YIELDLAB_SHARED_DATA`` overrides); screens whose files are
absent are skipped.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from bench_campaign import DATA, _interval, table
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.objectives import Maximize, Minimize
from yieldlab.experiments.space import Space

EXPERIMENTS = DATA / "experiments"
BATCH = 5


@dataclass(frozen=True)
class Screen:
    """One published table: settings columns, the measured column and its direction."""

    name: str
    frame: pd.DataFrame
    parameters: list[str]
    target: str
    maximize: bool

    @property
    def score(self) -> np.ndarray:
        """The measured column, larger is better."""
        values = self.frame[self.target].to_numpy(float)
        return values if self.maximize else -values

    def top(self, share: float = 0.05) -> int:
        """How many rows count as the top ``share`` (at least 2)."""
        return max(2, round(share * len(self.frame)))


def _averaged(frame: pd.DataFrame, parameters: list[str], target: str) -> pd.DataFrame:
    # replicates (the same settings run again) become one row with their mean
    return frame.groupby(parameters, as_index=False, sort=False)[target].mean()


def _summit(file: str, parameters: list[str], name: str) -> Screen:
    # Summit's CSVs carry a second header row (TYPE, DATA, ...) and sometimes a BOM
    frame = pd.read_csv(EXPERIMENTS / file, skiprows=[1], encoding="utf-8-sig")
    return Screen(name, _averaged(frame, parameters, "yld"), parameters, "yld", True)


def _olympus(folder: str, parameters: list[str], target: str, name: str, maximize: bool):
    # Olympus's data.csv has no header: the config's parameters, then the measurement
    frame = pd.read_csv(EXPERIMENTS / folder / "data.csv", header=None)
    frame.columns = [*parameters, target]
    return Screen(name, _averaged(frame, parameters, target), parameters, target, maximize)


def _reizman(case: int) -> Screen:
    return _summit(
        f"reizman_suzuki_flow2016/reizman_suzuki_case_{case}.csv",
        ["catalyst", "t_res", "temperature", "catalyst_loading"],
        f"Suzuki flow, Reizman 2016 case {case}, yield",
    )


LOADERS: dict[str, Callable[[], Screen]] = {
    "hein": lambda: _olympus(
        "suzuki_hein_olympus",
        ["temperature", "pd_mol", "arbpin", "k3po4"],
        "yield",
        "Suzuki, Hein (Olympus), yield",
        True,
    ),
    "reizman1": lambda: _reizman(1),
    "reizman2": lambda: _reizman(2),
    "reizman3": lambda: _reizman(3),
    "reizman4": lambda: _reizman(4),
    "baumgartner": lambda: _summit(
        "baumgartner_cn_flow2019/baumgartner_aniline_cn_crosscoupling.csv",
        ["catalyst", "base", "base_equivalents", "temperature", "t_res"],
        "C-N coupling, Baumgartner 2019 aniline, yield",
    ),
    "snar": lambda: _olympus(
        "schweidtmann2018_flow_snar_benzylation/snar",
        ["residence_time", "ratio", "concentration", "temperature"],
        "impurity",
        "SnAr flow, Schweidtmann 2018, impurity (min)",
        False,
    ),
    "benzylation": lambda: _olympus(
        "schweidtmann2018_flow_snar_benzylation/benzylation",
        ["flow_rate", "ratio", "solvent", "temperature"],
        "impurity",
        "N-benzylation flow, Schweidtmann 2018, impurity (min)",
        False,
    ),
}


def screens(names: list[str]) -> dict[str, Screen]:
    """The screens named (all when empty) whose files are present."""
    out = {}
    for key, load in LOADERS.items():
        if names and key not in names:
            continue
        try:
            out[key] = load()
        except FileNotFoundError as error:
            print(f"skipped {key}: {error.filename} not found")
    return out


# -- optimizers: each returns the rows in the order it ran them, until the best ------------------


def _run_until_best(screen: Screen, choose: Callable[[list[int]], list[int]]) -> np.ndarray:
    best = int(np.argmax(screen.score))
    order: list[int] = []
    while best not in order and len(order) < len(screen.frame):
        order += choose(order)
    return np.asarray(order)


def yieldlab_run(screen: Screen, seed: int) -> np.ndarray:
    """yieldlab's campaign, set up from the table as a user would."""
    settings = screen.frame[screen.parameters]
    objective = (Maximize if screen.maximize else Minimize)(screen.target)
    campaign = Campaign(
        Space.from_candidates(settings), objective, candidates=settings, random_state=seed
    )

    def choose(order: list[int]) -> list[int]:
        batch = campaign.suggest(BATCH)
        rows = [int(row) for row in batch.index]  # candidates mode: the rows' labels
        measured = screen.frame.loc[rows, screen.target].to_numpy()
        campaign.add(batch[screen.parameters].assign(**{screen.target: measured}))
        return rows

    return _run_until_best(screen, choose)


def random_run(screen: Screen, seed: int) -> np.ndarray:
    """Random sampling without replacement."""
    order = np.random.default_rng(seed).permutation(len(screen.frame))
    best = int(np.argmax(screen.score))
    return order[: int(np.flatnonzero(order == best)[0]) + 1]


def _encoded(screen: Screen) -> np.ndarray:
    parts = []
    for name in screen.parameters:
        values = screen.frame[name]
        if pd.api.types.is_numeric_dtype(values):
            span = values.max() - values.min()
            parts.append(((values - values.min()) / span).to_numpy(float)[:, None])
        else:
            parts.append(pd.get_dummies(values).to_numpy(float))
    return np.hstack(parts)


def sklearn_run(screen: Screen, seed: int) -> np.ndarray:
    """A plain scikit-learn GP with EI; batches by the Kriging believer."""
    X, y = _encoded(screen), screen.score
    rng = np.random.default_rng(seed)

    def choose(order: list[int]) -> list[int]:
        if not order:
            return [int(i) for i in rng.choice(len(X), BATCH, replace=False)]
        kernel = ConstantKernel() * Matern(np.ones(X.shape[1]), (1e-2, 1e2), nu=2.5) + WhiteKernel(
            1e-2, (1e-6, 1.0)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp = GaussianProcessRegressor(
                kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
            ).fit(X[order], y[order])
        run, seen, batch = list(order), list(y[order]), []
        for _ in range(BATCH):
            rest = np.setdiff1d(np.arange(len(X)), run)
            if rest.size == 0:
                break
            mean, sd = gp.predict(X[rest], return_std=True)
            sd = np.maximum(sd, 1e-12)
            z = (mean - max(seen)) / sd
            ei = sd * (z * ndtr(z) + stats.norm.pdf(z))
            pick = int(np.argmax(ei))
            batch.append(int(rest[pick]))
            run.append(int(rest[pick]))
            seen.append(float(mean[pick]))  # the believer: the model's mean as if measured
            gp = GaussianProcessRegressor(gp.kernel_, normalize_y=True, optimizer=None)
            gp.fit(X[run], np.asarray(seen))
        return batch

    return _run_until_best(screen, choose)


OPTIMIZERS = {"yieldlab": yieldlab_run, "sklearn GP-EI": sklearn_run, "random": random_run}


def _to(order: np.ndarray, targets: set[int]) -> int:
    """Experiments until the first of ``targets`` was run."""
    return next(i + 1 for i, row in enumerate(order) if int(row) in targets)


def _sooner(ours: tuple[np.ndarray, ...], theirs: tuple[np.ndarray, ...]) -> str:
    """Share of (yieldlab run, peer run) pairs in which yieldlab got there first (ties count
    half), to the best row and to a top-5% row."""
    # Mann-Whitney's U of (peer, ours) over n * m: the chance a peer run needs more
    shares = [
        stats.mannwhitneyu(b, a).statistic / (len(a) * len(b))
        for a, b in zip(ours, theirs, strict=True)
    ]
    return " / ".join(f"{share:.0%}" for share in shares)


def bench_screens(names: list[str], seeds: int, optimizers: list[str]) -> str:
    rows = []
    for screen in screens(names).values():
        n, k = len(screen.frame), screen.top()
        ranking = np.argsort(-screen.score, kind="stable")
        best, top = {int(ranking[0])}, {int(i) for i in ranking[:k]}
        counts = {}
        for optimizer in optimizers:
            started = time.perf_counter()
            orders = [OPTIMIZERS[optimizer](screen, seed) for seed in range(seeds)]
            seconds = (time.perf_counter() - started) / seeds
            to_best = np.array([_to(order, best) for order in orders])
            to_top = np.array([_to(order, top) for order in orders])
            counts[optimizer] = (to_best, to_top)
            rows.append(
                {
                    "screen": f"{screen.name} (N = {n}, top 5% = {k})",
                    "optimizer": optimizer,
                    "median to best [95%]": f"{np.median(to_best):.0f} {_interval(to_best)}",
                    "mean / max to best": f"{to_best.mean():.1f} / {to_best.max()}",
                    "median to top 5% [95%]": f"{np.median(to_top):.0f} {_interval(to_top)}",
                    "s per run": f"{seconds:.1f}",
                }
            )
            print(rows[-1], flush=True)
        first = rows[-len(optimizers)]
        first["random expects (best / top 5%)"] = f"{(n + 1) / 2:.1f} / {(n + 1) / (k + 1):.1f}"
        if "yieldlab" in counts:
            first["yieldlab sooner (best / top 5%)"] = "; ".join(
                f"than {other}: {_sooner(counts['yieldlab'], counts[other])}"
                for other in counts
                if other != "yieldlab"
            )
    header = [
        "screen",
        "optimizer",
        "median to best [95%]",
        "mean / max to best",
        "median to top 5% [95%]",
        "random expects (best / top 5%)",
        "yieldlab sooner (best / top 5%)",
        "s per run",
    ]
    return (
        f"### Other published screens: experiments to the best row, {seeds} seeded runs, "
        "batches of 5\n\n" + table(rows, header)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="screens by short name, comma-separated")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name]
    print(bench_screens(names, args.seeds, args.optimizers.split(",")), flush=True)


if __name__ == "__main__":
    main()
