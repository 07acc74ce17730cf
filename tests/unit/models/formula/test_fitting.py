"""Automatic starts, the solver stages and the fallbacks of a formula fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from yieldlab.models.formula import parse_formula
from yieldlab.models.formula.fitting import fit_problem, scaled_condition
from yieldlab.models.formula.problem import HUGE_RESIDUAL, Problem
from yieldlab.models.formula.starts import (
    automatic_starts,
    fallback_starts,
    linear_parameters,
    score_starts,
)

# NIST BoxBOD: y = b1*(1 - exp(-b2*x)), certified b1 = 213.80940889, b2 = 0.54723748542
BOX_X = np.array([1.0, 2.0, 3.0, 5.0, 7.0, 10.0])
BOX_Y = np.array([109.0, 149.0, 149.0, 191.0, 213.0, 224.0])
BOX_CERTIFIED = np.array([2.1380940889e02, 5.4723748542e-01])


def problem_of(text: str, inputs: dict, y: np.ndarray) -> Problem:
    tree = parse_formula(text).right
    names = [s for s in tree.symbols() if s not in inputs]
    return Problem(tree, inputs, y, names)


def box_problem() -> Problem:
    return problem_of("y = b1*(1 - exp(-b2*x))", {"x": BOX_X}, BOX_Y)


FREE = (np.full(2, -np.inf), np.full(2, np.inf))


def free(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, -np.inf), np.full(n, np.inf)


@pytest.mark.parametrize(
    ("text", "linear"),
    [
        ("y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5", ["b1", "b3", "b5"]),
        ("y = (b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)", ["b1", "b2", "b3"]),
        ("y = b1*b2*x", ["b1"]),  # jointly, only one of the pair is linear
        ("y = b1*x**b2", ["b1"]),
        ("y = x/b1", []),
        ("y = exp(b1)*x", []),
        ("y = -(b1 - b2*x)/7", ["b1", "b2"]),
        ("y = b1**1*x", ["b1"]),
        ("y = b1*cos(2*pi*x/b2) + b3", ["b1", "b3"]),
    ],
)
def test_linear_parameters_are_found(text, linear):
    tree = parse_formula(text).right
    names = [s for s in tree.symbols() if s != "x"]
    assert linear_parameters(tree, names) == linear


def test_scoring_solves_the_linear_parameters_exactly(rng):
    x = rng.uniform(0, 4, 40)
    y = 2.0 - 1.5 * np.exp(-0.8 * x) + rng.normal(0, 0.01, 40)
    problem = problem_of("y = b1 + b2*exp(-b3*x)", {"x": x}, y)
    points, sse = score_starts(problem, np.array([[9.0, 9.0, 0.8], [0.0, 0.0, 2.0]]), *free(3))
    for point, score in zip(points, sse, strict=True):
        A = np.column_stack([np.ones_like(x), np.exp(-point[2] * x)])
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        np.testing.assert_allclose(point[:2], coef, rtol=1e-9)
        assert score == pytest.approx(problem.sse(point), rel=1e-9)


def test_scoring_marks_points_where_the_model_is_undefined():
    problem = problem_of("y = b1*log(b2 - x)", {"x": BOX_X}, BOX_Y)
    _, sse = score_starts(problem, np.array([[1.0, 0.5], [1.0, 20.0]]), *FREE)
    assert sse[0] == np.inf and np.isfinite(sse[1])


def test_automatic_starts_land_in_the_basin_of_the_optimum():
    problem = box_problem()
    starts = automatic_starts(problem, *FREE)
    assert 1 <= len(starts) <= 5
    best = least_squares(
        problem.residuals, starts[0], jac=problem.jacobian, method="lm", xtol=1e-15, ftol=1e-15
    )
    np.testing.assert_allclose(best.x, BOX_CERTIFIED, rtol=1e-8)


def test_fallback_starts_include_the_box_of_the_bounds():
    problem = box_problem()
    lower, upper = np.array([100.0, 0.01]), np.array([300.0, 100.0])
    points = fallback_starts(problem, np.array([1.0, 1.0]), lower, upper)
    assert all(np.all((p >= lower) & (p <= upper)) for p in points)
    assert len(points) >= 5


def test_given_start_reaches_certified_values_in_one_start():
    result = fit_problem(box_problem(), np.array([100.0, 0.75]), *FREE)
    np.testing.assert_allclose(result.theta, BOX_CERTIFIED, rtol=1e-9)
    assert result.converged and not result.fallback and result.n_starts_tried == 1
    assert result.sse == pytest.approx(1.1680088766e03, rel=1e-9)


def test_hopeless_start_falls_back_to_more_starts():
    # b2 = 1000 switches the exponential off: the Jacobian column of b2 is 0 at every row
    result = fit_problem(box_problem(), np.array([1.0, 1000.0]), *FREE)
    assert result.fallback and result.n_starts_tried > 1
    np.testing.assert_allclose(result.theta, BOX_CERTIFIED, rtol=1e-9)


def test_local_minimum_is_escaped_when_the_scan_finds_better():
    # a sine fitted from a frequency 4x too low stalls in a local minimum (SSE 226)
    x = np.linspace(0.0, 20.0, 200)
    y = 1.5 * np.sin(2.0 * x) + 0.3
    problem = problem_of("y = a*sin(w*x) + c", {"x": x}, y)
    result = fit_problem(problem, np.array([1.0, 0.5, 0.0]), *free(3))
    assert result.fallback and result.n_starts_tried > 1
    np.testing.assert_allclose(result.theta, [1.5, 2.0, 0.3], rtol=1e-10)


def test_no_start_at_all():
    result = fit_problem(box_problem(), None, *FREE)
    assert result.automatic_start and result.n_starts_tried >= 1
    np.testing.assert_allclose(result.theta, BOX_CERTIFIED, rtol=1e-9)


def test_bounds_are_honoured():
    lower, upper = np.array([-np.inf, 0.0]), np.array([200.0, np.inf])
    result = fit_problem(box_problem(), np.array([150.0, 0.5]), lower, upper)
    assert result.theta[0] == pytest.approx(200.0)  # the unconstrained optimum is 213.8
    assert result.sse > 1.168e3


def test_residuals_outside_the_domain_are_reported_large_not_nan():
    problem = problem_of("y = b1*log(b2 - x)", {"x": BOX_X}, BOX_Y)
    r = problem.residuals(np.array([1.0, 2.0]))
    assert np.all(np.isfinite(r)) and r[-1] == HUGE_RESIDUAL
    assert problem.sse(np.array([1.0, 2.0])) == np.inf
    assert np.all(np.isfinite(problem.jacobian(np.array([1.0, 2.0]))))


def test_scaled_condition():
    assert scaled_condition(np.array([[1.0, 0.0], [0.0, 1e-9]])) == pytest.approx(1.0)
    assert scaled_condition(np.array([[1.0, 2.0], [2.0, 4.0]])) > 1e15
    assert scaled_condition(np.array([[1.0, 0.0], [1.0, 0.0]])) == np.inf
