"""The left side of a formula: transform, inverse and the slope of the inverse."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.exceptions import FormulaError
from yieldlab.models.formula import parse_formula
from yieldlab.models.formula.response import Response


def response_of(left: str) -> Response:
    return Response(parse_formula(f"{left} = b*x"))


@pytest.mark.parametrize(
    ("left", "transform"),
    [
        ("y", lambda y: y),
        ("log(y)", np.log),
        ("log10(y)", np.log10),
        ("sqrt(y)", np.sqrt),
        ("exp(y)", np.exp),
        ("1/y", lambda y: 1 / y),
        ("y**2", lambda y: y**2),
        ("y^0.5", np.sqrt),
        ("2*y + 3", lambda y: 2 * y + 3),
        ("3 - y", lambda y: 3 - y),
        ("-y", lambda y: -y),
        ("y/1000 - 1", lambda y: y / 1000 - 1),
        ("log(y/1000)", lambda y: np.log(y / 1000)),
        ("10**y", lambda y: 10**y),
        ("sinh(y)", np.sinh),
        ("tanh(y/10)", lambda y: np.tanh(y / 10)),
        ("atan(y)", np.arctan),
        ("log(1 + sqrt(y))", lambda y: np.log(1 + np.sqrt(y))),
    ],
)
def test_left_side_inverts_exactly(left, transform, rng):
    response = response_of(left)
    y = rng.uniform(0.2, 1.3, 20)
    z = response.transform(y)
    np.testing.assert_allclose(z, transform(y), rtol=1e-14)
    np.testing.assert_allclose(response.untransform(z), y, rtol=1e-12)
    # slope of the inverse, against central differences
    h = 1e-6
    expected = (response.untransform(z + h) - response.untransform(z - h)) / (2 * h)
    np.testing.assert_allclose(response.slope(z), expected, rtol=1e-6)
    assert response.name == "y" and response.transformed == (left != "y")


@pytest.mark.parametrize(
    ("left", "part"),
    [("cos(y)", "cos(y)"), ("abs(y)", "abs(y)"), ("cosh(y)", "cosh(y)"), ("y*y", "y*y")],
)
def test_a_left_side_that_cannot_be_inverted_is_refused(left, part):
    with pytest.raises(FormulaError, match="cannot be inverted") as info:
        response_of(left)
    start, end = info.value.span
    assert f"{left} = b*x"[start:end] == part


@pytest.mark.parametrize(("left", "what"), [("y/x", "the names"), ("2", "no name")])
def test_left_side_holds_exactly_one_name(left, what):
    with pytest.raises(FormulaError, match=what):
        response_of(left)


def test_describe_gives_the_left_side_as_written():
    assert response_of("log( y )").describe() == "log( y )"
    assert Response(parse_formula("b*x")).describe() == "y"
