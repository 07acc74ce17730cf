"""Exact derivatives of the expression tree against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.models.formula import parse_formula
from yieldlab.models.formula.expression import FUNCTIONS, evaluate, first_nonfinite


def jacobian_fd(tree, env, names, n_samples, h=1e-6):
    """Central differences, relative step, in float64."""
    columns = []
    for name in names:
        step = h * max(1.0, abs(env[name]))
        up, down = dict(env), dict(env)
        up[name] = env[name] + step
        down[name] = env[name] - step
        columns.append(
            (evaluate(tree, up, n_samples=n_samples) - evaluate(tree, down, n_samples=n_samples))
            / (2 * step)
        )
    return np.column_stack(columns)


def check_gradient(text, params, x, rtol=1e-6):
    tree = parse_formula(text).right
    env = {"x": x, **params}
    names = list(params)
    value, jacobian = evaluate(tree, env, names, n_samples=x.size)
    assert value.shape == (x.size,) and jacobian.shape == (x.size, len(names))
    expected = jacobian_fd(tree, env, names, x.size)
    np.testing.assert_allclose(jacobian, expected, rtol=rtol, atol=1e-7 * np.abs(expected).max())
    return jacobian


# each function on an argument that depends on both parameters, inside its domain
@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_differentiates_exactly(function, rng):
    x = rng.uniform(0.2, 0.9, 25)
    check_gradient(f"y = a*{function}(b*x + 0.1)", {"a": 1.3, "b": 0.7}, x)


@pytest.mark.parametrize(
    "text",
    [
        "y = a + b*x - a*b",
        "y = a*x / (b + x)",
        "y = (a + x) / (b*x)",
        "y = x**a",  # variable exponent
        "y = a**x",  # variable base of a constant
        "y = (a + x)**(-1/b)",  # both vary (NIST Bennett5)
        "y = (b*x)^3 - a^2",  # ^ as power
        "y = -a*x + -(b)",
        "y = a / ((1 + exp(b - 0.5*x))**(1/a))",  # NIST Rat43 shape
        "y = a - b*x - arctan(a/(x - b - 3))/pi",  # NIST Roszman1 shape
        "y = a*cos(2*pi*x/b) + b*sin(2*pi*x/a)",  # NIST ENSO shape
        "y = (a/b) * exp(-0.5*((x - a)/b)**2)",  # NIST Eckerle4 shape
        "y = abs(a - x) * sqrt(b)",
    ],
)
def test_compound_formulas_differentiate_exactly(text, rng):
    x = rng.uniform(0.5, 2.0, 30)
    check_gradient(text, {"a": 1.7, "b": 2.3}, x)


def test_parameters_absent_from_a_branch_get_zero_derivative():
    tree = parse_formula("y = a*x + 0*b").right
    _, jacobian = evaluate(tree, {"x": np.array([1.0, 2.0]), "a": 1.0, "b": 5.0}, ["a", "b"])
    np.testing.assert_array_equal(jacobian, [[1.0, 0.0], [2.0, 0.0]])


def test_a_constant_expression_broadcasts_to_the_rows():
    tree = parse_formula("y = a*2").right
    value, jacobian = evaluate(tree, {"a": 3.0}, ["a"], n_samples=4)
    np.testing.assert_array_equal(value, np.full(4, 6.0))
    np.testing.assert_array_equal(jacobian, np.full((4, 1), 2.0))


def test_batched_parameters_match_one_by_one(rng):
    """Parameters of shape (k, 1) against inputs of shape (n,): one pass for k points."""
    tree = parse_formula("y = a*exp(-b*x) + c/(1 + x**b)").right
    x = rng.uniform(0.1, 3.0, 20)
    points = rng.uniform(0.5, 2.0, size=(6, 3))
    env = {"x": x, "a": points[:, [0]], "b": points[:, [1]], "c": points[:, [2]]}
    values, jacobian = evaluate(tree, env, ["a", "c"], n_samples=(6, 20))
    assert values.shape == (6, 20) and jacobian.shape == (6, 20, 2)
    for k, (a, b, c) in enumerate(points):
        one_value, one_jacobian = evaluate(tree, {"x": x, "a": a, "b": b, "c": c}, ["a", "c"])
        np.testing.assert_allclose(values[k], one_value, rtol=1e-15)
        np.testing.assert_allclose(jacobian[k], one_jacobian, rtol=1e-15)


def test_first_nonfinite_names_the_innermost_part():
    text = "y = a*(1 + log(b - x))"
    tree = parse_formula(text).right
    node, row = first_nonfinite(tree, {"a": 1.0, "b": 2.5, "x": np.array([1.0, 2.0, 3.0])})
    assert text[node.span[0] : node.span[1]] == "log(b - x)"
    assert row == 2
    assert first_nonfinite(tree, {"a": 1.0, "b": 9.0, "x": np.array([1.0, 2.0])}) is None


def test_evaluation_does_not_warn_outside_the_domain():
    tree = parse_formula("y = log(x) + 1/x").right
    value = evaluate(tree, {"x": np.array([-1.0, 0.0, 1.0])})  # warnings are errors here
    assert np.isnan(value[0]) and np.isnan(value[1]) and value[2] == 1.0
