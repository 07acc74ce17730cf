"""The expression tree of a formula: evaluation and exact derivatives (layer 2).

A parsed formula is a small tree of :class:`Number`, :class:`Symbol`, :class:`Negative`,
:class:`Binary` and :class:`Call` nodes. Each node evaluates itself with NumPy and, in
the same pass, propagates exact derivatives with respect to the parameters (forward-mode
automatic differentiation): a node returns its value ``v`` of shape ``(...)`` and its
derivative ``d = dv/dtheta`` of shape ``(..., n_parameters)``, or ``None`` when it does
not depend on any parameter. Every forward rule sits beside its derivative, so the
Jacobian of a fit is exact to rounding, never a finite difference.

The tree never calls Python's ``eval``: the only operations are the NumPy functions of
:data:`FUNCTIONS` and the five arithmetic operators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "FUNCTIONS",
    "Binary",
    "Call",
    "Negative",
    "Node",
    "Number",
    "Symbol",
    "evaluate",
    "first_nonfinite",
]

Span = tuple[int, int]
LN10 = float(np.log(10.0))


def _exp_grad(a, v):
    return v


def _log_grad(a, v):
    return 1.0 / a


def _log10_grad(a, v):
    return 1.0 / (a * LN10)


def _sqrt_grad(a, v):
    # NOTE: infinite at a = 0, as the true derivative; the fit then stops moving there.
    return 0.5 / v


def _sin_grad(a, v):
    return np.cos(a)


def _cos_grad(a, v):
    return -np.sin(a)


def _tan_grad(a, v):
    return 1.0 + v * v


def _arctan_grad(a, v):
    return 1.0 / (1.0 + a * a)


def _sinh_grad(a, v):
    return np.cosh(a)


def _cosh_grad(a, v):
    return np.sinh(a)


def _tanh_grad(a, v):
    return 1.0 - v * v


def _abs_grad(a, v):
    # NOTE: the kink at 0 gets slope 0 (a subgradient), as np.sign gives.
    return np.sign(a)


# function name -> (value, derivative of the value with respect to the argument)
FUNCTIONS: dict[str, tuple[Any, Any]] = {
    "exp": (np.exp, _exp_grad),
    "log": (np.log, _log_grad),
    "log10": (np.log10, _log10_grad),
    "sqrt": (np.sqrt, _sqrt_grad),
    "sin": (np.sin, _sin_grad),
    "cos": (np.cos, _cos_grad),
    "tan": (np.tan, _tan_grad),
    "arctan": (np.arctan, _arctan_grad),
    "atan": (np.arctan, _arctan_grad),
    "sinh": (np.sinh, _sinh_grad),
    "cosh": (np.cosh, _cosh_grad),
    "tanh": (np.tanh, _tanh_grad),
    "abs": (np.abs, _abs_grad),
}


def _col(v):
    """``v`` with a trailing axis, to scale a derivative of shape ``(..., n_parameters)``."""
    return np.asarray(v)[..., None]


def _add(da, db):
    if da is None:
        return db
    if db is None:
        return da
    return da + db


class Node:
    """Base of the expression nodes.

    Attributes
    ----------
    span : tuple of int
        ``(start, end)`` character positions of the node in the formula text, so an error
        can point at the part of the formula it concerns.
    """

    __slots__ = ("span",)

    def forward(self, env: Mapping[str, Any], seeds: Mapping[str, np.ndarray]):
        """Value and derivative of the node.

        Parameters
        ----------
        env : mapping of str to float or ndarray of shape (n_samples,)
            Values of every symbol (parameters are scalars, inputs are columns).
        seeds : mapping of str to ndarray of shape (n_parameters,)
            One-hot derivative of each parameter with respect to the parameter vector;
            empty to evaluate the value alone.

        Returns
        -------
        value : float or ndarray of shape (n_samples,)
        derivative : None or ndarray of shape (..., n_parameters)
            ``None`` when the node does not depend on a seeded symbol.
        """
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        """Direct sub-expressions, left to right."""
        return ()

    def symbols(self) -> list[str]:
        """Names of the symbols in order of first appearance (left to right), no repeats."""
        seen: dict[str, None] = {}
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, Symbol):
                seen.setdefault(node.name, None)
            stack.extend(reversed(node.children()))
        return list(seen)

    def depends_on(self, names: set[str]) -> bool:
        """Whether any symbol of ``names`` occurs in the expression."""
        return bool(names.intersection(self.symbols()))


class Number(Node):
    """A constant such as ``2``, ``1.5e-3`` or ``pi``."""

    __slots__ = ("value",)

    def __init__(self, value: float, span: Span = (0, 0)) -> None:
        self.value = float(value)
        self.span = span

    def forward(self, env, seeds):
        return self.value, None

    def __repr__(self) -> str:
        return f"Number({self.value!r})"


class Symbol(Node):
    """A name: a parameter (a scalar) or an input (a column of the data)."""

    __slots__ = ("name",)

    def __init__(self, name: str, span: Span = (0, 0)) -> None:
        self.name = name
        self.span = span

    def forward(self, env, seeds):
        return env[self.name], seeds.get(self.name)

    def __repr__(self) -> str:
        return f"Symbol({self.name!r})"


class Negative(Node):
    """Unary minus, ``-a``."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node, span: Span = (0, 0)) -> None:
        self.operand = operand
        self.span = span

    def children(self):
        return (self.operand,)

    def forward(self, env, seeds):
        a, da = self.operand.forward(env, seeds)
        return -a, (None if da is None else -da)

    def __repr__(self) -> str:
        return f"Negative({self.operand!r})"


class Binary(Node):
    """``left op right`` for ``op`` in ``+ - * / **``."""

    __slots__ = ("left", "op", "right")

    OPERATORS = ("+", "-", "*", "/", "**")

    def __init__(self, op: str, left: Node, right: Node, span: Span = (0, 0)) -> None:
        self.op = op
        self.left = left
        self.right = right
        self.span = span

    def children(self):
        return (self.left, self.right)

    def forward(self, env, seeds):
        a, da = self.left.forward(env, seeds)
        b, db = self.right.forward(env, seeds)
        op = self.op
        if op == "+":
            return a + b, _add(da, db)
        if op == "-":
            return a - b, _add(da, None if db is None else -db)
        if op == "*":
            d = _add(None if da is None else da * _col(b), None if db is None else _col(a) * db)
            return a * b, d
        if op == "/":
            with np.errstate(divide="ignore", invalid="ignore"):  # x/0 is inf, never an error
                v = np.divide(a, b)
            if da is None and db is None:
                return v, None
            # d(a/b) = (da - v db) / b
            d = _add(da, None if db is None else -_col(v) * db)
            return v, d / _col(b)
        return self._power(a, da, b, db)

    @staticmethod
    def _power(a, da, b, db):
        v = np.power(a, b)
        d = None
        if da is not None:
            # d(a**b)/da = b a**(b-1), written so that a = 0 with b >= 1 stays finite
            d = _col(b * np.power(a, b - 1.0)) * da
        if db is not None:
            # NOTE: log(a) is NaN for a < 0, where a**b with a varying b is not real anyway.
            d = _add(d, _col(v * np.log(a)) * db)
        return v, d

    def __repr__(self) -> str:
        return f"Binary({self.op!r}, {self.left!r}, {self.right!r})"


class Call(Node):
    """A call of one function of :data:`FUNCTIONS` on one argument, ``exp(a)``."""

    __slots__ = ("argument", "function")

    def __init__(self, function: str, argument: Node, span: Span = (0, 0)) -> None:
        self.function = function
        self.argument = argument
        self.span = span

    def children(self):
        return (self.argument,)

    def forward(self, env, seeds):
        a, da = self.argument.forward(env, seeds)
        value, grad = FUNCTIONS[self.function]
        v = value(a)
        if da is None:
            return v, None
        return v, _col(grad(a, v)) * da

    def __repr__(self) -> str:
        return f"Call({self.function!r}, {self.argument!r})"


def evaluate(
    node: Node,
    env: Mapping[str, Any],
    wrt: list[str] | tuple[str, ...] = (),
    n_samples: int | tuple[int, ...] | None = None,
):
    """Evaluate an expression and, optionally, its exact Jacobian.

    Parameters
    ----------
    node : Node
        The expression.
    env : mapping of str to float or ndarray of shape (n_samples,)
        Values of every symbol in the expression.
    wrt : sequence of str, default=()
        Names to differentiate with respect to (the parameters).
    n_samples : int or tuple of int, optional
        Broadcast the value to this many rows, or to this shape (an expression of
        parameters alone is a scalar otherwise). Symbols may hold arrays that broadcast
        together, such as parameters of shape (n_candidates, 1) against inputs of shape
        (n_samples,): the value is then of shape (n_candidates, n_samples).

    Returns
    -------
    value : ndarray of shape (n_samples,)
    jacobian : ndarray of shape (n_samples, len(wrt))
        Only when ``wrt`` is not empty; ``jacobian[i, k] = d value[i] / d wrt[k]``.

    Examples
    --------
    >>> tree = Binary("*", Symbol("b"), Call("exp", Symbol("x")))
    >>> value, jac = evaluate(tree, {"b": 2.0, "x": np.array([0.0, 1.0])}, ["b"])
    >>> value.round(4).tolist(), jac.round(4).tolist()
    ([2.0, 5.4366], [[1.0], [2.7183]])
    """
    eye = np.eye(len(wrt))
    seeds = {name: eye[k] for k, name in enumerate(wrt)}
    with np.errstate(all="ignore"):
        v, d = node.forward(env, seeds)
    if n_samples is None:
        shape = np.shape(v)
    else:
        shape = (n_samples,) if isinstance(n_samples, int) else tuple(n_samples)
    value = np.broadcast_to(np.asarray(v, dtype=float), shape).copy()
    if not wrt:
        return value
    if d is None:
        return value, np.zeros((*shape, len(wrt)))
    return value, np.broadcast_to(d, (*shape, len(wrt))).copy()


def first_nonfinite(node: Node, env: Mapping[str, Any]) -> tuple[Node, int] | None:
    """The innermost sub-expression whose value is NaN or infinite, and a row where it is.

    Used to name the part of a formula that breaks at the starting values.

    Returns
    -------
    (Node, int) or None
        ``None`` when every value is finite; the row is 0 for a scalar sub-expression.
    """
    for child in node.children():
        found = first_nonfinite(child, env)
        if found is not None:
            return found
    with np.errstate(all="ignore"):
        value, _ = node.forward(env, {})
    bad = ~np.isfinite(np.atleast_1d(value))
    if bad.any():
        return node, int(np.flatnonzero(bad)[0])
    return None
