"""Parameters held at one value: ``fixed`` and ``shared`` (layer 4).

A campaign's questions can hold parameters: ``suggest(fixed={"temperature": 80})`` plans a
batch at the temperature the oven is at this week, ``best_predicted(fixed=...)`` asks for
the best setting with the catalyst in stock, and ``suggest(shared="temperature")`` lets the
campaign choose one temperature for the whole batch (a plate, a lot of catalyst). This
module checks what is given (:func:`check_fixed`, :func:`check_shared`), finds the rows that
have the held values (:func:`matching`) and says why none has (:func:`no_row`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import did_you_mean
from ..exceptions import SpaceError
from .results import one_setting
from .space import Space

__all__ = ["check_fixed", "check_shared", "first_values", "matching", "no_row"]


def check_fixed(space: Space, fixed: Any, candidates: pd.DataFrame | None = None) -> dict:
    """``fixed`` checked against the space: canonical values by parameter name.

    Parameters
    ----------
    space : Space
        The campaign's space.
    fixed : mapping of str to value or None
        The values held, by parameter name.
    candidates : DataFrame, optional
        A screen's rows; without them, held values must leave a setting that satisfies the
        space's constraints and exclusions.

    Returns
    -------
    dict
        ``{name: value}`` with values as the space keeps them (plain Python numbers);
        empty for ``None``.

    Raises
    ------
    TypeError
        For something other than a mapping, or a held value that is a list or array.
    ValueError
        For a name that is not a parameter (with the closest one).
    SpaceError
        For a value outside the parameter's range or levels, or values that leave no
        feasible setting.

    Examples
    --------
    >>> from yieldlab.experiments.ranges import Real
    >>> check_fixed(Space([Real("t", 20, 100)]), {"t": 80})
    {'t': 80.0}
    """
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise TypeError(
            f"fixed={fixed!r} has the wrong type; expected a mapping of parameter names "
            "to the value each is held at, such as {'temperature': 80}"
        )
    out = {}
    for name, value in fixed.items():
        if name not in space:
            raise ValueError(
                f"fixed: {name!r} is not a parameter{did_you_mean(name, space.names)}; "
                f"the parameters are {space.names}"
            )
        if np.ndim(value) != 0:
            given = (
                f"{len(value)} values ({type(value).__name__})"
                if hasattr(value, "__len__")
                else repr(value)
            )
            raise TypeError(f"fixed: {name!r} is given {given}; give the one value it is held at")
        try:
            out[name] = space[name].validate([value])[0]
        except SpaceError as exc:
            raise SpaceError(one_setting(str(exc), "fixed")) from None
        if isinstance(out[name], np.generic):
            out[name] = out[name].item()
    restricted = out and candidates is None and space.has_restrictions
    if restricted and not len(space.sample(1, 0, fixed=out, fewer_ok=True)):
        raise SpaceError(
            f"fixed={out!r}: no setting with these values that satisfies the space's "
            f"constraints and exclusions was found{_broken(space, out)}; hold fewer "
            "parameters or other values"
        )
    return out


def _broken(space: Space, fixed: Mapping[str, Any]) -> str:
    """The first linear constraint that the ``fixed`` values break whatever the other
    parameters are (its left side at their most favourable ends), for a message: ``"
    (they break the constraint 'a + b <= 1': its left side is at least 1.2)"``, or ``""``.
    """
    for constraint in space.constraints:
        sign = 1.0 if constraint.operator == "<=" else -1.0
        best = 0.0  # the most favourable left side, times sign
        for name, coef in constraint.coefficients.items():
            if name in fixed:
                best += sign * coef * float(fixed[name])
                continue
            p = space[name]
            values = [p.low, p.high] if hasattr(p, "low") else list(p.values)
            best += min(sign * coef * float(v) for v in values)
        if best > sign * constraint.rhs + 1e-9 * (1.0 + abs(constraint.rhs)):
            bound = "at least" if sign > 0 else "at most"
            return (
                f" (they break the constraint '{constraint}' whatever the other parameters: "
                f"its left side is {bound} {sign * best:.6g})"
            )
    return ""


def check_shared(space: Space, shared: Any, fixed: Mapping[str, Any]) -> list[str]:
    """``shared`` checked against the space and ``fixed``: a list of parameter names.

    Parameters
    ----------
    space : Space
        The campaign's space.
    shared : str, list of str or None
        Parameters that take one value across a batch.
    fixed : mapping of str to value
        The values held already (a parameter is held or shared, not both).

    Returns
    -------
    list of str
        The names, each once, in the order given; empty for ``None``.

    Raises
    ------
    TypeError
        For something other than a name or a list of names.
    ValueError
        For a name that is not a parameter, or one that ``fixed`` holds already.

    Examples
    --------
    >>> from yieldlab.experiments.ranges import Real
    >>> check_shared(Space([Real("t", 20, 100), Real("p", 1, 5)]), "t", {})
    ['t']
    """
    if shared is None:
        return []
    names = [shared] if isinstance(shared, str) else shared
    wrong = isinstance(names, Mapping | bytes) or not np.iterable(names)
    if wrong or not all(isinstance(name, str) for name in names):
        raise TypeError(
            f"shared={shared!r} has the wrong type; expected a parameter name or a list "
            "of them, such as ['temperature']"
        )
    out = []
    for name in names:
        if name not in space:
            raise ValueError(
                f"shared: {name!r} is not a parameter{did_you_mean(name, space.names)}; "
                f"the parameters are {space.names}"
            )
        if name in fixed:
            raise ValueError(
                f"shared: {name!r} is also held by fixed; a held value is shared by the "
                "batch already, give it in one of the two"
            )
        if name not in out:
            out.append(name)
    return out


def matching(settings: pd.DataFrame, space: Space, fixed: Mapping[str, Any]) -> np.ndarray:
    """Mask of the rows of ``settings`` that have every value of ``fixed``.

    Numeric values match to a relative 1e-12, categories exactly.

    Parameters
    ----------
    settings : DataFrame
        Settings in user units, a column per parameter.
    space : Space
        Says which parameters are numeric.
    fixed : mapping of str to value
        The values held (:func:`check_fixed`); empty keeps every row.

    Returns
    -------
    ndarray of bool of shape (n_rows,)

    Examples
    --------
    >>> from yieldlab.experiments.levels import Categorical
    >>> from yieldlab.experiments.ranges import Real
    >>> space = Space([Real("t", 0, 1), Categorical("c", ["a", "b"])])
    >>> rows = pd.DataFrame({"t": [0.3, 0.1 + 0.2, 0.5], "c": ["a", "a", "b"]})
    >>> matching(rows, space, {"t": 0.3, "c": "a"}).tolist()
    [True, True, False]
    """
    keep = np.ones(len(settings), dtype=bool)
    for name, value in fixed.items():
        column = settings[name]
        if space[name].is_numeric:
            keep &= np.isclose(column.to_numpy(float), float(value), rtol=1e-12, atol=0)
        else:
            keep &= (column == value).to_numpy()
    return keep


def no_row(candidates: pd.DataFrame, space: Space, fixed: Mapping[str, Any]) -> str:
    """Why no row of ``candidates`` has the ``fixed`` values: the first value no row has,
    with the values the rows have (up to ten), or else the combination.

    Parameters
    ----------
    candidates : DataFrame
        A screen's rows, a column per parameter.
    space : Space
        Says which parameters are numeric (their values are listed in order).
    fixed : mapping of str to value
        The values held, which no row has together.

    Returns
    -------
    str
        The reason, to go into a message.

    Examples
    --------
    >>> from yieldlab.experiments.ranges import Real
    >>> rows = pd.DataFrame({"t": [20.0, 40.0]})
    >>> no_row(rows, Space([Real("t", 0, 100)]), {"t": 30.0})
    'no candidate row has t=30.0 (the rows have 20.0, 40.0)'
    """
    for name, value in fixed.items():
        if not matching(candidates, space, {name: value}).any():
            present = set(candidates[name].tolist())
            present = sorted(present, key=float if space[name].is_numeric else str)
            shown = ", ".join(map(str, present[:10])) + (", ..." if len(present) > 10 else "")
            return f"no candidate row has {name}={value} (the rows have {shown})"
    return f"no candidate row has {fixed}"


def first_values(settings: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """The first row's values of ``names`` as plain Python values (a batch's shared values).

    Parameters
    ----------
    settings : DataFrame
        At least one row.
    names : list of str
        Columns of ``settings``.

    Returns
    -------
    dict
        ``{name: value}``, NumPy scalars turned into Python ones.

    Examples
    --------
    >>> first_values(pd.DataFrame({"t": [80.0, 80.0], "c": ["Pd", "Ni"]}), ["t"])
    {'t': 80.0}
    """
    row = settings[names].iloc[0]
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}
