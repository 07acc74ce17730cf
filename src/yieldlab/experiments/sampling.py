"""Drawing settings from a space: random, from the unit cube, or a full grid (layer 4).

:class:`SamplingMixin` gives :class:`.Space` its ways to draw settings in user units:
uniform (log-uniform) random settings, by rejection inside the constraints and
exclusions; settings from points of the unit cube (each parameter's inverse distribution
function, so Latin hypercube and Sobol points give stratified settings); and the full
factorial grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_rng
from ..exceptions import SpaceError
from .parameters import Parameter

__all__ = ["SamplingMixin"]

_MAX_GRID = 1_000_000
# a space with at most this many settings is planned by picking among all of them
_MAX_SETTINGS = 20_000


class SamplingMixin:
    """Settings drawn from a :class:`.Space` (a mixin; the space sets ``parameters``)."""

    parameters: tuple[Parameter, ...]

    def sample(
        self,
        n: int,
        rng: Any = None,
        *,
        max_draws: int | None = None,
        fixed: Mapping[str, Any] | None = None,
        fewer_ok: bool = False,
    ) -> pd.DataFrame:
        """``n`` uniform random settings that satisfy the constraints and exclusions.

        Each parameter is drawn uniformly (log-uniformly when ``log=True``); restricted
        spaces are sampled by rejection.

        Parameters
        ----------
        n : int
            Number of settings.
        rng : None, int or numpy.random.Generator
            Seed or generator.
        max_draws : int, optional
            Budget of draws for rejection; default ``max(100_000, 1000 * n)``.
        fixed : mapping of str to value, optional
            Parameters held at one (valid, canonical) value; the others are drawn, half of
            each batch with coordinates on their bounds, where a held value next to a
            constraint may leave the only room.
        fewer_ok : bool, default=False
            Return the settings found when the budget runs out before ``n`` (none: empty)
            instead of raising.

        Returns
        -------
        DataFrame of shape (n, n_parameters)

        Raises
        ------
        SpaceError
            When the feasible region is too small to find ``n`` settings within the budget
            (unless ``fewer_ok``).
        """
        n = _check_count("n", n)
        rng = check_rng(rng)
        if not self.has_restrictions or n == 0:
            return self._draw(n, rng, fixed)
        budget = max_draws if max_draws is not None else max(100_000, 1000 * n)
        parts, found, drawn, batch = [], 0, 0, max(2 * n, 256)
        while found < n and drawn < budget:
            batch = int(min(batch, budget - drawn))
            draw = self._draw(batch, rng, fixed)
            keep = draw[self._satisfies(draw)]
            parts.append(keep)
            found, drawn = found + len(keep), drawn + batch
            rate = max(found, 1) / drawn
            batch = min(int(1.2 * (n - found) / rate) + 16, 100_000)
        if found < n and fewer_ok:
            return pd.concat(parts, ignore_index=True)
        if found < n:
            raise SpaceError(
                f"could only draw {found} of {n} feasible settings in {drawn} random draws "
                f"(feasible fraction about {found / drawn:.2g}); the constraints and exclusions "
                "leave too small a region for rejection sampling. Loosen them, or give a table "
                "of allowed settings (Space.from_candidates, Campaign(candidates=...))"
            )
        return pd.concat(parts, ignore_index=True).iloc[:n]

    def _draw(
        self, n: int, rng: np.random.Generator, fixed: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        U = rng.random((n, len(self.parameters)))
        if not fixed:
            return self.from_unit(U)
        corner = rng.random(U.shape) < 0.5
        corner[: n // 2] = False
        U[corner] = np.where(rng.random(int(corner.sum())) < 0.5, 0.0, 1.0 - 1e-12)
        return self.from_unit(U).assign(**fixed)

    def from_unit(self, U: Any) -> pd.DataFrame:
        """Settings from points of the unit cube, one column per parameter.

        ``U[:, j]`` goes through parameter ``j``'s inverse distribution function, so uniform,
        Latin hypercube or Sobol points give uniform or stratified settings (levels included).

        Parameters
        ----------
        U : array-like of shape (n_samples, n_parameters)

        Returns
        -------
        DataFrame of shape (n_samples, n_parameters)
        """
        U = np.asarray(U, dtype=float).reshape(-1, len(self.parameters))
        return pd.DataFrame({p.name: p.from_unit(U[:, j]) for j, p in enumerate(self)})

    def grid(
        self, levels: int | Mapping[str, int] | None = None, *, feasible_only: bool = True
    ) -> pd.DataFrame:
        """Every combination of each parameter's grid (a full factorial).

        Parameters
        ----------
        levels : int or mapping of str to int, optional
            Levels per Real/Integer parameter (default 3), or per name; Discrete and
            Categorical parameters use all their levels unless named.
        feasible_only : bool, default=True
            Drop combinations that violate a constraint or an exclusion.

        Returns
        -------
        DataFrame of shape (n_combinations, n_parameters)
        """
        if isinstance(levels, Mapping):
            for name in levels:
                self._known(str(name), "levels", ())
            grids = [p.grid(levels.get(p.name)) for p in self]
        else:
            grids = [p.grid(levels if p.kind in ("real", "integer") else None) for p in self]
        size = math.prod(len(g) for g in grids)
        if size > _MAX_GRID:
            raise SpaceError(
                f"the full grid has {size:,} combinations (more than {_MAX_GRID:,}); use fewer "
                "levels or a sampled design (method='lhs' or 'd-optimal')"
            )
        index = np.indices([len(g) for g in grids]).reshape(len(grids), -1)
        frame = pd.DataFrame({p.name: g[i] for p, g, i in zip(self, grids, index, strict=True)})
        return frame[self._satisfies(frame)].reset_index(drop=True) if feasible_only else frame

    def settings(self, limit: int = _MAX_SETTINGS) -> pd.DataFrame | None:
        """Every allowed setting of a space with finitely many (levels only: Integer,
        Discrete and Categorical parameters), or None when a parameter is continuous or
        there are more than ``limit`` combinations.

        Returns
        -------
        DataFrame or None
            The combinations that satisfy the constraints and exclusions, in grid order.

        Examples
        --------
        >>> from yieldlab.experiments import Categorical, Integer, Space
        >>> len(Space([Integer("n", 1, 3), Categorical("c", ["A", "B"])]).settings())
        6
        """
        if any(p.is_continuous for p in self):
            return None
        counts = {
            p.name: int(p.high - p.low + 1) if p.kind == "integer" else len(p.values) for p in self
        }
        if math.prod(counts.values()) > limit:
            return None
        return self.grid(counts)


def _check_count(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"{name}={n!r} is invalid; expected a non-negative integer")
    return int(n)
