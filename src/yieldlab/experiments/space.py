"""The space of allowed settings: parameters, constraints and exclusions (layer 4).

A :class:`Space` holds the two named representations of settings used throughout the
experiments layer:

* **settings** (user units): a DataFrame with one column per parameter;
* **encoded**: an array of shape ``(n_samples, n_encoded)`` with every numeric parameter in
  ``[0, 1]`` and every categorical one one-hot (see :mod:`.parameters`), the input of
  surrogate models and acquisition optimizers.

``encode`` validates; ``decode`` maps any encoded array (an optimizer's continuous
candidate) to the nearest valid settings per parameter; ``project`` is the two together;
``is_feasible`` then tells whether the constraints and exclusions hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_rng, closest_name
from ..exceptions import SpaceError
from .constraints import Exclusion, LinearConstraint
from .parameters import (
    Categorical,
    Discrete,
    Integer,
    Parameter,
    Real,
    _plain,
    spec_error,
)

__all__ = ["Space"]

_MAX_GRID = 1_000_000


class Space:
    """Parameters, linear constraints and excluded combinations.

    Parameters
    ----------
    parameters : sequence of Parameter
        :class:`Real`, :class:`Integer`, :class:`Discrete`, :class:`Categorical`; distinct
        names.
    constraints : sequence of LinearConstraint, str or dict, default=()
        Linear inequalities over numeric parameters, e.g. ``"a + b <= 1"``.
    exclude : sequence of Exclusion or dict, default=()
        Combinations that may not occur, e.g. ``{"catalyst": "Cu", "temperature":
        {"low": 150}}``.

    Examples
    --------
    >>> space = Space(
    ...     [Real("a", 0, 1), Real("b", 0, 1), Categorical("solvent", ["water", "ethanol"])],
    ...     constraints=["a + b <= 1"],
    ... )
    >>> space.encoded_names
    ['a', 'b', 'solvent=water', 'solvent=ethanol']
    >>> settings = pd.DataFrame({"a": [0.2], "b": [0.5], "solvent": ["ethanol"]})
    >>> space.encode(settings).tolist()
    [[0.2, 0.5, 0.0, 1.0]]
    >>> space.is_feasible(pd.DataFrame({"a": [0.7], "b": [0.5], "solvent": ["water"]}))
    array([False])
    """

    def __init__(
        self,
        parameters: Sequence[Parameter],
        constraints: Iterable[LinearConstraint | str | Mapping] = (),
        exclude: Iterable[Exclusion | Mapping] = (),
    ) -> None:
        if isinstance(parameters, Parameter | str) or not isinstance(parameters, Iterable):
            raise TypeError(
                f"parameters={parameters!r} has the wrong type; expected a list such as "
                "[Real('temperature', 20, 120), Categorical('catalyst', ['A', 'B'])]"
            )
        parameters = tuple(parameters)
        for i, p in enumerate(parameters):
            if not isinstance(p, Parameter):
                raise spec_error(
                    f"parameters[{i}] = {p!r} is not a parameter; expected Real, Integer, "
                    "Discrete or Categorical",
                    ("parameters", i),
                )
        if not parameters:
            raise SpaceError("the space has no parameters; expected at least one")
        names = [p.name for p in parameters]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise spec_error(f"parameter name {name!r} is used twice", ("parameters", i))
        self.parameters: tuple[Parameter, ...] = parameters
        self._by_name = dict(zip(names, parameters, strict=True))
        self.constraints = tuple(self._constraint(i, c) for i, c in enumerate(constraints))
        self.exclusions = tuple(self._exclusion(i, e) for i, e in enumerate(exclude))

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
        for name, condition in exclusion.conditions.items():
            p = self._known(name, f"exclusion {exclusion!r}", path)
            if isinstance(condition, dict):
                if not p.is_numeric:
                    raise spec_error(f"exclude[{i}]: {name!r} is categorical; list levels", path)
                continue
            values = list(condition) if isinstance(condition, tuple) else [condition]
            if not p.contains(values).all():
                bad = [v for v, ok in zip(values, p.contains(values), strict=True) if not ok]
                raise spec_error(
                    f"exclude[{i}]: {bad[0]!r} is not a setting of {name!r} ({p!r})", path
                )
        return exclusion

    # -- description ---------------------------------------------------------------------

    def __repr__(self) -> str:
        extra = f", constraints={[str(c) for c in self.constraints]!r}" if self.constraints else ""
        extra += f", exclude={[e.to_dict() for e in self.exclusions]!r}" if self.exclusions else ""
        return f"Space({list(self.parameters)!r}{extra})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.parameters)

    def __iter__(self):
        return iter(self.parameters)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Parameter:
        if name not in self._by_name:
            hint = closest_name(str(name), self.names)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise KeyError(f"{name!r} is not a parameter of the space{did_you_mean}")
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        """Parameter names, in order."""
        return list(self._by_name)

    @property
    def numeric_names(self) -> list[str]:
        return [p.name for p in self.parameters if p.is_numeric]

    @property
    def categorical_names(self) -> list[str]:
        return [p.name for p in self.parameters if not p.is_numeric]

    @property
    def encoded_names(self) -> list[str]:
        """Names of the encoded columns (``'name'`` or ``'name=level'``)."""
        return [n for p in self.parameters for n in p.encoded_names]

    @property
    def n_encoded(self) -> int:
        return sum(p.n_encoded for p in self.parameters)

    @property
    def encoded_slices(self) -> dict[str, slice]:
        """Parameter name -> its columns in the encoded array."""
        out, start = {}, 0
        for p in self.parameters:
            out[p.name] = slice(start, start + p.n_encoded)
            start += p.n_encoded
        return out

    @property
    def continuous_mask(self) -> np.ndarray:
        """Boolean array of shape (n_encoded,): True for the columns of Real parameters,
        where every value in [0, 1] is a valid setting (others need :meth:`project`)."""
        return np.array([p.is_continuous for p in self.parameters for _ in range(p.n_encoded)])

    @property
    def has_restrictions(self) -> bool:
        """Whether there are constraints or exclusions."""
        return bool(self.constraints or self.exclusions)

    # -- the two representations ---------------------------------------------------------

    def _frame(self, settings: Any, where: str | None) -> pd.DataFrame:
        if isinstance(settings, pd.DataFrame):
            frame = settings
        elif isinstance(settings, Mapping) or (
            isinstance(settings, list) and all(isinstance(r, Mapping) for r in settings)
        ):
            frame = pd.DataFrame(settings)
        else:
            raise TypeError(
                f"{where or 'settings'} has the wrong type {type(settings).__name__}; expected a "
                f"pandas DataFrame with the columns {self.names}"
            )
        if frame.columns.duplicated().any():
            duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
            raise SpaceError(f"{where or 'settings'} has duplicate columns {duplicated}")
        return frame

    def _check_columns(self, frame: pd.DataFrame, where: str | None, allow_extra: bool) -> None:
        label = where or "the settings"
        present = [str(c) for c in frame.columns]
        extra = [c for c in present if c not in self._by_name]
        for name in self.names:
            if name not in frame.columns:
                hint = closest_name(name, extra)
                did_you_mean = f"; did you mean {hint!r}?" if hint else ""
                raise SpaceError(
                    f"{label} has no column {name!r} (parameter {self[name]!r})"
                    f"{did_you_mean}; the columns are {present}"
                )
        if extra and not allow_extra:
            hint = closest_name(extra[0], self.names)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise SpaceError(
                f"{label} has the unknown column {extra[0]!r}{did_you_mean}; expected only the "
                f"parameters {self.names}"
            )

    def validate(
        self, settings: Any, *, where: str | None = None, allow_extra: bool = False
    ) -> pd.DataFrame:
        """Check settings against the space and return them in canonical form.

        Parameters
        ----------
        settings : DataFrame of shape (n_samples, n_columns)
            One column per parameter (plus others when ``allow_extra``).
        where : str, optional
            Where the table comes from (``'results.csv'``), for the messages.
        allow_extra : bool, default=False
            Ignore columns that are not parameters (objectives, notes).

        Returns
        -------
        DataFrame of shape (n_samples, n_parameters)
            The parameter columns in space order, the same index, canonical values and dtypes
            (float64, int64 for Integer, object for Categorical).

        Raises
        ------
        SpaceError
            Missing or unknown column (with the closest name), a missing value, a value outside
            the bounds, an unknown level, or a violated constraint or exclusion (naming the
            row and the column or the constraint).
        """
        frame = self._frame(settings, where)
        self._check_columns(frame, where, allow_extra)
        columns = {p.name: p.validate(frame[p.name].to_numpy(), where=where) for p in self}
        out = pd.DataFrame(columns, index=frame.index)
        prefix = f"{where}, " if where else ""
        for constraint in self.constraints:
            bad = np.flatnonzero(~constraint.is_satisfied(out))
            if bad.size:
                row = int(bad[0])
                lhs = constraint.lhs(out.iloc[[row]])[0]
                raise SpaceError(
                    f"{prefix}row {row}: the settings violate the constraint '{constraint}' "
                    f"(the left side is {lhs:.6g}); {bad.size} row(s) violate it in all"
                )
        for exclusion in self.exclusions:
            bad = np.flatnonzero(exclusion.matches(out))
            if bad.size:
                row = int(bad[0])
                combination = {k: _plain(out[k].iloc[row]) for k in exclusion.names}
                raise SpaceError(
                    f"{prefix}row {row}: the combination {combination!r} is excluded by "
                    f"{exclusion!r}; {bad.size} row(s) are excluded in all"
                )
        return out

    def encode(self, settings: Any, *, where: str | None = None) -> np.ndarray:
        """Validate settings and encode them (other columns are ignored).

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)
        """
        valid = self.validate(settings, where=where, allow_extra=True)
        return self._encode_valid(valid)

    def _encode_valid(self, valid: pd.DataFrame) -> np.ndarray:
        if len(valid) == 0:
            return np.zeros((0, self.n_encoded))
        return np.hstack([p._encode(valid[p.name].to_numpy()) for p in self.parameters])

    def decode(self, Z: Any) -> pd.DataFrame:
        """Nearest valid settings of encoded rows (clip, round, largest one-hot entry).

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_encoded)

        Returns
        -------
        DataFrame of shape (n_samples, n_parameters)
            Settings in user units; constraints and exclusions are not enforced (check
            with :meth:`is_feasible`).
        """
        Z = np.asarray(Z, dtype=float)
        if Z.ndim != 2 or Z.shape[1] != self.n_encoded:
            raise ValueError(
                f"Z must have shape (n_samples, {self.n_encoded}) (columns "
                f"{self.encoded_names}); got shape {Z.shape}"
            )
        if np.isnan(Z).any():
            raise ValueError("Z contains NaN; expected finite encoded values")
        slices = self.encoded_slices
        return pd.DataFrame({p.name: p.decode(Z[:, slices[p.name]]) for p in self.parameters})

    def project(self, Z: Any) -> np.ndarray:
        """``encode(decode(Z))``: each encoded row moved to its nearest valid setting.

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)
        """
        return self._encode_valid(self.decode(Z))

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

    # -- drawing settings ----------------------------------------------------------------

    def sample(self, n: int, rng: Any = None, *, max_draws: int | None = None) -> pd.DataFrame:
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

        Returns
        -------
        DataFrame of shape (n, n_parameters)

        Raises
        ------
        SpaceError
            When the feasible region is too small to find ``n`` settings within the budget.
        """
        n = _check_count("n", n)
        rng = check_rng(rng)
        if not self.has_restrictions or n == 0:
            return self._draw(n, rng)
        budget = max_draws if max_draws is not None else max(100_000, 1000 * n)
        parts, found, drawn, batch = [], 0, 0, max(2 * n, 256)
        while found < n and drawn < budget:
            batch = int(min(batch, budget - drawn))
            draw = self._draw(batch, rng)
            keep = draw[self._satisfies(draw)]
            parts.append(keep)
            found, drawn = found + len(keep), drawn + batch
            rate = max(found, 1) / drawn
            batch = min(int(1.2 * (n - found) / rate) + 16, 100_000)
        if found < n:
            raise SpaceError(
                f"could only draw {found} of {n} feasible settings in {drawn} random draws "
                f"(feasible fraction about {found / drawn:.2g}); the constraints and exclusions "
                "leave too small a region for rejection sampling. Loosen them, or give a table "
                "of allowed settings (Space.from_candidates, Campaign(candidates=...))"
            )
        return pd.concat(parts, ignore_index=True).iloc[:n]

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        return self.from_unit(rng.random((n, len(self.parameters))))

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

    # -- other constructors and serialization ---------------------------------------------

    @classmethod
    def from_candidates(
        cls,
        candidates: pd.DataFrame,
        *,
        columns: Sequence[str] | None = None,
        max_levels: int = 20,
        parameters: Sequence[Parameter] = (),
    ) -> Space:
        """Infer a space from a table of allowed settings (one row per allowed setting).

        Rules per column: text, boolean or category -> :class:`Categorical` (levels sorted);
        integers -> :class:`Integer` when they fill ``low..high`` or have more than
        ``max_levels`` distinct values, else :class:`Discrete`; other numbers ->
        :class:`Discrete` with at most ``max_levels`` distinct values, else :class:`Real`
        over their range.

        Parameters
        ----------
        candidates : DataFrame
            The allowed settings.
        columns : sequence of str, optional
            Columns that are parameters; default all (leave out objectives and notes).
        max_levels : int, default=20
            Most distinct values a numeric column may have to become Discrete.
        parameters : sequence of Parameter, optional
            Explicit definitions for some columns, used instead of the inferred ones; the
            candidates must lie inside them.

        Returns
        -------
        Space

        Raises
        ------
        SpaceError
            For a missing value, an unknown column, or candidates outside a given parameter.

        Examples
        --------
        >>> table = pd.DataFrame({"base": ["KOAc", "CsOAc"] * 3, "T": [90, 105, 120] * 2})
        >>> Space.from_candidates(table)
        Space([Categorical('base', ['CsOAc', 'KOAc']), Discrete('T', [90, 105, 120])])
        """
        if not isinstance(candidates, pd.DataFrame):
            raise TypeError("candidates must be a pandas DataFrame of allowed settings")
        columns = [str(c) for c in candidates.columns] if columns is None else list(columns)
        given = {p.name: p for p in parameters}
        for name in [*columns, *given]:
            if name not in candidates.columns:
                hint = closest_name(name, [str(c) for c in candidates.columns])
                did_you_mean = f"; did you mean {hint!r}?" if hint else ""
                raise SpaceError(f"the candidates have no column {name!r}{did_you_mean}")
        columns += [name for name in given if name not in columns]
        params = [given.get(c) or _infer(candidates[c], c, max_levels) for c in columns]
        space = cls(params)
        space.validate(candidates[columns], where="candidates")
        return space

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON/YAML-friendly); :meth:`from_dict` inverts it."""
        out: dict[str, Any] = {"parameters": [p.to_dict() for p in self]}
        if self.constraints:
            out["constraints"] = [str(c) for c in self.constraints]
        if self.exclusions:
            out["exclude"] = [e.to_dict() for e in self.exclusions]
        return out

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Space:
        """Build a space from :meth:`to_dict`'s output (an ``objectives`` key is ignored).

        Raises
        ------
        SpaceError
            Naming the entry (``parameters[1]``) and the key at fault.
        """
        from .spacefile import space_from_spec

        try:
            return space_from_spec(spec)[0]
        except SpaceError as exc:
            path = getattr(exc, "path", ())
            where = "".join(f"[{p!r}]" for p in path)
            raise SpaceError(f"space{where}: {exc}" if where else str(exc)) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Space:
        """Read a YAML space file (see :func:`.spacefile.read_space_file` for the format).

        Errors name the file, the line and the key.
        """
        from .spacefile import read_space_file

        return read_space_file(path)[0]

    def to_yaml(self, path: str | Path) -> None:
        """Write the space as a YAML file that :meth:`from_yaml` reads back."""
        import yaml

        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        Path(path).write_text(text, encoding="utf-8")


def _check_count(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"{name}={n!r} is invalid; expected a non-negative integer")
    return int(n)


def _infer(column: pd.Series, name: str, max_levels: int) -> Parameter:
    missing = np.flatnonzero(column.isna().to_numpy())
    if missing.size:
        raise SpaceError(
            f"candidates, row {int(missing[0])}, column {name!r}: the value is missing; every "
            "allowed setting needs a value for every parameter"
        )
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        levels = sorted(pd.unique(column.to_numpy()), key=lambda v: (str(type(v)), v))
        return Categorical(name, levels)
    levels = np.unique(column.to_numpy(dtype=float))
    if pd.api.types.is_integer_dtype(column):
        low, high = int(levels[0]), int(levels[-1])
        fills = len(levels) == high - low + 1 and len(levels) > 1
        if fills or len(levels) > max_levels:
            return Integer(name, low, high)
        return Discrete(name, [int(v) for v in levels])
    if len(levels) <= max_levels:
        return Discrete(name, levels.tolist())
    return Real(name, float(levels[0]), float(levels[-1]))
