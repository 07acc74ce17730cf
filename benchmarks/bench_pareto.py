"""Two objectives at once: how much of the Pareto front a campaign finds in few experiments.

Two problems, yield (max) against cost (min), batches of 5 (the first 5 space-filling or
random), the same seeds for every optimizer:

1. ``arylation``: the direct arylation screen (Shields et al., Nature 2021) with the reagent
   cost per reaction that EDBO+ added (Garrido Torres et al., JACS 2022), 1,728 reactions
   (a full factorial of ligand, base, solvent, concentration and temperature), 50
   experiments. Score: the hypervolume of the (yield, cost) pairs run as a share of the
   whole screen's (reference point: yield 0, the highest cost of the screen).
2. ``reactor``: yieldlab's reactor simulator (temperature, time, concentration, catalyst;
   measurement noise sd 1), 30 experiments, the objectives declared as a user should for a
   cost per mol that grows without bound as the yield falls: ``Maximize("yield", 0, 100)``,
   ``Minimize("cost", high=5)``. Score: the hypervolume of the noise-free values at the
   settings run (reference point: yield 0, cost 5) as a share of that of 50,000 random
   settings (so above 1 is possible).

Optimizers:

- yieldlab, ``multi_objective="pareto"`` (expected hypervolume improvement, the default
  Pareto mode) and ``"parego"`` (expected improvement of a random Chebyshev scalarization
  per suggestion); in candidates mode on the screen;
- Optuna's GP sampler (log expected hypervolume improvement) and its TPE sampler
  (multivariate), batches of 5 by ask-and-tell; on the screen the five parameters are
  categorical choices and a reaction proposed again counts as an experiment (the table
  gives the same result);
- random sampling (of the table without replacement, or of the space).

Run ``python benchmarks/bench_pareto.py`` (``--only arylation,reactor``, ``--seeds N``,
``--optimizers``). The screen is read from ``../shared/data/experiments``
(``YIELDLAB_SHARED_DATA`` overrides) and skipped when absent.
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

from bench_campaign import ARYLATION, PARAMETERS, _interval, table
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.objectives import Maximize, Minimize
from yieldlab.experiments.pareto import hypervolume
from yieldlab.experiments.space import Space
from yieldlab.simulators import Reactor

BATCH = 5
SENSES = ["max", "min"]


@dataclass
class Problem:
    """Where to search, what to ask, and how the settings run are scored."""

    name: str
    space: Space
    objectives: list
    budget: int
    checkpoints: tuple[int, ...]
    measure: Callable[[pd.DataFrame, int], np.ndarray]  # settings, seed -> (n, 2) measured
    truth: Callable[[pd.DataFrame], np.ndarray]  # settings -> (n, 2) noise-free
    ref: list[float]
    whole: float  # hypervolume the shares are relative to
    candidates: pd.DataFrame | None = None


def arylation() -> Problem:
    frame = pd.read_csv(ARYLATION / "edboplus_experiments_yield_and_cost.csv")
    settings = frame[PARAMETERS]
    keys = {key: i for i, key in enumerate(settings.itertuples(index=False, name=None))}

    def values(batch: pd.DataFrame, seed: int = 0) -> np.ndarray:
        rows = [keys[key] for key in batch[PARAMETERS].itertuples(index=False, name=None)]
        return frame.loc[rows, ["yield", "cost"]].to_numpy(float)

    Y = frame[["yield", "cost"]].to_numpy(float)
    ref = [0.0, float(Y[:, 1].max())]
    return Problem(
        "direct arylation screen, 1,728 reactions, 50 experiments",
        Space.from_candidates(settings),
        [Maximize("yield"), Minimize("cost")],
        50,
        (20, 30, 50),
        values,
        values,
        ref,
        hypervolume(Y, ref, SENSES),
        candidates=settings,
    )


def reactor() -> Problem:
    lab = Reactor()
    many = lab.space.sample(50_000, 0)
    ref = [0.0, 5.0]

    def truth(settings: pd.DataFrame) -> np.ndarray:
        return lab.noiseless(settings[lab.space.names])[["yield", "cost"]].to_numpy(float)

    def measure(settings: pd.DataFrame, seed: int) -> np.ndarray:
        rng = np.random.default_rng([seed, len(settings), _digest(settings)])
        noisy = Reactor(noise=1.0, random_state=rng)
        return noisy(settings[lab.space.names])[["yield", "cost"]].to_numpy(float)

    return Problem(
        "reactor simulator, noise sd 1, 30 experiments",
        lab.space,
        [Maximize("yield", 0, 100), Minimize("cost", high=5)],
        30,
        (10, 20, 30),
        measure,
        truth,
        ref,
        hypervolume(truth(many), ref, SENSES),
    )


def _digest(settings: pd.DataFrame) -> int:
    # a seed for the noise of one batch that does not depend on who asked for it
    return int(pd.util.hash_pandas_object(settings, index=False).sum() % (2**32))


PROBLEMS = {"arylation": arylation, "reactor": reactor}


# -- optimizers: each returns the settings run, in order ------------------------------------------


def yieldlab_run(problem: Problem, seed: int, mode: str = "pareto") -> pd.DataFrame:
    """A yieldlab campaign with ``multi_objective=mode``."""
    campaign = Campaign(
        problem.space,
        problem.objectives,
        candidates=problem.candidates,
        random_state=seed,
        multi_objective=mode,
    )
    names, runs = problem.space.names, []
    while sum(len(r) for r in runs) < problem.budget:
        batch = campaign.suggest(BATCH)[names].reset_index(drop=True)
        measured = problem.measure(batch, seed)
        campaign.add(batch.assign(**{"yield": measured[:, 0], "cost": measured[:, 1]}))
        runs.append(batch)
    return pd.concat(runs, ignore_index=True)


def random_run(problem: Problem, seed: int) -> pd.DataFrame:
    """Random sampling (of the table without replacement, or of the space)."""
    if problem.candidates is not None:
        rows = np.random.default_rng(seed).permutation(len(problem.candidates))
        return problem.candidates.iloc[rows[: problem.budget]].reset_index(drop=True)
    return problem.space.sample(problem.budget, seed)


def _optuna(sampler_name: str):
    def run(problem: Problem, seed: int) -> pd.DataFrame:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = (
            optuna.samplers.GPSampler(seed=seed)
            if sampler_name == "gp"
            else optuna.samplers.TPESampler(seed=seed, multivariate=True)
        )
        study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
        runs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental-feature warnings
            while len(runs) < problem.budget:
                trials = [study.ask() for _ in range(BATCH)]
                batch = pd.DataFrame([_suggest(trial, problem) for trial in trials])
                measured = problem.measure(batch, seed)
                for trial, values in zip(trials, measured, strict=True):
                    study.tell(trial, values.tolist())
                runs += batch.to_dict("records")
        return pd.DataFrame(runs)

    return run


def _suggest(trial, problem: Problem) -> dict:
    if problem.candidates is not None:  # the screen: every parameter a choice of its levels
        return {
            name: trial.suggest_categorical(
                name, sorted(problem.candidates[name].unique().tolist())
            )
            for name in problem.space.names
        }
    out = {}
    for p in problem.space:
        if isinstance(p, Categorical):
            out[p.name] = trial.suggest_categorical(p.name, list(p.values))
        else:
            out[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
    return out


OPTIMIZERS = {
    "yieldlab (EHVI)": yieldlab_run,
    "yieldlab (ParEGO)": lambda problem, seed: yieldlab_run(problem, seed, "parego"),
    "optuna GP (EHVI)": _optuna("gp"),
    "optuna TPE": _optuna("tpe"),
    "random": random_run,
}


def bench_pareto(problem: Problem, seeds: int, optimizers: list[str]) -> str:
    final: dict[str, np.ndarray] = {}
    rows = []
    for name in optimizers:
        started = time.perf_counter()
        runs = [OPTIMIZERS[name](problem, seed) for seed in range(seeds)]
        seconds = (time.perf_counter() - started) / seeds
        shares = np.array(
            [
                [
                    hypervolume(problem.truth(run.iloc[:k]), problem.ref, SENSES) / problem.whole
                    for k in problem.checkpoints
                ]
                for run in runs
            ]
        )
        final[name] = shares[:, -1]
        row = {"optimizer": name, "runs": seeds, "s per run": f"{seconds:.1f}"}
        for j, k in enumerate(problem.checkpoints):
            row[f"after {k}"] = f"{np.median(shares[:, j]):.3f} {_interval(shares[:, j], '.3f')}"
        repeats = np.mean([run.duplicated().sum() for run in runs])
        row["repeated settings"] = f"{repeats:.1f}"
        rows.append(row)
        print(row, flush=True)
    ours = next((k for k in final if k.startswith("yieldlab")), None)
    for row in rows:
        if ours and row["optimizer"] != ours:
            u = stats.mannwhitneyu(final[ours], final[row["optimizer"]]).statistic
            row[f"{ours} higher at the end"] = f"{u / seeds**2:.0%} of pairs"
    columns = [
        "optimizer",
        "runs",
        *[f"after {k}" for k in problem.checkpoints],
        f"{ours} higher at the end",
        "repeated settings",
        "s per run",
    ]
    return (
        f"### {problem.name}: share of the hypervolume found, median [95% interval]\n\n"
        + table(rows, columns)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="arylation,reactor")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    args = parser.parse_args()
    for key in args.only.split(","):
        if key == "arylation" and not ARYLATION.is_dir():
            print(f"skipped arylation: {ARYLATION} not found\n")
            continue
        problem = PROBLEMS[key]()
        print(bench_pareto(problem, args.seeds, args.optimizers.split(",")), "\n", flush=True)


if __name__ == "__main__":
    main()
