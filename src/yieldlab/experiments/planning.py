"""Planning the next batch of a campaign from its results (layer 4).

Two ways, as :meth:`~.campaign.Campaign.suggest` uses them: before the models take over,
:func:`space_filling` continues a space-filling plan (:func:`greedy_maximin`); after,
:func:`optimized_batch` turns a fitted posterior into a diverse batch by maximizing the
acquisition (:func:`~.acquisition.select_batch`) over the space or the remaining candidate
rows, and :func:`prediction_table` says what the models expect of it. A batch whose
parameters named ``shared`` take one value is :func:`shared_batch`: the value is the one
whose batch is worth most.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .acquisition import select_batch
from .design import make_design
from .held import first_values
from .optimizer import Maximizer
from .pareto import objective_matrix, reference_point
from .pareto_acquisition import select_hypervolume_batch
from .scores import Score, oriented, sample_simplex
from .space import Space

__all__ = [
    "exploring_picks",
    "greedy_maximin",
    "optimized_batch",
    "prediction_table",
    "shared_batch",
    "space_filling",
]

_N_INCUMBENTS = 5  # best settings run whose neighbourhoods the maximizer's pool searches
# single suggestions whose values of the shared parameters are compared (shared_batch)
_SHARED_OPTIONS = 4


def greedy_maximin(Z: np.ndarray, taken: np.ndarray, n: int, n_plan: int) -> list[int]:
    """Up to ``n`` rows of ``Z``: first the rows of the plan (the first ``n_plan``) not yet
    taken, in order; then, one at a time, the row farthest from everything taken or chosen.

    Parameters
    ----------
    Z : ndarray of shape (n_pool, n_encoded)
        The plan's rows, then further candidate rows.
    taken : ndarray of shape (n_taken, n_encoded)
        Settings run or pending.
    n : int
    n_plan : int

    Returns
    -------
    list of int
        Row numbers of ``Z`` (fewer than ``n`` when every row is taken).

    Examples
    --------
    >>> Z = np.array([[0.0], [1.0], [0.5], [0.9]])
    >>> greedy_maximin(Z, np.array([[0.0]]), 3, 2)
    [1, 2, 3]
    """
    if len(taken):
        distance = ((Z[:, None, :] - taken[None]) ** 2).sum(-1).min(axis=1)
    else:
        distance = np.full(len(Z), np.inf)
    chosen: list[int] = []
    for _ in range(min(n, len(Z))):
        fresh = np.flatnonzero(distance[:n_plan] > 1e-12)
        i = int(fresh[0]) if fresh.size else int(np.argmax(distance))
        if distance[i] <= 1e-12:
            break
        chosen.append(i)
        distance = np.minimum(distance, ((Z - Z[i]) ** 2).sum(-1))
    return chosen


def space_filling(
    space: Space,
    n: int,
    taken: np.ndarray,
    n_plan: int,
    rngs: tuple[np.random.Generator, np.random.Generator],
    candidates: pd.DataFrame | None = None,
    remaining: pd.DataFrame | None = None,
    fixed: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The next ``n`` settings of a campaign's initial plan, then the most distant ones.

    The plan is ``n_plan`` Sobol points (mapped to candidate rows in candidates mode) drawn
    with ``rngs[0]``; its points not yet ``taken`` come first, in order, then greedy maximin
    distance (:func:`greedy_maximin`) over 512 more Sobol points drawn with ``rngs[1]`` or
    over the ``remaining`` candidate rows. With ``fixed`` settings (canonical values by
    parameter name), only points that have them: the plan's candidate rows among the
    ``remaining`` ones (which the caller has restricted), or the Sobol points with the
    fixed values put in, where feasible.

    Returns
    -------
    DataFrame
        Up to ``n`` settings (with candidates, indexed by their labels).
    """
    size = max(n_plan, 1)
    if candidates is not None:
        size = min(size, len(candidates))
        plan = make_design(space, size, "sobol", rngs[0], candidates=candidates)
        if fixed:
            plan = plan[plan.index.isin(remaining.index)]
        pool = pd.concat([plan, remaining])
    else:
        every = space.settings()  # a space with finitely many settings: at most all of them
        most = math.inf if every is None else len(every)
        plan = make_design(space, min(size, most), "sobol", rngs[0])
        # 512 unless a large batch needs more (the first 512 stay the same points)
        more = make_design(space, min(max(512, 2 * (n + len(taken))), most), "sobol", rngs[1])
        if fixed:
            plan, more = (
                frame.assign(**fixed)[space.is_feasible(frame.assign(**fixed))]
                for frame in (plan, more)
            )
            if len(more) < 512:  # a held value next to a constraint: draw where there is room
                extra = space.sample(512, rngs[1], fixed=fixed, fewer_ok=True)
                more = pd.concat([more, extra], ignore_index=True)
        pool = pd.concat([plan, more], ignore_index=True)
    return pool.iloc[greedy_maximin(space.encode(pool), taken, n, len(plan))]


# a batch this large ends with a Thompson draw (explore=True)
_EXPLORE_BATCH = 3


def exploring_picks(
    n: int, acquisition: str = "ei", explore: bool = True, front: bool = False
) -> list[int]:
    """Positions in a batch of ``n`` of the picks made by a Thompson draw (``explore``): the
    last pick of a batch of three or more chosen by expected improvement (``'ei'``,
    ``'nei'``), none in a batch of one or two, with another acquisition, without
    ``explore``, or for a Pareto front (``front``: ParEGO or expected hypervolume
    improvement, whose batches already spread along it).

    Examples
    --------
    >>> exploring_picks(5), exploring_picks(2), exploring_picks(5, "ucb")
    ([4], [], [])
    >>> exploring_picks(5, explore=False), exploring_picks(5, front=True)
    ([], [])
    """
    expected = acquisition in ("ei", "nei")
    return [n - 1] if expected and explore and not front and n >= _EXPLORE_BATCH else []


def pareto_mode(objectives: list[Any], multi_objective: str) -> bool:
    """Whether a batch is planned for the Pareto front (several objectives, ``'pareto'``
    or ``'parego'``) rather than for one score."""
    return len(objectives) > 1 and multi_objective in ("pareto", "parego")


# NOTE: tried and not kept, for suggestions one at a time: every fourth experiment a
# Thompson draw. Noisy Hartmann 6 (60 evaluations) went from 0.104 to 0.053 median final
# regret over seeds 0-19, but over 0-49 it was 0.053 against 0.051 (mean 0.142 against
# 0.12), and it cost the noise-free problems their last digits (Branin 0.0028 against
# 0.00048, Hartmann 6 0.00027 against 0.00015): the 20-seed gain was the luck of seeds.


def optimized_batch(
    posterior: Any,
    space: Space,
    objectives: list[Any],
    run: pd.DataFrame,
    Z: np.ndarray,
    n: int,
    rng: np.random.Generator,
    *,
    pending: np.ndarray,
    remaining: np.ndarray | None = None,
    acquisition: str = "ei",
    multi_objective: str = "desirability",
    beta: float = 2.0,
    explore: bool = False,
    fixed: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The next ``n`` encoded settings and their acquisition values.

    Parameters
    ----------
    posterior : JointPosterior
        The surrogate fitted on the results run.
    space : Space
    objectives : list of Objective
    run : DataFrame
        The experiments run (done or failed), with the objective columns.
    Z : ndarray of shape (n_run, n_encoded)
        Their encoded settings.
    n : int
    rng : numpy.random.Generator
    pending : ndarray of shape (n_pending, n_encoded)
        Settings suggested and not yet measured (fantasized, never suggested again).
    remaining : ndarray of shape (n_rows, n_encoded), optional
        Candidates mode: the encoded candidate rows not yet run or pending.
    acquisition, multi_objective, beta, explore
        As :class:`~.campaign.Campaign`.
    fixed : dict, optional
        Parameters held at one value (:class:`~.optimizer.Maximizer`); with candidates,
        ``remaining`` holds only the rows that have them.

    Returns
    -------
    picks : ndarray of shape (n, n_encoded)
    values : ndarray of shape (n,)
        The criterion at each pick (``log EI`` for ``'ei'``).
    """
    done = run[run["status"] == "done"]
    scores = Score(objectives, done)
    several_scores = pareto_mode(objectives, multi_objective)
    ranking = scores.of_results(run)
    if several_scores or multi_objective == "pareto":
        # NOTE: a front ranks its incumbents by the desirability itself, 0 below the bounds
        # (the shortfall that orders settings below them serves the desirability's search)
        ranking = np.maximum(ranking, 0.0)
    order = np.argsort(-np.nan_to_num(ranking, nan=-np.inf))
    maximizer = Maximizer(space, remaining, Z[order[:_N_INCUMBENTS]], fixed=fixed)
    several = len(objectives) > 1
    if several and multi_objective == "pareto" and acquisition in ("ei", "nei"):
        measured = objective_matrix(objectives, done)
        front = measured
        if acquisition == "nei":  # the noisy plug-in: the posterior means at the runs
            mean, _ = posterior.predict(Z[(run["status"] == "done").to_numpy()])
            front = oriented(objectives, mean)
        return select_hypervolume_batch(
            posterior,
            maximizer,
            n,
            objectives,
            front,
            reference_point(objectives, measured),
            rng,
            Z_pending=pending,
        )
    if several_scores:
        # NOTE: every pick's weights are drawn before the first pick, so the j-th pick's do
        # not depend on how many random numbers the picks before it used: shared_batch
        # compares the batches of its options by their summed acquisition, which is only
        # fair under the same scalarizations. (Drawn from a generator spawned off rng
        # instead, the reactor's share of the front after 30 experiments fell from 0.72 to
        # 0.62, medians of seeds 20-39, for no reason found: SciPy's Sobol engine spawns
        # off the same generator.)
        weights = sample_simplex(n, len(objectives), rng)

        def make_score(j: int) -> Score:
            return Score(objectives, done, weights=weights[j])
    else:

        def make_score(j: int) -> Score:
            return scores

    # the smoothing of the improvement scales with the spread of the desirabilities, not
    # of how far short of the bounds results fall (a cost of 300 against a bound of 5)
    done_scores = np.maximum(scores.of_results(done), 0.0) if several else scores.of_results(done)
    done_scores = done_scores[np.isfinite(done_scores)]
    spread = float(done_scores.std()) if done_scores.size > 1 else 0.0
    return select_batch(
        acquisition,
        posterior,
        maximizer,
        n,
        make_score,
        Z,
        rng,
        Z_pending=pending,
        Y_observed=np.column_stack([o.values(done) for o in objectives]),
        beta=beta,
        tau=1e-3 * (spread if spread > 0 else 1.0),
        # NOTE: not for a front: its batches already spread along it, and a Thompson pick
        # cost hypervolume (arylation yield/cost after 30 runs 0.88 against 0.97 with EHVI,
        # reactor 0.71 against 0.78 with ParEGO; medians of 20 seeds)
        thompson_picks=exploring_picks(n, acquisition, explore, several_scores),
    )


def prediction_table(posterior: Any, Z: np.ndarray, names: list[str]) -> pd.DataFrame:
    """``<objective>_mean`` and ``<objective>_std`` of a new measurement (noise included) at
    the encoded settings ``Z``, one row each."""
    mean, std = posterior.predict(Z)
    std = np.sqrt(std**2 + posterior.noise()[None, :])
    columns = {}
    for i, name in enumerate(names):
        columns[f"{name}_mean"], columns[f"{name}_std"] = mean[:, i], std[:, i]
    return pd.DataFrame(columns)


def shared_batch(
    optimize: Callable[[int, dict[str, Any]], tuple[pd.DataFrame, pd.DataFrame]],
    n: int,
    space: Space,
    shared: list[str],
    fixed: dict[str, Any],
    remaining: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The batch of ``n`` whose ``shared`` parameters take one value.

    The options are the values the best four single suggestions have (values within 0.1%
    of a parameter's encoded range count as one) and, in a screen, the value with the most
    rows left. The batch held at each option is planned, and the one with the largest
    summed acquisition wins; a full batch beats a smaller one.

    Parameters
    ----------
    optimize : callable
        ``optimize(n, fixed)`` plans a batch of ``n`` with ``fixed`` values held and
        returns the settings and the table of predictions with ``acquisition``.
    n : int
        Size of the batch.
    space : Space
        The campaign's space.
    shared : list of str
        The parameters that take one value across the batch.
    fixed : dict
        Values held already.
    remaining : DataFrame, optional
        A screen's rows not run and not pending, with the ``fixed`` values.

    Returns
    -------
    settings, predictions : DataFrame
        What ``optimize`` returned for the chosen value.
    """
    options = optimize(_SHARED_OPTIONS, fixed)[0][shared]
    if remaining is not None:
        left = remaining.groupby(shared, sort=False).size()
        if len(left):
            most = left.idxmax() if len(shared) > 1 else (left.idxmax(),)
            options = pd.concat([options, pd.DataFrame([most], columns=shared)])
    encoded = np.hstack([space[name].encode(options[name].tolist()) for name in shared])
    _, first = np.unique(np.round(encoded, 3), axis=0, return_index=True)
    best, best_key = None, None
    for row in sorted(first):
        batch = optimize(n, {**fixed, **first_values(options.iloc[[row]], shared)})
        key = (len(batch[0]), float(np.nansum(batch[1]["acquisition"])))
        if best_key is None or key > best_key:
            best, best_key = batch, key
    return best if best is not None else optimize(n, fixed)
