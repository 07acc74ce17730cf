"""The nonlinear least-squares fit of a formula (layer 2).

One run from a start is three stages, all with the exact Jacobian of the formula:

1. SciPy's trust-region reflective solver (``least_squares(method='trf')``), with the
   parameters scaled by the Jacobian's column norms (``x_scale='jac'``, so parameters of
   very different magnitudes, 1e-3 and 1e4, move alike) and tolerances near machine
   precision; it honours bounds and survives steps that leave the model's domain.
2. MINPACK's Levenberg-Marquardt from that point (unbounded problems), which converges
   tightly on the small, well-started problems trf hands it.
3. Gauss-Newton polish: column-scaled least-squares steps, kept while they shrink
   (contract) and the sum of squares does not grow beyond rounding. This recovers the
   last digits where the sum of squares is flat to machine precision (large-residual
   problems such as NIST ENSO converge only linearly).

Every fit also scans thousands of automatic starting points (:mod:`.starts`, cheap: the
linear parameters are solved, not searched). When the run from the given start looks
failed (no convergence, a non-finite model, a fit no better than a constant, a parameter
that no longer changes the fit, as when a rate constant runs off to infinity, or
parameters the data cannot tell apart), or when the scan found a point with a smaller sum
of squares (the run stopped in a local minimum), the fit restarts from more points (the
bounds, the start scaled by powers of ten, the best scanned points) and keeps the run
with the smallest sum of squares, continued to convergence.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from .problem import Problem
from .starts import automatic_starts, fallback_starts

__all__ = ["FitResult", "fit_problem", "scaled_condition"]

EPS = float(np.finfo(float).eps)
TOL = 1e-15  # xtol, ftol and gtol: just above machine epsilon, so SciPy does not warn
MAX_POLISH = 100
EXPLORE_NFEV = 30  # evaluations per parameter of a short exploratory run
N_FINISH = 2  # exploratory runs continued to convergence
FINISH_NFEV = 300  # evaluations per parameter to continue one of them
N_AUTOMATIC = 5  # automatic starts explored when the user gives none
N_SCAN = 8  # automatic starts kept from the scan for a fallback
# scaled Jacobian condition number above which the parameters are (nearly) not identifiable
MAX_CONDITION = 1e12
# a parameter whose relative effect on the fitted values is below this is lost (plateau)
LOST_SENSITIVITY = 1e-10


@dataclass
class FitResult:
    """Outcome of :func:`fit_problem`.

    Attributes
    ----------
    theta : ndarray of shape (n_parameters,)
        The best parameters found.
    sse : float
        Their sum of squared residuals.
    converged : bool
        Whether the solver met a convergence criterion at ``theta``.
    start : ndarray of shape (n_parameters,)
        The start of the run that gave ``theta``.
    n_starts_tried : int
    n_evaluations : int
        Forward passes of the formula (values and Jacobian together).
    automatic_start : bool
        Whether no start was given and the starts were chosen automatically.
    fallback : bool
        Whether starts beyond the first were needed.
    """

    theta: np.ndarray
    sse: float
    converged: bool
    start: np.ndarray
    n_starts_tried: int
    n_evaluations: int
    automatic_start: bool
    fallback: bool


@dataclass
class _Run:
    start: np.ndarray
    theta: np.ndarray
    sse: float
    converged: bool


def _least_squares(problem: Problem, x0, lower, upper, method: str, max_nfev: int):
    bounds = (lower, upper) if method == "trf" else (-np.inf, np.inf)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return least_squares(
            problem.residuals,
            x0,
            jac=problem.jacobian,
            bounds=bounds,
            method=method,
            x_scale="jac",
            xtol=TOL,
            ftol=TOL,
            gtol=TOL,
            max_nfev=max_nfev,
        )


def _polish(problem: Problem, theta: np.ndarray, sse: float) -> tuple[np.ndarray, float]:
    """Gauss-Newton steps while they contract and do not increase the sum of squares."""
    previous = np.inf
    with np.errstate(all="ignore"):
        return _polish_steps(problem, theta, sse, previous)


def _polish_steps(problem: Problem, theta: np.ndarray, sse: float, previous: float):
    for _ in range(MAX_POLISH):
        values, jacobian = problem.evaluate(theta)
        if not (np.all(np.isfinite(values)) and np.all(np.isfinite(jacobian))):
            break
        norms = np.linalg.norm(jacobian, axis=0)
        norms[norms == 0] = 1.0
        scaled_step, *_ = np.linalg.lstsq(jacobian / norms, problem.target - values, rcond=None)
        size = float(np.linalg.norm(scaled_step))
        # NOTE: only a contracting sequence of steps is the tail of a convergent iteration;
        # a step that does not shrink is rounding noise (or GN diverging) and is refused.
        if not np.isfinite(size) or size >= 0.9 * previous or size == 0.0:
            break
        candidate = theta + scaled_step / norms
        candidate_sse = problem.sse(candidate)
        # rounding noise of the sum of squares: each residual carries ~eps * |f| + eps * |z|
        noise = (
            8
            * EPS
            * float(
                np.sum(np.abs(values - problem.target) * (np.abs(values) + np.abs(problem.target)))
            )
        )
        if not candidate_sse <= sse + noise + 1e-300:
            break
        theta, sse, previous = candidate, candidate_sse, size
        if np.all(np.abs(scaled_step / norms) <= 1e-15 * np.abs(theta)):
            break
    return theta, sse


def _run(problem: Problem, start: np.ndarray, lower, upper, max_nfev: int) -> _Run:
    """One run: trf, then LM and Gauss-Newton polish when there are no bounds."""
    bounded = bool(np.any(np.isfinite(lower)) or np.any(np.isfinite(upper)))
    try:
        result = _least_squares(problem, start, lower, upper, "trf", max_nfev)
    except (ValueError, np.linalg.LinAlgError):
        return _Run(start, start, np.inf, False)
    theta, converged = result.x, result.status > 0
    sse = problem.sse(theta)
    if not bounded and problem.n_samples >= problem.n_parameters and np.isfinite(sse):
        try:
            polished = _least_squares(problem, theta, lower, upper, "lm", max_nfev)
        except (ValueError, np.linalg.LinAlgError):
            polished = None
        if polished is not None and problem.sse(polished.x) <= sse:
            theta, sse = polished.x, problem.sse(polished.x)
            converged = converged or polished.status > 0
    if not bounded and np.isfinite(sse):
        theta, sse = _polish(problem, theta, sse)
    return _Run(start, np.asarray(theta, dtype=float), sse, converged)


def _suspect(problem: Problem, run: _Run) -> bool:
    """Whether a run looks failed, so that more starts are worth trying."""
    if not (run.converged and np.isfinite(run.sse)):
        return True
    z = problem.target
    total = float(np.sum((z - z.mean()) ** 2))
    if total > 0 and run.sse >= total * (1.0 - 1e-9):
        return True  # no better than a constant: typically a term switched itself off
    values, jacobian = problem.evaluate(run.theta)
    with np.errstate(all="ignore"):
        return _lost_parameter(run.theta, values, jacobian, z)


def _lost_parameter(theta, values, jacobian, z) -> bool:
    size = max(float(np.linalg.norm(values)), float(np.linalg.norm(z)), 1e-300)
    effect = np.linalg.norm(jacobian, axis=0) * np.abs(theta) / size
    lost = (theta != 0) & (effect < LOST_SENSITIVITY)
    return bool(np.any(lost)) or scaled_condition(jacobian) > MAX_CONDITION


def scaled_condition(jacobian: np.ndarray) -> float:
    """Condition number of the Jacobian with unit-norm columns (``inf`` if rank-deficient).

    Large values mean the data cannot tell some parameters apart (two equal rate
    constants, a product ``b1*b2``), whatever their units.
    """
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(jacobian, axis=0)
        if not np.all(np.isfinite(jacobian)) or np.any(norms == 0):
            return float("inf")
        singular = np.linalg.svd(jacobian / norms, compute_uv=False)
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else float("inf")


def _explore(problem: Problem, points, lower, upper, max_nfev: int) -> list[_Run]:
    """Short trf runs from many points, then full runs from the most promising ends."""
    short = EXPLORE_NFEV * (problem.n_parameters + 1)
    scouts = []
    for point in points:
        try:
            result = _least_squares(problem, point, lower, upper, "trf", short)
        except (ValueError, np.linalg.LinAlgError):
            continue
        scouts.append((problem.sse(result.x), point, result.x))
    scouts.sort(key=lambda scout: scout[0])
    runs = []
    budget = min(max_nfev, FINISH_NFEV * (problem.n_parameters + 1))
    for _, point, end in scouts[:N_FINISH]:
        run = _run(problem, end, lower, upper, budget)
        runs.append(_Run(point, run.theta, run.sse, run.converged))
    return runs


def fit_problem(
    problem: Problem,
    start: np.ndarray | None,
    lower: np.ndarray,
    upper: np.ndarray,
    max_nfev: int | None = None,
) -> FitResult:
    """Fit the parameters of ``problem`` by least squares, with fallbacks.

    Parameters
    ----------
    problem : Problem
    start : ndarray of shape (n_parameters,) or None
        The user's start; ``None`` chooses starts automatically.
    lower, upper : ndarray of shape (n_parameters,)
        Bounds, ``-inf``/``inf`` where free.
    max_nfev : int, optional
        Budget of function evaluations per solver stage; default ``1000 * (n_params + 1)``.

    Returns
    -------
    FitResult
    """
    if max_nfev is None:
        max_nfev = 1000 * (problem.n_parameters + 1)
    automatic = start is None
    # the scan of automatic starts is cheap; it also checks a run from the user's start
    scanned = automatic_starts(problem, lower, upper, n_best=N_SCAN)
    if automatic:
        points = scanned[:N_AUTOMATIC] or [np.clip(np.ones(problem.n_parameters), lower, upper)]
        runs = _explore(problem, points, lower, upper, max_nfev)
    else:
        points = [np.asarray(start, dtype=float)]
        runs = [_run(problem, points[0], lower, upper, max_nfev)]
    n_tried = len(points)
    best = min(runs, key=lambda r: r.sse, default=_Run(points[0], points[0], np.inf, False))
    beaten = bool(scanned) and problem.sse(scanned[0]) < best.sse * (1.0 - 1e-9)
    fallback = beaten or _suspect(problem, best)
    if fallback:
        extra = [
            point
            for point in fallback_starts(problem, best.start, lower, upper, scanned)
            if not any(np.array_equal(point, p) for p in points)
        ]
        n_tried += len(extra)
        for run in _explore(problem, extra, lower, upper, max_nfev):
            if run.sse < best.sse or not np.isfinite(best.sse):
                best = run
    if not best.converged and np.isfinite(best.sse):
        # an exploratory run stopped at its smaller budget: continue it with the full one
        more = _run(problem, best.theta, lower, upper, max_nfev)
        if more.sse <= best.sse:
            best = _Run(best.start, more.theta, more.sse, more.converged)
    return FitResult(
        theta=best.theta,
        sse=best.sse,
        converged=best.converged,
        start=best.start,
        n_starts_tried=n_tried,
        n_evaluations=problem.n_evaluations,
        automatic_start=automatic,
        fallback=fallback,
    )
