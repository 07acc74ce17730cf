"""The formula parser: what it accepts, and that it never runs the text as Python."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yieldlab.exceptions import FormulaError
from yieldlab.models.formula import parse_formula
from yieldlab.models.formula.expression import Symbol, evaluate

PACKAGE = Path(__file__).resolve().parents[4] / "src" / "yieldlab" / "models" / "formula"


def value_of(text: str, **env) -> float:
    return float(evaluate(parse_formula(text).right, env))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y = 2^3^2", 512.0),  # ^ is a power, right-associative like **
        ("y = -2**2", -4.0),  # unary minus binds looser than the power
        ("y = 2**-1", 0.5),
        ("y = 1.5e-3*1e3", 1.5),
        ("y = 2.5E+1", 25.0),
        ("y = 1_000 / 8", 125.0),
        ("y = 4*atan(1) - pi", 0.0),
        ("y = arctan(1) - atan(1)", 0.0),
        ("y = sqrt(16) + log10(100) + log(exp(2)) + abs(-3)", 11.0),
        ("y = sinh(0) + tanh(0) + cosh(0) + sin(0) + cos(0) + tan(0)", 2.0),
        ("y = +3 - -2", 5.0),
        ("y = ((((1))))", 1.0),
        ("y = (exp)(0)", 1.0),  # the same syntax tree as exp(0)
        ("y = 7 / 2", 3.5),  # true division, as in maths
    ],
)
def test_arithmetic_follows_mathematical_conventions(text, expected):
    assert value_of(text) == pytest.approx(expected, abs=1e-15)


def test_sides_names_and_order_of_appearance():
    parsed = parse_formula("log(y) = b1 - b2*x1 * exp(-b3*x2)")
    assert isinstance(parsed.left.argument, Symbol) and parsed.left.argument.name == "y"
    assert parsed.right.symbols() == ["b1", "b2", "x1", "b3", "x2"]
    # without a left side the text is the model of y
    parsed = parse_formula("b1*exp(-b2*x)")
    assert parsed.left.symbols() == ["y"] and parsed.right.symbols() == ["b1", "b2", "x"]


def test_layout_is_free_across_lines_and_tabs():
    parsed = parse_formula("y =\tb1 *\n  x\n + b2")
    assert float(evaluate(parsed.right, {"b1": 2.0, "x": 3.0, "b2": 1.0})) == 7.0


def test_power_caret_is_exponentiation_not_xor():
    # Python would read 3^2 as 1 (bitwise xor) and b*x^2 as (b*x)^2
    assert value_of("y = b*x^2", b=2.0, x=3.0) == 18.0


MALICIOUS = [
    ("y = __import__('os').system('echo hacked')", "attribute access '.system'"),
    ("y = ().__class__", "'.__class__'"),
    ("y = x.real", "'.real'"),
    ("y = exp.__globals__", "'.__globals__'"),
    ("y = (lambda: 0)()", "a lambda"),
    ("y = lambda: 0", "a lambda"),
    ("y = [x][0]", "a subscript"),
    ("y = x[0]", "a subscript"),
    ("y = open('f')", "unknown function 'open'"),
    ("y = eval('1')", "unknown function 'eval'"),
    ("y = exec('1')", "unknown function 'exec'"),
    ("y = getattr(x, 'real')", "unknown function 'getattr'"),
    ("y = __builtins__", "'__builtins__' is not allowed"),
    ("y = __x + 1", "'__x' is not allowed"),
    ("y = f'{x}'", "an f-string"),
    ("y = 'abc'", "'abc' is not allowed"),
    ("y = b'abc'", "is not allowed"),
    ("y = (x := 1)", "assignment expression"),
    ("y = [i for i in x]", "a comprehension"),
    ("y = (i for i in x)", "a generator expression"),
    ("y = {1: 2}", "a dict"),
    ("y = {1, 2}", "a set"),
    ("y = (1, 2)", "a tuple"),
    ("y = [1, 2]", "a list"),
    ("y = x if x else 1", "a conditional expression"),
    ("y = x and 1", "a boolean operator"),
    ("y = x < 1", "a comparison"),
    ("y = x // 2", "'FloorDiv'"),
    ("y = x % 2", "'Mod'"),
    ("y = x @ x", "'MatMult'"),
    ("y = x << 2", "'LShift'"),
    ("y = ~x", "unary"),
    ("y = not x", "unary"),
    ("y = exp(x=1)", "no keyword arguments"),
    ("y = exp(*x)", "a starred argument"),
    ("y = exp(**x)", "no keyword arguments"),
    ("y = exp(x, 2)", "exactly one argument"),
    ("y = exp()", "exactly one argument"),
    ("y = (b*x)(2)", "can be called"),
    ("y = True * x", "True is not allowed"),
    ("y = None", "None is not allowed"),
    ("y = 2j * x", "2j is not allowed"),
    ("y = ...", "Ellipsis is not allowed"),
    ("y = exp", "'exp' is a function"),
    ("y = 1e999 * x", "too large"),
    ("import os", "does not parse"),
    ("y = x; import os", "does not parse"),
    ("y = x\nimport os", "does not parse"),
    ("y = yield x", "does not parse"),
    ("y = await x", "await"),
    ("y = x = 1", "exactly one '='"),
    ("y = (" * 120 + "x" + ")" * 120, "does not parse"),
    ("y = " + "+".join(["x"] * 300), "nested more than"),
    ("y = x\x00", "null character"),
]


@pytest.mark.parametrize(("text", "message"), MALICIOUS)
def test_anything_but_the_grammar_is_rejected(text, message):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    first, formula_line, caret_line = str(info.value).split("\n")
    assert message in first
    assert first.startswith("column ")
    assert formula_line == "    " + text.replace("\n", " ")
    # the caret sits under the formula, inside it
    assert caret_line.strip() and set(caret_line.strip()) == {"^"}
    start, end = info.value.span
    assert 0 <= start < end <= max(len(text), start + 1)
    assert caret_line.index("^") - 4 == start


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("y = b1*x.real + b2", "x.real"),
        ("y = b1*expo(x)", "expo"),
        ("y = b1 + __import__('os')", "__import__"),
        ("y = b1*(x)[0]", "(x)[0]"),
        ("log(y) = b1*µ.imag", "µ.imag"),  # columns count characters, not bytes
    ],
)
def test_the_caret_points_at_the_offending_part(text, part):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    start, end = info.value.span
    assert text[start:end] == part


def test_a_formula_can_never_run_code(tmp_path):
    target = tmp_path / "pwned"
    attempts = [
        f"y = __import__('pathlib').Path({str(target)!r}).touch()",
        f"y = open({str(target)!r}, 'w')",
        f"y = [c for c in ().__class__.__base__.__subclasses__()][0]({str(target)!r})",
    ]
    for text in attempts:
        with pytest.raises(FormulaError):
            parse_formula(text)
    assert not target.exists()


def test_the_package_never_calls_eval_exec_or_compile():
    forbidden = {"eval", "exec", "compile", "__import__"}
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden, f"{path.name} calls {node.func.id}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("y = b1*(1 - exp(-b2*x)", "'(' was never closed"),
        ("y = b1*x +", "an operator without an operand"),
        ("y = b1 x", "two terms without an operator"),
        ("y = 2x", "write '*' for a product"),
        ("y = ", "right side of the formula is empty"),
        (" = x", "left side of the formula is empty"),
    ],
)
def test_syntax_errors_say_what_to_fix(text, message):
    with pytest.raises(FormulaError, match="does not parse|is empty") as info:
        parse_formula(text)
    assert message in str(info.value).split("\n")[0]


def test_unknown_function_suggests_the_closest_one():
    with pytest.raises(FormulaError, match="did you mean 'sqrt'"):
        parse_formula("y = sqr(x)")


@pytest.mark.parametrize("bad", [None, 3.0, b"y = x", ["y = x"]])
def test_formula_must_be_text(bad):
    with pytest.raises(TypeError, match="expected a string"):
        parse_formula(bad)


def test_overlong_formula_is_refused():
    with pytest.raises(FormulaError, match="limit is 10000"):
        parse_formula("y = " + "x+" * 6000 + "x")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xyb12 .+-*/^()=_eap'[],:;lgsqrtxo\n", max_size=40))
def test_arbitrary_text_parses_or_raises_formula_error(text):
    try:
        parsed = parse_formula(text)
    except FormulaError:
        return
    # whatever parses evaluates with NumPy alone
    names = set(parsed.right.symbols()) | set(parsed.left.symbols())
    with np.errstate(all="ignore"):
        evaluate(parsed.right, dict.fromkeys(names, 1.5))


def test_python_keywords_are_names_of_columns():
    # 'yield' is the commonest response of all, and a Python keyword
    parsed = parse_formula("yield = a*(1 - exp(-k*time)) + b*class")
    assert parsed.left.name == "yield"
    assert parsed.right.symbols() == ["a", "k", "time", "b", "class"]
    values = {"a": 80.0, "k": 0.5, "time": 2.0, "b": 1.0, "class": 3.0}
    assert evaluate(parsed.right, values) == pytest.approx(80 * (1 - np.exp(-1.0)) + 3.0)
    with pytest.raises(FormulaError, match="column 31: the formula does not parse"):
        parse_formula("yield = a*(1 - exp(-k*time)) +")


def test_a_division_by_a_literal_zero_is_refused_where_it_is():
    with pytest.raises(FormulaError, match="column 7: division by zero") as info:
        parse_formula("y = a/0.0 + b*x")
    assert str(info.value).splitlines()[-1].strip() == "^^^"
    # a divisor that is zero only for some data is the data's business, not the parser's
    assert evaluate(parse_formula("y = 1/(x - 1)").right, {"x": np.array([1.0, 2.0])})[1] == 1
