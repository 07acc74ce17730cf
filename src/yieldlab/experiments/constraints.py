"""Restrictions of a space: linear inequalities and excluded combinations (layer 4).

A :class:`LinearConstraint` is ``sum_j c_j x_j <= rhs`` (or ``>=``) over numeric parameters
in user units, for example fractions of a mixture: ``a + b <= 1``. It can be written as a
string; the string is read by a small tokenizer and recursive-descent parser (never
``eval``) that accepts numbers, parameter names (names that are not Python identifiers go in
backticks: ```base equiv` >= 1.2``), ``+ - * /`` with at most one name per term and division
by numbers only, and one comparison ``<=``, ``>=`` (``<`` and ``>`` mean the same).

An :class:`Exclusion` is a combination of settings that may not occur together, e.g.
``{'catalyst': 'Cu', 'temperature': {'low': 150}}``: copper above 150 °C. Each condition is a
single value, a list of values, or (numeric parameters) an interval ``{'low': a, 'high': b}``
with either end optional and both ends included. A setting is excluded when *every* condition
holds.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import SpaceError

__all__ = ["Exclusion", "LinearConstraint"]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|`(?P<quoted>[^`]+)`"
    r"|(?P<op><=|>=|==|=<|=>|!=|[<>=+\-*/()]))"
)
_OPERATORS = {"<=": "<=", ">=": ">=", "<": "<=", ">": ">=", "=<": "<=", "=>": ">="}
_COMPARISONS = {*_OPERATORS, "==", "=", "!="}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SpaceError(
                f"constraint {text!r}: cannot read {text[position:].strip()!r} (column "
                f"{position + 1}); expected numbers, parameter names, + - * / and one of <= >="
            )
        kind = match.lastgroup
        value = match.group(kind)
        tokens.append(
            ("number", float(value))
            if kind == "number"
            else ("name", value)
            if kind in ("name", "quoted")
            else ("op", value)
        )
        position = match.end()
    return tokens


def _parse_side(tokens: list[tuple[str, Any]], text: str) -> tuple[dict[str, float], float]:
    """Linear expression -> (coefficients, constant)."""
    coefficients: dict[str, float] = {}
    constant, i, sign = 0.0, 0, 1.0
    if not tokens:
        raise SpaceError(f"constraint {text!r}: one side of the comparison is empty")
    while i < len(tokens):
        while i < len(tokens) and tokens[i] in (("op", "+"), ("op", "-")):
            sign *= -1.0 if tokens[i][1] == "-" else 1.0
            i += 1
        factor, name, expect_factor = sign, None, True
        while i < len(tokens):
            kind, value = tokens[i]
            if expect_factor and kind == "number":
                factor *= value
            elif expect_factor and kind == "name":
                if name is not None:
                    raise SpaceError(
                        f"constraint {text!r}: {name!r} * {value!r} is not linear; a term may "
                        "hold at most one parameter"
                    )
                name = value
            elif not expect_factor and (kind, value) == ("op", "*"):
                pass
            elif not expect_factor and (kind, value) == ("op", "/"):
                if i + 1 >= len(tokens) or tokens[i + 1][0] != "number" or not tokens[i + 1][1]:
                    raise SpaceError(
                        f"constraint {text!r}: only division by a non-zero number is linear"
                    )
                factor /= tokens[i + 1][1]
                i += 2
                continue
            elif not expect_factor and kind == "op" and value in "+-":
                break
            else:
                raise SpaceError(
                    f"constraint {text!r}: unexpected {value!r}; write terms such as "
                    "'2*a', 'b/3' or '0.5' joined by + and -"
                )
            expect_factor = not expect_factor
            i += 1
        if expect_factor:
            raise SpaceError(f"constraint {text!r}: the expression ends with an operator")
        if name is None:
            constant += factor
        else:
            coefficients[name] = coefficients.get(name, 0.0) + factor
        sign = 1.0
    return coefficients, constant


class LinearConstraint:
    """A linear inequality over numeric parameters: ``sum_j c_j x_j <= rhs`` (or ``>=``).

    Parameters
    ----------
    coefficients : mapping of str to float
        Parameter name -> coefficient, in user units.
    operator : {'<=', '>='}
        ``'<'`` and ``'>'`` are accepted and mean the same (the boundary has no volume).
    rhs : float
        Right-hand side.

    Examples
    --------
    >>> c = LinearConstraint.parse("a + 2*b <= 1")
    >>> c
    LinearConstraint('a + 2*b <= 1')
    >>> c.is_satisfied(pd.DataFrame({"a": [0.2, 0.5], "b": [0.3, 0.4]})).tolist()
    [True, False]
    >>> LinearConstraint.parse("x >= 2*y - 0.5")
    LinearConstraint('x - 2*y >= -0.5')
    """

    def __init__(self, coefficients: Mapping[str, float], operator: str, rhs: float) -> None:
        if not isinstance(coefficients, Mapping):
            raise TypeError(
                f"coefficients={coefficients!r} has the wrong type; expected a dict of "
                "parameter name -> number"
            )
        if operator == "==" or operator == "=":
            raise SpaceError(
                "equality constraints are not supported (they leave a region of zero volume); "
                "fix one parameter's value by hand, or replace it by the others"
            )
        if operator not in _OPERATORS:
            raise ValueError(f"operator={operator!r} is not supported; expected '<=' or '>='")
        coefs = {}
        for name, value in coefficients.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"coefficient of {name!r} = {value!r} is not a number")
            if not np.isfinite(value):
                raise ValueError(f"coefficient of {name!r} = {value!r} is not finite")
            if value != 0:
                coefs[str(name)] = float(value)
        if not coefs:
            raise SpaceError(f"constraint {coefficients!r} has no non-zero coefficient")
        if isinstance(rhs, bool) or not isinstance(rhs, numbers.Real) or not np.isfinite(rhs):
            raise ValueError(f"rhs={rhs!r} is invalid; expected a finite number")
        self.coefficients = coefs
        self.operator = _OPERATORS[operator]
        self.rhs = float(rhs)

    @classmethod
    def parse(cls, text: str) -> LinearConstraint:
        """Read ``'a + 2*b <= 1'``; names on both sides and constants anywhere are fine."""
        if not isinstance(text, str):
            raise TypeError(f"constraint {text!r} has the wrong type; expected a str")
        tokens = _tokenize(text)
        comparisons = [i for i, t in enumerate(tokens) if t[0] == "op" and t[1] in _COMPARISONS]
        if len(comparisons) != 1 or tokens[comparisons[0]][1] == "!=":
            raise SpaceError(
                f"constraint {text!r}: expected exactly one comparison, '<=' or '>='; got "
                f"{[tokens[i][1] for i in comparisons]}"
            )
        k = comparisons[0]
        if any(t == ("op", "(") or t == ("op", ")") for t in tokens):
            raise SpaceError(f"constraint {text!r}: parentheses are not supported; expand them")
        left, left_constant = _parse_side(tokens[:k], text)
        right, right_constant = _parse_side(tokens[k + 1 :], text)
        for name, value in right.items():
            left[name] = left.get(name, 0.0) - value
        return cls(left, tokens[k][1], right_constant - left_constant)

    @property
    def names(self) -> list[str]:
        """Parameters the constraint involves."""
        return list(self.coefficients)

    def lhs(self, settings: pd.DataFrame) -> np.ndarray:
        """``sum_j c_j x_j`` for each row; shape (n_samples,)."""
        total = np.zeros(len(settings))
        for name, coef in self.coefficients.items():
            total = total + coef * pd.to_numeric(settings[name], errors="coerce").to_numpy(float)
        return total

    def violation(self, settings: pd.DataFrame) -> np.ndarray:
        """By how much each row violates the constraint (<= 0 when satisfied)."""
        gap = self.lhs(settings) - self.rhs
        return gap if self.operator == "<=" else -gap

    def is_satisfied(self, settings: pd.DataFrame) -> np.ndarray:
        """Boolean array of shape (n_samples,); a small tolerance absorbs rounding."""
        tol = 1e-9 * (1.0 + abs(self.rhs) + sum(abs(c) for c in self.coefficients.values()))
        with np.errstate(invalid="ignore"):
            return self.violation(settings) <= tol

    def to_dict(self) -> dict[str, Any]:
        """``{'coefficients': {...}, 'operator': '<=', 'rhs': 1.0}``."""
        return {
            "coefficients": dict(self.coefficients),
            "operator": self.operator,
            "rhs": self.rhs,
        }

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> LinearConstraint:
        """Inverse of :meth:`to_dict`."""
        return cls(spec["coefficients"], spec["operator"], spec["rhs"])

    def __str__(self) -> str:
        parts = []
        for name, coef in self.coefficients.items():
            label = name if _IDENTIFIER.fullmatch(name) else f"`{name}`"
            size = abs(coef)
            term = label if size == 1 else f"{_number(size)}*{label}"
            sign = "-" if coef < 0 else "+"
            parts.append(f"{'-' if sign == '-' else ''}{term}" if not parts else f"{sign} {term}")
        return f"{' '.join(parts)} {self.operator} {_number(self.rhs)}"

    def __repr__(self) -> str:
        return f"LinearConstraint({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinearConstraint) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(str(self))


def _number(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


class Exclusion:
    """A combination of settings that may not occur together.

    Parameters
    ----------
    conditions : mapping of str to value, list of values, or ``{'low': a, 'high': b}``
        Parameter name -> the values that, together with all other conditions, are
        excluded. Numeric parameters may use an interval (ends included, either optional).

    Examples
    --------
    >>> e = Exclusion({"catalyst": "Cu", "temperature": {"low": 150}})
    >>> e
    Exclusion({'catalyst': 'Cu', 'temperature': {'low': 150}})
    >>> table = pd.DataFrame({"catalyst": ["Cu", "Cu", "Pd"], "temperature": [160, 90, 160]})
    >>> e.matches(table).tolist()
    [True, False, False]
    """

    def __init__(self, conditions: Mapping[str, Any]) -> None:
        if not isinstance(conditions, Mapping) or not conditions:
            raise TypeError(
                f"exclusion {conditions!r} is not valid; expected a non-empty dict of "
                "parameter name -> value, list of values or {'low': ..., 'high': ...}"
            )
        self.conditions: dict[str, Any] = {}
        for name, condition in conditions.items():
            self.conditions[str(name)] = _check_condition(name, condition)

    @property
    def names(self) -> list[str]:
        return list(self.conditions)

    def matches(self, settings: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows are excluded (every condition holds)."""
        hit = np.ones(len(settings), dtype=bool)
        for name, condition in self.conditions.items():
            column = settings[name]
            if isinstance(condition, dict):
                x = pd.to_numeric(column, errors="coerce").to_numpy(float)
                low, high = condition.get("low", -np.inf), condition.get("high", np.inf)
                with np.errstate(invalid="ignore"):
                    hit &= (x >= low) & (x <= high)
            else:
                hit &= _isin(column, condition)
        return hit

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.conditions.items()}

    def __repr__(self) -> str:
        return f"Exclusion({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exclusion) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))


def _check_condition(name: Any, condition: Any) -> Any:
    if isinstance(condition, Mapping):
        unknown = sorted(set(condition) - {"low", "high"})
        if unknown or not condition:
            raise SpaceError(
                f"exclusion on {name!r}: {dict(condition)!r} is not an interval; expected "
                "{'low': a, 'high': b} with either key optional"
            )
        for key, value in condition.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise SpaceError(f"exclusion on {name!r}: {key}={value!r} is not a number")
        return {k: condition[k] for k in ("low", "high") if k in condition}
    if isinstance(condition, list | tuple | set | frozenset):
        if not condition:
            raise SpaceError(f"exclusion on {name!r}: the list of values is empty")
        values = (
            sorted(condition, key=repr) if isinstance(condition, set | frozenset) else condition
        )
        return tuple(v.item() if isinstance(v, np.generic) else v for v in values)
    return condition.item() if isinstance(condition, np.generic) else condition


def _isin(column: pd.Series, condition: Any) -> np.ndarray:
    values = condition if isinstance(condition, tuple) else (condition,)
    numeric = [v for v in values if isinstance(v, numbers.Real) and not isinstance(v, bool)]
    hit = np.array(column.isin(values), dtype=bool)  # a copy: pandas may give a read-only view
    if numeric and pd.api.types.is_numeric_dtype(column):
        x = column.to_numpy(float)[:, None]
        target = np.asarray(numeric, dtype=float)[None, :]
        hit |= np.isclose(x, target, rtol=1e-9, atol=1e-12).any(axis=1)
    return hit
