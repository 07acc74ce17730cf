"""The left side of a formula: the response, its transform and the inverse (layer 2).

``log(y) = b1 - b2*x`` is fitted on the scale of ``log(y)`` (the errors are assumed
additive there), and predictions are returned on the scale of ``y`` by inverting the left
side. The inverse is built as an expression tree by peeling the left side from the
outside: ``log(u) = v`` gives ``u = exp(v)``, ``a*u + b = v`` gives ``u = (v - b)/a``,
and so on, so compositions such as ``sqrt(y/1000)`` invert too.
"""

from __future__ import annotations

import numpy as np

from .expression import Binary, Call, Negative, Node, Number, Symbol, evaluate
from .parser import ParsedFormula, formula_error

__all__ = ["Response"]

VALUE = "<value>"  # the symbol of the inverse; not a name a formula can spell
INVERTIBLE = "y, log(y), log10(y), sqrt(y), exp(y), 1/y, y**c, c*y + d or a composition"


def _log_of(v: Node) -> Node:
    return Call("log", v)


# function -> inverse, as a builder of an expression in the value v
INVERSES = {
    "log": lambda v: Call("exp", v),
    "log10": lambda v: Binary("**", Number(10.0), v),
    "exp": _log_of,
    "sqrt": lambda v: Binary("**", v, Number(2.0)),
    "atan": lambda v: Call("tan", v),
    "arctan": lambda v: Call("tan", v),
    # arcsinh(v) = log(v + sqrt(v^2 + 1)); arctanh(v) = log((1 + v)/(1 - v))/2
    "sinh": lambda v: _log_of(
        Binary("+", v, Call("sqrt", Binary("+", Binary("*", v, v), Number(1.0))))
    ),
    "tanh": lambda v: Binary(
        "*",
        Number(0.5),
        _log_of(Binary("/", Binary("+", Number(1.0), v), Binary("-", Number(1.0), v))),
    ),
}


class Response:
    """Left side of a formula.

    Parameters
    ----------
    parsed : ParsedFormula

    Attributes
    ----------
    name : str
        The response name (``y`` in ``log(y) = ...``).
    transformed : bool
        Whether the left side is more than the bare name.
    inverse : Node
        Expression of the response in terms of the fitted value (symbol ``'<value>'``).

    Raises
    ------
    FormulaError
        When the left side holds other names than one response, or cannot be inverted.
    """

    def __init__(self, parsed: ParsedFormula) -> None:
        self.text = parsed.text
        self.expression = parsed.left
        names = parsed.left.symbols()
        if len(names) != 1:
            what = "no name" if not names else f"the names {names}"
            raise formula_error(
                parsed.text,
                parsed.left.span,
                f"the left side has {what}; it must hold exactly one response name, "
                f"as in 'y = ...' or 'log(y) = ...'",
            )
        self.name = names[0]
        self.transformed = not isinstance(parsed.left, Symbol)
        self.inverse = self._invert(parsed.left, Symbol(VALUE))

    def _invert(self, node: Node, value: Node) -> Node:
        """Expression of the response from ``value = node(response)``."""
        if isinstance(node, Symbol):
            return value
        if isinstance(node, Negative):
            return self._invert(node.operand, Negative(value))
        if isinstance(node, Call) and node.function in INVERSES:
            return self._invert(node.argument, INVERSES[node.function](value))
        if isinstance(node, Binary):
            inverted = self._invert_binary(node, value)
            if inverted is not None:
                return inverted
        raise formula_error(
            self.text,
            node.span,
            f"the left side cannot be inverted here, so predictions could not be given "
            f"for {self.name!r}; write the left side as {INVERTIBLE}",
        )

    def _invert_binary(self, node: Binary, value: Node) -> Node | None:
        left_has = self.name in node.left.symbols()
        right_has = self.name in node.right.symbols()
        if left_has == right_has:
            return None
        op = node.op
        if left_has:  # u op c
            u, c = node.left, node.right
            undo = {"+": "-", "-": "+", "*": "/", "/": "*"}
            if op in undo:
                return self._invert(u, Binary(undo[op], value, c))
            one_over = Binary("/", Number(1.0), c)
            return self._invert(u, Binary("**", value, one_over))  # u**c = v
        u, c = node.right, node.left  # c op u
        if op == "+":
            return self._invert(u, Binary("-", value, c))
        if op == "-":
            return self._invert(u, Binary("-", c, value))
        if op == "*":
            return self._invert(u, Binary("/", value, c))
        if op == "/":
            return self._invert(u, Binary("/", c, value))
        return self._invert(u, Binary("/", _log_of(value), _log_of(c)))  # c**u = v

    def transform(self, y: np.ndarray) -> np.ndarray:
        """The left side evaluated at the response, shape (n_samples,)."""
        y = np.asarray(y, dtype=float)
        if not self.transformed:
            return y
        return evaluate(self.expression, {self.name: y}, n_samples=y.shape[0])

    def untransform(self, value: np.ndarray) -> np.ndarray:
        """The response whose transform is ``value``, shape (n_samples,)."""
        value = np.asarray(value, dtype=float)
        if not self.transformed:
            return value
        return evaluate(self.inverse, {VALUE: value}, n_samples=value.shape)

    def slope(self, value: np.ndarray) -> np.ndarray:
        """``d response / d value`` of the inverse, for the delta method."""
        value = np.asarray(value, dtype=float)
        if not self.transformed:
            return np.ones_like(value)
        _, jacobian = evaluate(self.inverse, {VALUE: value}, [VALUE], n_samples=value.shape)
        return jacobian[..., 0]

    def describe(self) -> str:
        """The left side as written, for messages (``'log(y)'``)."""
        start, end = self.expression.span
        text = self.text[start:end].strip()
        return text or self.name
