"""Acquisition for a Pareto front: expected hypervolume improvement (layer 4).

With several objectives treated as a Pareto problem (``multi_objective='pareto'`` with
``'ei'`` or ``'nei'``), the next experiment is worth the hypervolume it is expected to add
to the front. :func:`log_expected_hypervolume_improvement` is exact for independent normal
objectives over a box decomposition of the region the front does not dominate, in log form
(Daulton et al. 2020, Ament et al. 2023); :func:`select_hypervolume_batch` picks a batch
greedily, each pick joining the front as if measured (Kriging believer). The posterior
interface is that of :mod:`.acquisition`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .acquisition import log1mexp, log_h, stacked_picks
from .optimizer import NoSettingLeft
from .pareto import hypervolume_improvement, nondominated_boxes
from .scores import oriented

__all__ = ["log_expected_hypervolume_improvement", "select_hypervolume_batch"]


def _log_ramp(mean: np.ndarray, std: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log E[(f - a)^+]`` for ``f ~ N(mean, std^2)``: ``log std + log_h((mean - a) / std)``
    (``-inf`` where ``a`` is ``inf``); the arrays broadcast."""
    mean, std, a = np.broadcast_arrays(mean, std, a)
    out = np.full(mean.shape, -np.inf)
    finite = np.isfinite(a)
    z = (mean[finite] - a[finite]) / std[finite]
    out[finite] = np.log(std[finite]) + log_h(z)
    return out


def log_expected_hypervolume_improvement(
    mean: Any, std: Any, lower: Any, upper: Any
) -> np.ndarray:
    """``log E[HVI]`` of independent normal objectives, exact, finite far in the tail.

    With the region not yet dominated cut into disjoint boxes ``[l_b, u_b]``
    (:func:`~.pareto.nondominated_boxes`), the improvement of a point ``f`` is
    ``sum_b prod_j (min(f_j, u_bj) - l_bj)^+``; for independent objectives its expectation
    is ``sum_b prod_j (psi_j(l_bj) - psi_j(u_bj))`` with ``psi(a) = E[(f - a)^+] = std
    h((mean - a) / std)``, the expected improvement over ``a``. Every factor is taken in log
    form (:func:`~.acquisition.log_h`) and the boxes are summed with log-sum-exp, so
    settings far from the front keep an ordering (as log EI does for one objective; Daulton
    et al. 2020, Ament et al. 2023).

    Parameters
    ----------
    mean, std : array-like of shape (n, m)
        Posterior of the objectives as "larger is better" (std > 0).
    lower, upper : array-like of shape (n_boxes, m)

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> from yieldlab.experiments.pareto import nondominated_boxes
    >>> lower, upper = nondominated_boxes(np.zeros((0, 2)), [0.0, 0.0])
    >>> value = log_expected_hypervolume_improvement([[0.0, 0.0]], [[1.0, 1.0]], lower, upper)
    >>> round(float(np.exp(value[0])), 6)  # E[f+]^2 = phi(0)^2
    0.159155
    """
    mean = np.atleast_2d(np.asarray(mean, dtype=float))
    std = np.maximum(np.atleast_2d(np.asarray(std, dtype=float)), 1e-12)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    total = np.zeros((len(mean), len(lower)))
    for j in range(mean.shape[1]):
        mu, sd = mean[:, j, None], std[:, j, None]
        at_low = _log_ramp(mu, sd, lower[None, :, j])
        at_high = _log_ramp(mu, sd, upper[None, :, j])
        # log(psi(l) - psi(u)) = log psi(l) + log(1 - psi(u) / psi(l)), psi(u) < psi(l)
        with np.errstate(invalid="ignore"):
            ratio = np.where(np.isfinite(at_high), at_high - at_low, -np.inf)
        total += at_low + np.where(np.isfinite(ratio), log1mexp(ratio), 0.0)
    top = total.max(axis=1, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return (safe + np.log(np.exp(total - safe).sum(axis=1, keepdims=True)))[:, 0]


def _hypervolume_criterion(
    posterior: Any,
    objectives: list[Any],
    lower: np.ndarray,
    upper: np.ndarray,
    base_samples: np.ndarray,
) -> Callable[[np.ndarray], np.ndarray]:
    """``Z -> log EHVI``: analytic for maximized and minimized objectives; with a target,
    whose "larger is better" form ``-|y - T|`` is not normal, the Monte Carlo average of
    the exact improvement over common base samples."""
    signs = [{"max": 1.0, "min": -1.0}.get(o.sense) for o in objectives]
    analytic = None not in signs

    def value(Z: np.ndarray) -> np.ndarray:
        mean, std = posterior.predict(Z)
        if analytic:
            return log_expected_hypervolume_improvement(mean * signs, std, lower, upper)
        out = np.empty(len(Z))
        step = max(1, int(4e6 // (len(base_samples) * len(lower) * len(objectives))))
        for start in range(0, len(Z), step):
            part = slice(start, start + step)
            draws = mean[None, part] + std[None, part] * base_samples[:, None, :]
            scores = oriented(objectives, draws)
            gain = hypervolume_improvement(scores, lower, upper).mean(axis=0)
            with np.errstate(divide="ignore"):
                out[part] = np.log(gain)
        return out

    return value


def select_hypervolume_batch(
    posterior: Any,
    maximizer: Any,
    n: int,
    objectives: list[Any],
    front: np.ndarray,
    ref: np.ndarray,
    rng: np.random.Generator,
    *,
    Z_pending: np.ndarray | None = None,
    n_mc: int = 128,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy batch by expected hypervolume improvement, Kriging believer between picks.

    Each pick maximizes ``log EHVI`` over the region the ``front`` (and the fantasies before
    it) does not dominate above ``ref``; then its posterior mean joins the front as if
    measured and the posterior is conditioned on it, so the next pick goes elsewhere on the
    front. Pending experiments are fantasized the same way first.

    Parameters
    ----------
    posterior : posterior
        As :mod:`.acquisition` describes it (``predict``, ``condition``); its objectives
        are independent.
    maximizer : object
        As for :func:`~.acquisition.select_batch`.
    n : int
    objectives : list of Objective
    front : ndarray of shape (k, m)
        Results so far as "larger is better" (measured, or the posterior means at the
        settings run for the noisy plug-in); rows with NaN are ignored.
    ref : ndarray of shape (m,)
        Reference point (:func:`~.pareto.reference_point`).
    rng : numpy.random.Generator
    Z_pending : ndarray of shape (n_pending, n_encoded), optional
    n_mc : int, default=128
        Monte Carlo draws when an objective is a target.

    Returns
    -------
    Z : ndarray of shape (n, n_encoded)
    values : ndarray of shape (n,)
        ``log EHVI`` of each pick when it was picked.
    """
    front = np.asarray(front, dtype=float)
    front = front[np.isfinite(front).all(axis=1)]

    def believed(Z: np.ndarray) -> np.ndarray:
        return oriented(objectives, posterior.predict(Z)[0])

    pending = np.zeros((0, 0)) if Z_pending is None else np.asarray(Z_pending)
    if len(pending):
        posterior = posterior.condition(pending)
        front = np.vstack([front, believed(pending)])
    picks, values = [], []
    for j in range(n):
        lower, upper = nondominated_boxes(front, ref)
        base = rng.standard_normal((n_mc, len(objectives)))
        f = _hypervolume_criterion(posterior, objectives, lower, upper, base)
        taken = ([pending] if len(pending) else []) + picks
        try:
            z, value = maximizer.maximize(f, rng, np.vstack(taken) if taken else None)
        except NoSettingLeft:
            break  # fewer settings left than asked for: the caller says so
        picks.append(z[None, :])
        values.append(value)
        if j + 1 < n:
            front = np.vstack([front, believed(z[None, :])])
            posterior = posterior.condition(z[None, :])
    return stacked_picks(picks), np.asarray(values, dtype=float)
