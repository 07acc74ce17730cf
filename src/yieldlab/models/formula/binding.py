"""Binding a parsed formula to data: inputs, parameters, starts and bounds (layer 2).

Names on the right side that are columns of ``X`` are inputs; every other name is a
parameter. A DataFrame's columns keep their names; an array's columns are ``x1, x2, ...``
(numbered from 1, as in most textbooks and NIST's data sets) and a single column is also
``x``. Names of that pattern are reserved for inputs, so a formula that asks for ``x4``
of a 3-column array fails with a clear message instead of fitting ``x4`` as a parameter.
Each check raises a one-line error that names the part and the fix.
"""

from __future__ import annotations

import difflib
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...exceptions import DataError, FormulaError
from .expression import Binary, Node, evaluate, first_nonfinite
from .problem import Problem
from .response import Response

__all__ = [
    "array_columns",
    "bind_names",
    "check_bounds",
    "check_finite_start",
    "check_start",
    "transformed_target",
]

INPUT_PATTERN = re.compile(r"x\d*")
NEAR_MISS = 0.8  # difflib ratio above which a parameter name is taken for a misspelt column


def array_columns(n_columns: int) -> dict[str, int]:
    """Formula names of an array's columns: ``x1..xk``, and ``x`` for a single column.

    Examples
    --------
    >>> array_columns(2)
    {'x1': 0, 'x2': 1}
    """
    names = {f"x{j + 1}": j for j in range(n_columns)}
    if n_columns == 1:
        names["x"] = 0
    return names


def _reserved_error(name: str, columns: Sequence[str], frame: bool) -> FormulaError:
    if frame:
        return FormulaError(
            f"the formula uses the input {name!r}, but X has no column {name!r}; columns are "
            f"{list(columns)}. Add the column, or rename the name in the formula"
        )
    return FormulaError(
        f"the formula uses the input {name!r}, but {_array_names(columns)}; use those names, "
        "or pass a DataFrame with named columns"
    )


def _array_names(columns: Sequence[str]) -> str:
    k = sum(1 for c in columns if c != "x")
    names = "x (or x1)" if k == 1 else f"x1..x{k}"
    return f"the columns of this {k}-column array are named {names}, numbered from 1"


def bind_names(
    names: list[str],
    response: str,
    columns: Mapping[str, int] | Sequence[str],
    start: Any,
    frame: bool,
) -> tuple[list[str], list[str]]:
    """Split the right side's names into inputs and parameters.

    Parameters
    ----------
    names : list of str
        Names on the right side, in order of first appearance.
    response : str
        Name on the left side.
    columns : sequence or mapping of str
        Names of the columns of ``X`` (as the formula spells them).
    start : mapping, sequence or None
        The user's ``start``: names in a mapping are parameters for sure.
    frame : bool
        Whether ``X`` is a DataFrame (for the messages).

    Returns
    -------
    inputs, parameters : list of str
    """
    declared = set(start) if isinstance(start, Mapping) else set()
    if response in names:
        raise FormulaError(
            f"the response {response!r} also appears on the right side of the formula; a "
            "model cannot use its own response: rename the input or the response"
        )
    inputs, parameters = [], []
    for name in names:
        if name in columns:
            if name in declared:
                raise ValueError(
                    f"{name!r} is both a column of X and a key of start; rename the parameter "
                    "in the formula and in start"
                )
            inputs.append(name)
            continue
        if name not in declared and INPUT_PATTERN.fullmatch(name):
            raise _reserved_error(name, list(columns), frame)
        if name not in declared and frame:
            same_case = [c for c in columns if c.lower() == name.lower()]
            close = same_case or difflib.get_close_matches(
                name, list(columns), n=1, cutoff=NEAR_MISS
            )
            if close:
                raise FormulaError(
                    f"{name!r} is not a column of X; did you mean the column {close[0]!r}? "
                    f"If {name!r} is a parameter, give it a value in start"
                )
        parameters.append(name)
    if not inputs:
        where = f"columns are {list(columns)}" if frame else _array_names(columns)
        raise FormulaError(
            f"the formula uses no column of X, so every name {names} would be a parameter; "
            f"{where}. Use the column names in the formula (a constant model can be "
            "written 'y = b1 + 0*x')"
        )
    if not parameters:
        raise FormulaError(
            f"the formula has no parameters to fit: every name on the right side {names} is "
            "a column of X; add a parameter, such as 'y = b1*x'"
        )
    return inputs, parameters


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}={value!r} has the wrong type; expected a real number")
    if not np.isfinite(value):
        raise ValueError(f"{where}={value!r} is not finite; expected a finite number")
    return float(value)


def _unknown(what: str, keys: list[str], parameters: list[str], inputs: list[str]) -> None:
    unknown = [k for k in keys if k not in parameters]
    if not unknown:
        return
    name = unknown[0]
    if name in inputs:
        raise ValueError(
            f"{what} names {name!r}, which is an input (a column of X), not a parameter; "
            f"remove it from {what}. The parameters are {parameters}"
        )
    hint = difflib.get_close_matches(str(name), parameters, n=1)
    did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise ValueError(
        f"{what} names {name!r}, which does not appear in the formula{did_you_mean}; the "
        f"parameters are {parameters}. Remove it or fix the formula"
    )


def check_bounds(
    bounds: Any, parameters: list[str], inputs: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds in parameter order, ``-inf``/``inf`` where free.

    ``bounds`` is None or a mapping name -> (low, high); ``None`` for a side means free.
    """
    lower = np.full(len(parameters), -np.inf)
    upper = np.full(len(parameters), np.inf)
    if bounds is None:
        return lower, upper
    if not isinstance(bounds, Mapping):
        raise TypeError(
            f"bounds={bounds!r} has the wrong type; expected a dict such as "
            "{'b1': (0, None), 'b2': (0.1, 10)}"
        )
    _unknown("bounds", list(bounds), parameters, inputs)
    for name, pair in bounds.items():
        k = parameters.index(name)
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise TypeError(
                f"bounds[{name!r}]={pair!r} has the wrong type; expected a pair (low, high), "
                "with None for no bound"
            )
        low, high = pair
        lower[k] = -np.inf if low is None else _number(f"bounds[{name!r}][0]", low)
        upper[k] = np.inf if high is None else _number(f"bounds[{name!r}][1]", high)
        if not lower[k] < upper[k]:
            raise ValueError(f"bounds[{name!r}]={pair!r} is empty; expected low < high")
    return lower, upper


def check_start(
    start: Any,
    parameters: list[str],
    inputs: list[str],
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray | None:
    """The start as an array in parameter order, or None to choose it automatically."""
    if start is None:
        return None
    if isinstance(start, Mapping):
        _unknown("start", list(start), parameters, inputs)
        missing = [p for p in parameters if p not in start]
        if missing:
            example = ", ".join(f"{p!r}: 1.0" for p in missing)
            raise ValueError(
                f"start has no value for the parameter{'s' if len(missing) > 1 else ''} "
                f"{', '.join(map(repr, missing))}; add {{{example}}} to start, or pass "
                "start=None to choose all starting values automatically"
            )
        values = np.array([_number(f"start[{p!r}]", start[p]) for p in parameters])
    elif isinstance(start, Sequence | np.ndarray) and not isinstance(start, str | bytes):
        if len(start) != len(parameters):
            raise ValueError(
                f"start has {len(start)} values but the formula has {len(parameters)} "
                f"parameters {parameters} (in order of first appearance); give one value per "
                "parameter, or a dict name -> value"
            )
        values = np.array([_number(f"start[{k}]", v) for k, v in enumerate(start)])
    else:
        raise TypeError(
            f"start={start!r} has the wrong type; expected None, a dict name -> value or a "
            "sequence of values in order of first appearance"
        )
    outside = np.flatnonzero((values < lower) | (values > upper))
    if outside.size:
        k = outside[0]
        raise ValueError(
            f"start[{parameters[k]!r}]={float(values[k])!r} is outside its bounds "
            f"({float(lower[k])!r}, {float(upper[k])!r}); choose a start inside the bounds"
        )
    return values


def _powers_of(node: Node, name: str) -> bool:
    """Whether ``node`` raises an expression of ``name`` to a power (``y**2``, ``y^0.5``)."""
    if isinstance(node, Binary) and node.op == "**" and name in node.left.symbols():
        return True
    return any(_powers_of(child, name) for child in node.children())


def transformed_target(response: Response, y: np.ndarray) -> np.ndarray:
    """The left side evaluated at ``y``; a DataError names the first row where it is not
    finite (``log(y)`` of a negative ``y``), or where its inverse does not give ``y``
    back (``y**2`` of a negative ``y`` inverts to the positive root), since predictions
    are the inverse of the fitted left side."""
    z = response.transform(y)
    bad = np.flatnonzero(~np.isfinite(z))
    if bad.size:
        row = bad[0]
        raise DataError(
            f"the left side {response.describe()!r} is not finite at row {row} "
            f"({response.name}={float(y[row])!r}, {bad.size} rows in all); remove those rows or "
            "choose a transform defined for them"
        )
    if not response.transformed:
        return z
    # NOTE: a wrong branch is off by the size of y itself (or NaN); the loose tolerance
    # leaves the rounding of a flat inverse (tanh(y) for large y) alone
    back = response.untransform(z)
    with np.errstate(invalid="ignore"):
        wrong = ~(np.abs(back - y) <= 1e-3 * np.abs(y) + 1e-9 * np.max(np.abs(y)))
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        name, left = response.name, response.describe()
        if _powers_of(response.expression, name):
            fix = (
                f"a power of {name} inverts to the root >= 0 only: fit {name} itself, or shift "
                f"it above 0 inside the power ({name} + c in place of {name}, with c > "
                f"{-float(np.min(y)):g})"
            )
        else:
            fix = f"remove those rows, or fit {name} itself or a transform one-to-one on them"
        raise DataError(
            f"the left side {left!r} cannot be inverted at row {row} ({name}="
            f"{float(y[row])!r}, {int(wrong.sum())} rows in all): its value "
            f"{float(z[row])!r} inverts to {name}={float(back[row])!r}, so predictions would "
            f"be wrong there; {fix}"
        )
    return z


def check_finite_start(problem: Problem, theta: np.ndarray, text: str) -> None:
    """Raise a ValueError naming the part of the formula that is not finite at ``theta``."""
    values = problem.values(theta)
    if np.all(np.isfinite(values)):
        return
    env = problem.environment(theta)
    node, row = first_nonfinite(problem.expression, env)
    part = text[node.span[0] : node.span[1]]
    with np.errstate(all="ignore"):
        bad = float(evaluate(node, env, n_samples=problem.n_samples)[row])
    inputs = ", ".join(f"{n}={float(problem.inputs[n][row])!r}" for n in problem.inputs)
    at_row = f" at row {row} ({inputs})" if inputs else ""
    raise ValueError(
        f"the model is not finite at the starting values: the part {part!r} (column "
        f"{node.span[0] + 1}) is {bad!r}{at_row}; choose starting values where the formula "
        "can be evaluated, or set bounds"
    )
