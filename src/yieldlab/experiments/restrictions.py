"""The restrictions of a space: linear constraints and excluded combinations (layer 4).

:class:`RestrictionsMixin` gives :class:`.Space` everything about its restrictions: the
checks that each constraint and exclusion fits the parameters (when the space is built),
the messages for settings that break one, :meth:`~RestrictionsMixin.is_feasible`, and the
constraints in encoded coordinates for an acquisition optimizer.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import closest_name
from ..exceptions import SpaceError
from .constraints import Exclusion, LinearConstraint
from .parameters import Parameter, _plain
from .specs import spec_error

__all__ = ["RestrictionsMixin"]


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_interval(i: int, name: str, interval: dict, p: Parameter, path: tuple) -> None:
    """Refuse an excluded interval that can exclude nothing: its ends swapped, or wholly
    outside the parameter's range (a typo, or the wrong unit)."""
    low, high = interval.get("low", -np.inf), interval.get("high", np.inf)
    if low > high:
        raise spec_error(
            f"exclude[{i}]: the interval of {name!r} {interval!r} is empty (low above "
            "high); swap its ends",
            path,
        )
    first, last = p.bounds
    if low > last or high < first:
        raise spec_error(
            f"exclude[{i}]: the interval of {name!r} {interval!r} lies outside its range "
            f"{first:g} to {last:g}, so it excludes nothing; correct it (the unit?) or leave "
            "it out",
            path,
        )


class RestrictionsMixin:
    """Constraints and exclusions of a :class:`.Space` (a mixin; the space sets the attributes).

    Attributes
    ----------
    constraints : tuple of LinearConstraint
    exclusions : tuple of Exclusion
    """

    parameters: tuple[Parameter, ...]
    constraints: tuple[LinearConstraint, ...]
    exclusions: tuple[Exclusion, ...]
    _by_name: dict[str, Parameter]

    # -- construction checks -------------------------------------------------------------

    def _known(self, name: str, what: str, path: tuple) -> Parameter:
        if name not in self._by_name:
            hint = closest_name(name, self.names)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise spec_error(
                f"{what} uses {name!r}, which is not a parameter; the parameters are "
                f"{self.names}{did_you_mean}",
                path,
            )
        return self._by_name[name]

    def _check_not_all_excluded(self) -> None:
        """Refuse exclusions that together leave no allowed combination of the levels they
        name (checked when those levels have at most 100,000 combinations)."""
        leveled = [
            e
            for e in self.exclusions
            if all(
                hasattr(self._by_name[n], "values") and not isinstance(c, dict)
                for n, c in e.conditions.items()
            )
        ]
        names = sorted({n for e in leveled for n in e.names}, key=self.names.index)
        if not names:
            return
        sizes = [len(self._by_name[n].values) for n in names]
        if np.prod(sizes, dtype=float) > 1e5:
            return
        grid = pd.DataFrame(
            list(itertools.product(*(self._by_name[n].values for n in names))), columns=names
        )
        excluded = np.zeros(len(grid), dtype=bool)
        for e in leveled:
            excluded |= e.matches(grid)
        if excluded.all():
            raise SpaceError(
                f"the exclusions leave no allowed combination of {names} (all {len(grid)} "
                "are excluded); remove or narrow an exclusion"
            )

    def _constraint(self, i: int, constraint: Any) -> LinearConstraint:
        path = ("constraints", i)
        try:
            if isinstance(constraint, str):
                constraint = LinearConstraint.parse(constraint)
            elif isinstance(constraint, Mapping):
                constraint = LinearConstraint.from_dict(constraint)
        except (SpaceError, KeyError, TypeError, ValueError) as exc:
            raise spec_error(f"constraints[{i}]: {exc}", path) from None
        if not isinstance(constraint, LinearConstraint):
            raise TypeError(f"constraints[{i}] = {constraint!r} is not a LinearConstraint or str")
        what = f"constraint {str(constraint)!r}"
        low = high = 0.0
        for name, coef in constraint.coefficients.items():
            p = self._known(name, what, path)
            if not p.is_numeric:
                raise spec_error(f"{what}: {name!r} is categorical; only numbers can add", path)
            low += min(coef * p.bounds[0], coef * p.bounds[1])
            high += max(coef * p.bounds[0], coef * p.bounds[1])
        reachable = low if constraint.operator == "<=" else -high
        rhs = constraint.rhs if constraint.operator == "<=" else -constraint.rhs
        if reachable > rhs + 1e-9 * (1 + abs(rhs)):
            raise spec_error(
                f"{what} can never hold within the parameter bounds (the left side is at "
                f"least {low!r} and at most {high!r})",
                path,
            )
        return constraint

    def _exclusion(self, i: int, exclusion: Any) -> Exclusion:
        path = ("exclude", i)
        try:
            exclusion = exclusion if isinstance(exclusion, Exclusion) else Exclusion(exclusion)
        except (SpaceError, TypeError) as exc:
            raise spec_error(f"exclude[{i}]: {exc}", path) from None
        conditions: dict[str, Any] = {}
        for name, condition in exclusion.conditions.items():
            p = self._known(name, f"exclusion {exclusion!r}", path)
            if isinstance(condition, dict):
                if not p.is_numeric:
                    raise spec_error(f"exclude[{i}]: {name!r} is categorical; list levels", path)
                _check_interval(i, name, condition, p, path)
                conditions[name] = condition
                continue
            values = list(condition) if isinstance(condition, tuple) else [condition]
            if not p.contains(values).all():
                bad = [v for v, ok in zip(values, p.contains(values), strict=True) if not ok]
                raise spec_error(
                    f"exclude[{i}]: {bad[0]!r} is not a setting of {name!r} ({p!r})", path
                )
            # as the settings are stored ('2' of an Integer is 2, 'True' of a bool level
            # True), or the exclusion would never match them
            canonical = [
                v if p.is_numeric and _is_number(v) else _plain(c)
                for v, c in zip(values, p.validate(values), strict=True)
            ]
            conditions[name] = tuple(canonical) if isinstance(condition, tuple) else canonical[0]
        return Exclusion(conditions)

    # -- feasibility ---------------------------------------------------------------------

    @property
    def has_restrictions(self) -> bool:
        """Whether there are constraints or exclusions."""
        return bool(self.constraints or self.exclusions)

    def _check_restrictions(self, valid: pd.DataFrame, where: str | None) -> None:
        """Raise for the first row of valid settings that breaks a constraint or exclusion."""
        prefix = f"{where}, " if where else ""
        for constraint in self.constraints:
            bad = np.flatnonzero(~constraint.is_satisfied(valid))
            if bad.size:
                row = int(bad[0])
                lhs = constraint.lhs(valid.iloc[[row]])[0]
                raise SpaceError(
                    f"{prefix}row {row}: the settings violate the constraint '{constraint}' "
                    f"(the left side is {lhs:.6g}); {bad.size} row(s) violate it in all"
                )
        for exclusion in self.exclusions:
            bad = np.flatnonzero(exclusion.matches(valid))
            if bad.size:
                row = int(bad[0])
                combination = {k: _plain(valid[k].iloc[row]) for k in exclusion.names}
                raise SpaceError(
                    f"{prefix}row {row}: the combination {combination!r} is excluded by "
                    f"{exclusion!r}; {bad.size} row(s) are excluded in all"
                )

    def is_feasible(self, settings: Any) -> np.ndarray:
        """Which rows are valid settings that satisfy all constraints and exclusions.

        Never raises for bad values (they are infeasible); missing columns raise.

        Returns
        -------
        ndarray of bool, shape (n_samples,)
        """
        frame = self._frame(settings, None)
        self._check_columns(frame, None, allow_extra=True)
        ok = np.ones(len(frame), dtype=bool)
        for p in self.parameters:
            ok &= p.contains(frame[p.name].to_numpy())
        return ok & self._satisfies(frame)

    def _satisfies(self, settings: pd.DataFrame) -> np.ndarray:
        """Constraints and exclusions of settings that are valid parameter values."""
        ok = np.ones(len(settings), dtype=bool)
        for constraint in self.constraints:
            ok &= constraint.is_satisfied(settings)
        for exclusion in self.exclusions:
            ok &= ~exclusion.matches(settings)
        return ok

    def linear_constraints_encoded(self) -> tuple[np.ndarray, np.ndarray]:
        """The constraints in encoded coordinates, ``A @ z <= b``.

        For an acquisition optimizer: with ``x = low + (high - low) * u`` for every numeric
        parameter, ``sum c_j x_j <= rhs`` is linear in the encoded ``z`` (a ``>=`` row is
        negated). Rounding of Integer and Discrete values after decoding can still cross the
        boundary; check :meth:`is_feasible` after :meth:`decode`.

        Returns
        -------
        A : ndarray of shape (n_constraints, n_encoded)
        b : ndarray of shape (n_constraints,)

        Raises
        ------
        SpaceError
            When a constraint involves a log-scaled parameter (not linear in ``z``).
        """
        slices = self.encoded_slices
        A = np.zeros((len(self.constraints), self.n_encoded))
        b = np.zeros(len(self.constraints))
        for i, constraint in enumerate(self.constraints):
            sign = 1.0 if constraint.operator == "<=" else -1.0
            b[i] = constraint.rhs
            for name, coef in constraint.coefficients.items():
                p = self[name]
                if getattr(p, "log", False):
                    raise SpaceError(
                        f"constraint '{constraint}' involves the log-scaled {p!r}; it is not "
                        "linear in the encoded coordinates. Use is_feasible() instead"
                    )
                low, high = p.bounds
                A[i, slices[name].start] = coef * (high - low)
                b[i] -= coef * low
            A[i] *= sign
            b[i] *= sign
        return A, b
