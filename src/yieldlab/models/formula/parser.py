"""Safe parsing of a formula's text into an expression tree (layer 2).

The text is read by Python's :mod:`ast` parser (which builds a syntax tree and runs
nothing), and the syntax tree is then copied node by node into the small tree of
:mod:`.expression`, accepting only numbers, names, the operators ``+ - * / **`` (and
``^`` as a power), unary minus and calls of the functions of
:data:`~.expression.FUNCTIONS`. Anything else (attribute access, subscripts, lambdas,
comprehensions, keywords, strings, dunder names, calls of other names) raises a
:class:`~yieldlab.exceptions.FormulaError` whose message points at the offending part
with a caret. The text is never given to ``eval``, ``exec`` or ``compile``, so a formula
read from a file or the command line can never run code.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from ..._validation import closest_name
from ...exceptions import FormulaError
from .expression import FUNCTIONS, Binary, Call, Negative, Node, Number, Symbol

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "ParsedFormula", "formula_error", "parse_formula"]

MAX_LENGTH = 10_000
MAX_DEPTH = 200
CONSTANTS = {"pi": math.pi}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
ALLOWED = "numbers, names, + - * / ** ^, parentheses and the functions " + ", ".join(
    sorted(FUNCTIONS)
)
# what an unsupported Python construct is called in an error message
DESCRIPTIONS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "an assignment expression ':='",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


@dataclass(frozen=True)
class ParsedFormula:
    """A parsed formula ``left = right``.

    Attributes
    ----------
    text : str
        The formula as written.
    left : Node
        The response side, such as ``y`` or ``log(y)``.
    right : Node
        The model side.
    """

    text: str
    left: Node
    right: Node


def formula_error(text: str, span: tuple[int, int], message: str) -> FormulaError:
    """A :class:`FormulaError`: a one-line message, then the formula with a caret under it.

    Parameters
    ----------
    text : str
        The formula.
    span : tuple of int
        ``(start, end)`` character positions of the offending part.
    message : str
        What is wrong and how to fix it.

    Examples
    --------
    >>> print(formula_error("y = b1*x.real", (7, 13), "attribute access is not allowed"))
    column 8: attribute access is not allowed
        y = b1*x.real
               ^^^^^^
    """
    start, end = span
    start = min(max(start, 0), len(text))
    end = min(max(end, start + 1), max(len(text), start + 1))
    line = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    caret = " " * start + "^" * (end - start)
    error = FormulaError(f"column {start + 1}: {message}\n    {line}\n    {caret}")
    error.formula = text
    error.span = (start, end)
    return error


def _split(text: str) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    """Character ranges of the left and right sides around the one ``=``."""
    equals, depth = [], 0
    for i, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if (
            char == "="
            and depth <= 0
            and (i == 0 or text[i - 1] not in "=<>!:")
            and (i + 1 == len(text) or text[i + 1] != "=")
        ):
            equals.append(i)
    if len(equals) > 1:
        raise formula_error(
            text,
            (equals[1], equals[1] + 1),
            "a formula has exactly one '=' between the response and the model, such as "
            "'y = b1*exp(-b2*x)'; remove the extra '='",
        )
    if not equals:
        return None, (0, len(text))
    return (0, equals[0]), (equals[0] + 1, len(text))


class _Converter:
    """Copies one side of the formula from Python's syntax tree into expression nodes."""

    def __init__(self, text: str, source: str, positions: list[int]) -> None:
        self.text = text  # the whole formula, for messages
        self.line = source  # the side as parsed (^ replaced by **)
        self.positions = positions  # character index in `source` -> in `text`

    def span(self, node: ast.AST) -> tuple[int, int]:
        # NOTE: ast offsets count UTF-8 bytes; convert to characters for the caret.
        encoded = self.line.encode("utf-8")
        start = len(encoded[: node.col_offset].decode("utf-8", errors="ignore"))
        end = len(encoded[: node.end_col_offset].decode("utf-8", errors="ignore"))
        last = len(self.positions) - 1
        return self.positions[min(start, last)], self.positions[min(max(end - 1, 0), last)] + 1

    def fail(self, node: ast.AST, message: str) -> FormulaError:
        return formula_error(self.text, self.span(node), message)

    def convert(self, node: ast.AST, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the formula is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Constant):
            return self._number(node)
        what = DESCRIPTIONS.get(type(node), f"the Python construct {type(node).__name__!r}")
        if isinstance(node, ast.Attribute):
            what = f"attribute access '.{node.attr}'"
        raise self.fail(node, f"{what} is not allowed in a formula; use only {ALLOWED}")

    def _binary(self, node: ast.BinOp, depth: int) -> Node:
        op = OPERATORS.get(type(node.op))
        if op is None:
            # the operator sits between the operands; point at the gap
            start = self.span(node.left)[1]
            end = max(self.span(node.right)[0], start + 1)
            raise formula_error(
                self.text,
                (start, end),
                f"the operator {type(node.op).__name__!r} is not allowed; use only + - * / "
                "and ** or ^ for a power",
            )
        left = self.convert(node.left, depth + 1)
        right = self.convert(node.right, depth + 1)
        if op == "/" and isinstance(right, Number) and right.value == 0:
            raise self.fail(node.right, "division by zero; the formula is undefined everywhere")
        return Binary(op, left, right, self.span(node))

    def _unary(self, node: ast.UnaryOp, depth: int) -> Node:
        operand = self.convert(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            if isinstance(operand, Number):
                return Number(-operand.value, self.span(node))
            return Negative(operand, self.span(node))
        raise self.fail(node, "only unary minus and plus are allowed as unary operators")

    def _call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            self.convert(node.func, depth + 1)  # raises for attribute access and the like
            raise self.fail(
                node, f"only the functions {', '.join(sorted(FUNCTIONS))} can be called"
            )
        name = node.func.id
        self._check_dunder(node.func)
        if name not in FUNCTIONS:
            hint = closest_name(name, FUNCTIONS)
            did_you_mean = f"did you mean {hint!r}? " if hint else ""
            raise self.fail(
                node.func,
                f"unknown function {name!r}; {did_you_mean}the functions are "
                f"{', '.join(sorted(FUNCTIONS))}",
            )
        if node.keywords:
            raise self.fail(node.keywords[0], f"{name}() takes no keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "a starred argument is not allowed")
        if len(node.args) != 1:
            where = node.args[1] if len(node.args) > 1 else node
            raise self.fail(where, f"{name}() takes exactly one argument, got {len(node.args)}")
        argument = self.convert(node.args[0], depth + 1)
        return Call(name, argument, self.span(node))

    def _check_dunder(self, node: ast.Name) -> None:
        if node.id.startswith("__") or node.id.endswith("__"):
            raise self.fail(
                node, f"the name {node.id!r} is not allowed: names may not start or end with '__'"
            )

    def _name(self, node: ast.Name) -> Node:
        self._check_dunder(node)
        if node.id in CONSTANTS:
            return Number(CONSTANTS[node.id], self.span(node))
        if node.id in FUNCTIONS:
            raise self.fail(
                node, f"{node.id!r} is a function; call it on an argument, as {node.id}(x)"
            )
        name = node.id
        if name.endswith(_RENAMED) and name.removesuffix(_RENAMED) in _KEYWORDS:
            name = name.removesuffix(_RENAMED)
        return Symbol(name, self.span(node))

    def _number(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, f"{value!r} is not allowed in a formula; use only {ALLOWED}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(
                node,
                f"the number {self.text[slice(*self.span(node))]!r} "
                "is too large for a float; rescale it",
            )
        return Number(number, self.span(node))


def _syntax_error(text: str, exc: SyntaxError, positions: list[int]) -> FormulaError:
    """Translate Python's syntax error into the user's terms, pointing at the place."""
    offset = exc.offset or 0
    # offset 0: the text ended too early (a trailing operator); point just after it
    column = positions[-1] if offset <= 0 else positions[min(offset - 1, len(positions) - 1)]
    reason = exc.msg or "invalid syntax"
    if "forgot a comma" in reason or (reason == "invalid syntax" and offset > 1):
        reason = "two terms without an operator between them? write '*' for a product"
    elif "decimal literal" in reason:
        reason = "a number followed by a name? write '*' for a product, as 2*x"
    elif reason == "invalid syntax":
        reason = "an operator without an operand?"
    return formula_error(
        text,
        (column, column + 1),
        f"the formula does not parse ({reason}); check the "
        "parentheses and that every operator has two operands",
    )


# Python keywords that can never be part of an expression: as names of columns (``yield``!)
# they are renamed before Python parses the formula, and back in its tree
_KEYWORDS = (
    "yield", "class", "def", "del", "from", "global", "import", "nonlocal", "pass", "raise",
    "return", "try", "while", "with", "as", "assert", "async", "break", "continue",
    "elif", "except", "finally",
)  # fmt: skip
_KEYWORD_NAME = re.compile(rf"(?<![\w.])({'|'.join(_KEYWORDS)})(?!\w)")
_RENAMED = "_kw_"  # the suffix of a renamed keyword


def _rename_keywords(source: str, positions: list[int]) -> tuple[str, list[int]]:
    """``source`` with every keyword of :data:`_KEYWORDS` used as a name renamed (``yield``
    -> ``yield_kw_``), and ``positions`` (the place in the user's text of each character,
    plus the end) kept in step."""
    pieces, places, last = [], [], 0
    for match in _KEYWORD_NAME.finditer(source):
        pieces.append(source[last : match.start()])
        places.extend(positions[last : match.start()])
        pieces.append(match.group(0) + _RENAMED)
        places.extend(positions[match.start() : match.end()])
        places.extend([positions[match.end() - 1]] * len(_RENAMED))
        last = match.end()
    pieces.append(source[last:])
    places.extend(positions[last:])
    return "".join(pieces), places


def _parse_side(text: str, start: int, end: int, side: str) -> Node:
    """Parse ``text[start:end]`` (one side of the formula) into an expression tree."""
    positions: list[int] = []
    pieces: list[str] = []
    while start < end and text[start].isspace():
        start += 1  # leading blanks would read as an indent
    for i in range(start, end):
        char = text[i]
        # ^ is a power, as in Excel and most calculators (Python reads it as bitwise xor)
        piece = "**" if char == "^" else (" " if char in "\n\r\t" else char)
        pieces.append(piece)
        positions.extend([i] * len(piece))
    positions.append(end)
    source = "".join(pieces)
    if not source.strip():
        raise formula_error(
            text,
            (start, end),
            f"the {side} side of the formula is empty; write e.g. 'y = b1*exp(-b2*x)'",
        )
    source, positions = _rename_keywords(source, positions)
    converter = _Converter(text, source, positions)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(text, exc, positions) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise formula_error(text, (start, end), f"the formula does not parse ({exc})") from None
    return converter.convert(tree.body)


def parse_formula(text: str) -> ParsedFormula:
    """Parse a formula such as ``'log(y) = b1 - b2*x1*exp(-b3*x2)'``.

    Parameters
    ----------
    text : str
        ``response = model``; without ``=`` the whole text is the model of ``y``.

    Returns
    -------
    ParsedFormula

    Raises
    ------
    TypeError
        When ``text`` is not a string.
    FormulaError
        When the text does not parse or uses anything but numbers, names, the operators
        and the allowed functions; the message points at the part with a caret.

    Examples
    --------
    >>> parsed = parse_formula("y = b1*(1 - exp(-b2*x))")
    >>> parsed.right.symbols()
    ['b1', 'b2', 'x']
    >>> parse_formula("y = x.__class__")
    Traceback (most recent call last):
    ...
    yieldlab.exceptions.FormulaError: column 5: attribute access '.__class__' is not allowed in a formula; use only numbers, names, + - * / ** ^, parentheses and the functions abs, arctan, atan, cos, cosh, exp, log, log10, sin, sinh, sqrt, tan, tanh
        y = x.__class__
            ^^^^^^^^^^^
    """  # noqa: E501
    if not isinstance(text, str):
        raise TypeError(
            f"formula={text!r} has the wrong type; expected a string such as 'y = b1*exp(-b2*x)'"
        )
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if "\x00" in text:
        raise formula_error(
            text,
            (text.index("\x00"), text.index("\x00") + 1),
            "the formula contains a null character; remove it",
        )
    left_range, right_range = _split(text)
    right = _parse_side(text, *right_range, "right")
    left = Symbol("y", (0, 0)) if left_range is None else _parse_side(text, *left_range, "left")
    return ParsedFormula(text=text, left=left, right=right)
