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

The restrictions (checks, feasibility, encoded constraints) come from
:class:`.restrictions.RestrictionsMixin`, the ways to draw settings (``sample``,
``from_unit``, ``grid``) from :class:`.sampling.SamplingMixin`, and the parameters a table
of allowed settings implies from :mod:`.candidates`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import check_output_file, write_atomically
from .._validation import closest_name
from ..exceptions import SpaceError
from .candidates import infer_parameters
from .constraints import Exclusion, LinearConstraint
from .parameters import Parameter
from .restrictions import RestrictionsMixin
from .sampling import SamplingMixin
from .specs import spec_error

__all__ = ["Space"]


class Space(RestrictionsMixin, SamplingMixin):
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
    >>> from yieldlab.experiments.levels import Categorical
    >>> from yieldlab.experiments.ranges import Real
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
        self._check_not_all_excluded()

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

    def encoded_values(self, values: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The encoded columns of some parameters' (valid) values: a mask of the columns and
        a row holding them, each of shape (n_encoded,); ``Z[:, mask] = row[mask]`` puts the
        values into encoded settings ``Z``."""
        mask, row = np.zeros(self.n_encoded, dtype=bool), np.zeros(self.n_encoded)
        for name, value in values.items():
            where = self.encoded_slices[name]
            mask[where], row[where] = True, self[name].encode([value])[0]
        return mask, row

    @property
    def continuous_mask(self) -> np.ndarray:
        """Boolean array of shape (n_encoded,): True for the columns of Real parameters,
        where every value in [0, 1] is a valid setting (others need :meth:`project`)."""
        return np.array([p.is_continuous for p in self.parameters for _ in range(p.n_encoded)])

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
        self._check_restrictions(out, where)
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

    # -- other constructors and serialization ---------------------------------------------

    @classmethod
    def from_candidates(
        cls,
        candidates: pd.DataFrame,
        *,
        columns: Sequence[str] | None = None,
        max_levels: int = 20,
        parameters: Sequence[Parameter] = (),
        descriptors: Mapping[str, Any] | None = None,
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
        descriptors : mapping, optional
            ``{categorical column: descriptors of its levels}``, each a DataFrame indexed by
            the levels or the path of a CSV file (see :class:`Categorical`; not a mapping of
            lists, as the inferred levels are sorted).

        Returns
        -------
        Space

        Raises
        ------
        SpaceError
            For a missing value, an unknown column, candidates outside a given parameter, or
            descriptors for a column that is not categorical, given twice or as lists.
        TypeError, ValueError
            For bad descriptors (naming the level and the descriptor).

        Examples
        --------
        >>> table = pd.DataFrame({"base": ["KOAc", "CsOAc"] * 3, "T": [90, 105, 120] * 2})
        >>> Space.from_candidates(table)
        Space([Categorical('base', ['CsOAc', 'KOAc']), Discrete('T', [90, 105, 120])])
        """
        params = infer_parameters(
            candidates,
            columns=columns,
            max_levels=max_levels,
            parameters=parameters,
            descriptors=descriptors,
        )
        space = cls(params)
        space.validate(candidates[[p.name for p in params]], where="candidates")
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
        """Write the space as a YAML file that :meth:`from_yaml` reads back.

        Raises
        ------
        StoreError
            When ``path`` is a campaign file (its experiments would be lost) or cannot be
            written; the file is written whole or not at all.
        """
        import yaml

        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        check_output_file(path, suffix=".yaml")
        write_atomically(
            path, lambda name: Path(name).write_text(text, encoding="utf-8"), "the space file"
        )
