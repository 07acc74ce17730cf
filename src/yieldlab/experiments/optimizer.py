"""Maximizing an acquisition function over the space of settings (layer 4).

Two modes, one interface (``maximize(f, rng, exclude)`` and ``pool(rng, exclude, rank)``, as
:func:`.acquisition.select_batch` uses them):

* **candidates** (a table of allowed settings, e.g. the wells of a plate): the criterion is
  evaluated exactly at every remaining row and the best row wins; nothing is approximated.
* **continuous or mixed spaces**: a pool of settings that satisfy every constraint and
  exclusion (scrambled Sobol points through each parameter's inverse distribution, so levels
  and categories are stratified too, plus random perturbations of the best settings run so
  far, where improvements usually are), the criterion evaluated on all of them, and the best
  few polished by a local optimizer in the encoded space: L-BFGS-B over the numeric columns
  (SLSQP with the linear constraints ``A z <= b`` when there are any), with the categorical
  columns held at the start's levels (every level is represented in the pool) and
  Integer/Discrete values relaxed, then rounded. A polished point that breaks an exclusion, or
  lands on a setting already chosen, is dropped; the result is never worse than the best pool
  point.

With ``fixed`` settings (``suggest(fixed={"temperature": 80})``) every pool point carries
them and the local optimizer moves only the other numeric columns.

The criterion ``f`` maps encoded settings ``(n, n_encoded)`` to values ``(n,)`` and is called on
whole arrays; gradients are forward differences computed in one vectorized call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from ..exceptions import SpaceError
from .space import Space

__all__ = ["Maximizer", "NoSettingLeft"]

_STEP = 1e-4
_FLOOR = -1e12  # NOTE: stands in for -inf (log EI of a certain non-improvement) in polishing


class NoSettingLeft(SpaceError):
    """Every setting the maximizer could offer is run, pending or already picked."""


class Maximizer:
    """Finds the setting with the largest criterion value.

    Parameters
    ----------
    space : Space
    candidates : ndarray of shape (n_rows, n_encoded), optional
        Encoded allowed settings not yet run (candidates mode).
    incumbents : ndarray of shape (k, n_encoded), optional
        Encoded best settings so far; the pool adds perturbations of them.
    n_pool : int, default=1024
        Size of the pool in continuous mode.
    n_starts : int, default=4
        Pool points polished by the local optimizer.
    maxiter : int, default=60
        Iterations per local optimization.
    fixed : mapping of str to value, optional
        Parameters held at one (valid, canonical) value in continuous mode; in candidates
        mode the caller passes only the rows that have them.
    """

    def __init__(
        self,
        space: Space,
        candidates: np.ndarray | None = None,
        incumbents: np.ndarray | None = None,
        *,
        n_pool: int = 1024,
        n_starts: int = 4,
        maxiter: int = 60,
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.space = space
        self.fixed = dict(fixed or {})
        self._held, self._held_values = space.encoded_values(self.fixed)
        self.candidates = candidates
        self.incumbents = np.zeros((0, space.n_encoded)) if incumbents is None else incumbents
        self.n_pool, self.n_starts, self.maxiter = n_pool, n_starts, maxiter
        self.numeric = np.array(
            [p.is_numeric for p in space.parameters for _ in range(p.n_encoded)]
        )
        self._linear = _encoded_constraints(space)

    # -- the pool ----------------------------------------------------------------------------

    def pool(
        self,
        rng: np.random.Generator,
        exclude: np.ndarray | None = None,
        rank: Callable[[np.ndarray], np.ndarray] | None = None,
        size: int = 1500,
    ) -> np.ndarray:
        """A finite set of feasible encoded settings, none in ``exclude``.

        In candidates mode, the remaining rows; when there are more than ``size``, the best
        half by ``rank`` and a random draw of the rest.

        Returns
        -------
        ndarray of shape (n_pool, n_encoded)
        """
        if self.candidates is None:
            return _without(self._continuous_pool(rng), exclude)
        Z = _without(self.candidates, exclude)
        if len(Z) <= size:
            return Z
        if rank is None:
            return Z[rng.choice(len(Z), size, replace=False)]
        order = np.argsort(-np.nan_to_num(rank(Z), nan=-np.inf))
        top, rest = order[: size // 2], order[size // 2 :]
        return Z[np.r_[top, rng.choice(rest, size - len(top), replace=False)]]

    def _continuous_pool(self, rng: np.random.Generator) -> np.ndarray:
        space = self.space
        sobol = qmc.Sobol(len(space.parameters), scramble=True, seed=rng)
        settings = space.from_unit(sobol.random(self.n_pool)).assign(**self.fixed)
        settings = settings[space.is_feasible(settings)]
        parts = [space._encode_valid(settings)]
        if len(settings) < self.n_pool // 4:
            extra = space.sample(self.n_pool // 4, rng, fixed=self.fixed, fewer_ok=True)
            parts.append(space._encode_valid(extra))
        if len(self.incumbents):
            parts.append(self._perturbations(rng, self.n_pool // 2))
        return np.unique(np.vstack(parts), axis=0)

    def _perturbations(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Random steps from the incumbents: Gaussian in the numeric columns (scale 0.02 to
        0.2), a new random level for each categorical parameter with probability 1/d."""
        space = self.space
        base = self.incumbents[rng.integers(len(self.incumbents), size=n)].copy()
        scale = np.exp(rng.uniform(np.log(0.02), np.log(0.2), size=(n, 1)))
        base[:, self.numeric] += scale * rng.standard_normal((n, int(self.numeric.sum())))
        for p, where in zip(space.parameters, space.encoded_slices.values(), strict=True):
            if not p.is_numeric:
                flip = rng.random(n) < 1.0 / len(space.parameters)
                level = rng.integers(p.n_encoded, size=int(flip.sum()))
                base[flip, where] = np.eye(p.n_encoded)[level]
        base[:, self._held] = self._held_values[self._held]
        settings = space.decode(np.clip(base, 0.0, 1.0))
        return space._encode_valid(settings[space.is_feasible(settings)])

    # -- maximizing ----------------------------------------------------------------------------

    def maximize(
        self,
        f: Callable[[np.ndarray], np.ndarray],
        rng: np.random.Generator,
        exclude: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float]:
        """The best encoded setting of ``f`` and its value.

        Raises
        ------
        SpaceError
            When no setting is left (every candidate run or excluded).
        """
        Z = (
            self.pool(rng, exclude)
            if self.candidates is None
            else _without(self.candidates, exclude)
        )
        if len(Z) == 0:
            raise NoSettingLeft(
                "no setting is left to suggest: every candidate has been run or is pending"
            )
        values = _safe(f(Z))
        best = int(np.argmax(values))
        if self.candidates is not None or not self.numeric.any():
            return Z[best], float(values[best])
        z_best, v_best = Z[best], float(values[best])
        starts = np.argsort(-values)[: self.n_starts]
        for z0 in Z[starts]:
            z = self._polish(f, z0)
            if z is None or (exclude is not None and len(_without(z[None], exclude)) == 0):
                continue
            value = float(_safe(f(z[None]))[0])
            if value > v_best:
                z_best, v_best = z, value
        return z_best, v_best

    def _polish(self, f: Callable, z0: np.ndarray) -> np.ndarray | None:
        """Local ascent over the numeric columns from ``z0``; ``None`` if it ends infeasible."""
        idx = np.flatnonzero(self.numeric & ~self._held)
        d = len(idx)
        if d == 0:
            return z0.copy()

        def negative(x: np.ndarray) -> tuple[float, np.ndarray]:
            step = np.where(x + _STEP <= 1.0, _STEP, -_STEP)
            Z = np.repeat(z0[None, :], d + 1, axis=0)
            Z[:, idx] = x
            Z[np.arange(1, d + 1), idx] += step
            values = _safe(f(Z))
            return -values[0], -(values[1:] - values[0]) / step

        bounds = [(0.0, 1.0)] * d
        if self._linear is None:
            result = minimize(
                negative,
                z0[idx],
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": self.maxiter},
            )
        else:
            A, b = self._linear
            rest = np.ones(len(z0), dtype=bool)
            rest[idx] = False
            A_rest = A[:, rest] @ z0[rest]
            constraint = {
                "type": "ineq",
                "fun": lambda x: b - A_rest - A[:, idx] @ x,
                "jac": lambda x: -A[:, idx],
            }
            result = minimize(
                negative,
                z0[idx],
                jac=True,
                method="SLSQP",
                bounds=bounds,
                constraints=[constraint],
                options={"maxiter": self.maxiter},
            )
        z = z0.copy()
        z[idx] = np.clip(result.x, 0.0, 1.0)
        settings = self.space.decode(z[None])
        if not self.space.is_feasible(settings)[0]:
            return None
        return self.space._encode_valid(settings)[0]


def _safe(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), _FLOOR, np.maximum(values, _FLOOR))


def _without(Z: np.ndarray, exclude: np.ndarray | None) -> np.ndarray:
    """Rows of ``Z`` that are not (to 1e-9) rows of ``exclude``."""
    if exclude is None or len(exclude) == 0 or len(Z) == 0:
        return Z
    d2 = ((Z[:, None, :] - exclude[None, :, :]) ** 2).sum(-1)
    return Z[d2.min(axis=1) > 1e-18]


def _encoded_constraints(space: Space) -> tuple[np.ndarray, np.ndarray] | None:
    """``A z <= b`` in encoded coordinates, or None (no constraints, or not linear in z)."""
    if not space.constraints:
        return None
    try:
        return space.linear_constraints_encoded()
    except SpaceError:  # a log-scaled parameter: rely on the feasibility check instead
        return None
