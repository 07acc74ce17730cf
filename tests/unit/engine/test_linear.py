"""Least squares in the engine: exactness against rational arithmetic, the statistics the
estimators build on, aliasing, ridge, the double-double kernels and gradient descent."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from yieldlab.engine.extended import (
    dd_matvec,
    dd_rmatvec,
    dd_sum,
    monomials,
    two_prod,
    two_sum,
)
from yieldlab.engine.least_squares import solve_normal_equations
from yieldlab.engine.linear import fit_least_squares, gradient_descent
from yieldlab.exceptions import DivergenceError


def exact_lstsq(A, y: np.ndarray) -> np.ndarray:
    """Least squares in rational arithmetic: the normal equations solved exactly.

    ``A`` is a float array or a list of rows of Fractions (an exact design)."""
    A_q = [[Fraction(v) if not isinstance(v, Fraction) else v for v in row] for row in A]
    y_q = [Fraction(float(v)) for v in y]
    k = len(A_q[0])
    G = [[sum(r[i] * r[j] for r in A_q) for j in range(k)] for i in range(k)]
    g = [sum(r[i] * t for r, t in zip(A_q, y_q, strict=True)) for i in range(k)]
    for p in range(k):  # Gauss-Jordan, exact
        pivot = G[p][p]
        G[p] = [v / pivot for v in G[p]]
        g[p] /= pivot
        for i in range(k):
            if i != p and G[i][p] != 0:
                f = G[i][p]
                G[i] = [a - f * b for a, b in zip(G[i], G[p], strict=True)]
                g[i] -= f * g[p]
    return np.array([float(v) for v in g])


def lre(estimate: np.ndarray, exact: np.ndarray) -> float:
    """Smallest number of correct significant digits over the entries (capped at 16)."""
    with np.errstate(divide="ignore"):
        digits = -np.log10(np.abs(estimate - exact) / np.abs(exact))
    return float(np.min(np.minimum(digits, 16.0)))


def with_ones(X: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(X.shape[0]), X])


# ------------------------------------------------------------------------ double-double
def test_two_sum_and_two_prod_are_error_free():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(200) * 1e8, rng.standard_normal(200)
    s, e = two_sum(a, b)
    p, f = two_prod(a, b)
    for i in range(200):
        assert Fraction(s[i]) + Fraction(e[i]) == Fraction(a[i]) + Fraction(b[i])
        assert Fraction(p[i]) + Fraction(f[i]) == Fraction(a[i]) * Fraction(b[i])


def test_dd_kernels_survive_total_cancellation():
    # float64 gives 0 for each of these; the exact answers are 1 and 2
    A = np.array([[1e16, 1.0, -1e16], [1e17, 2.0, -1e17]])
    hi, lo = dd_matvec(A, np.ones(3))
    assert (hi + lo).tolist() == [1.0, 2.0]
    assert dd_rmatvec(A.T, np.ones(3)).tolist() == [1.0, 2.0]
    s, e = dd_sum(np.array([1e16, 3.0, -1e16, 4.0]))
    assert s + e == 7.0


def test_monomials_are_exact_to_double_double():
    x = np.array([[0.1, -3.7], [1.3, 2.9]])
    exponents = np.array([[10, 0], [2, 3], [0, 1]])
    hi, lo = monomials(x, exponents)
    for i in range(2):
        for t, (e0, e1) in enumerate(exponents):
            exact = Fraction(x[i, 0]) ** int(e0) * Fraction(x[i, 1]) ** int(e1)
            error = abs(Fraction(hi[i, t]) + Fraction(lo[i, t]) - exact)
            assert error <= abs(exact) * Fraction(1, 2**98)
    assert hi[0, 0] == pytest.approx(0.1**10, rel=1e-15)


# ------------------------------------------------------------------ closed form, exactly
def test_one_weight_without_bias_is_sum_xy_over_sum_xx():
    # ERRATA: w = sum(x y) / sum(x^2), not sum(x y / x^2)
    x = np.array([1.0, 2.0, 4.0])
    y = np.array([2.0, 3.0, 9.0])
    fit = fit_least_squares(x[:, None], y, fit_intercept=False)
    assert fit.coef[0] == pytest.approx((2 + 6 + 36) / (1 + 4 + 16), rel=1e-15)
    assert fit.coef[0] != pytest.approx(np.sum(x * y / x**2))


@pytest.mark.parametrize("solver", ["qr", "svd", "cholesky", "auto"])
def test_solvers_match_rational_arithmetic(rng, solver):
    X = rng.standard_normal((15, 3)) * [1.0, 1e3, 1e-3] + [5.0, -2e3, 0.0]
    y = X @ [0.5, 2e-3, 700.0] + 3.0 + rng.standard_normal(15)
    exact = exact_lstsq(with_ones(X), y)
    fit = fit_least_squares(X, y, solver=solver)
    assert lre(fit.params, exact) >= (15 if solver != "cholesky" else 12)


def test_refinement_beats_lstsq_on_an_ill_conditioned_polynomial():
    x = np.linspace(1.0, 2.0, 21)
    D, tail = monomials(x[:, None], np.arange(1, 9)[:, None])
    y = np.cos(3 * x)
    exact = exact_lstsq([[Fraction(v) ** k for k in range(9)] for v in x], y)
    ours = fit_least_squares(D, y, solver="qr", X_tail=tail)
    theirs = np.linalg.lstsq(with_ones(D), y, rcond=None)[0]
    assert ours.condition > 1e6
    assert lre(ours.params, exact) >= 11
    assert lre(ours.params, exact) > lre(theirs, exact) + 3


def test_covariance_leverage_and_prediction_variance(rng):
    X = rng.standard_normal((40, 3)) + np.array([10.0, 0.0, -5.0])
    y = X @ [1.0, -2.0, 0.5] + rng.standard_normal(40)
    A = with_ones(X)
    inverse = np.linalg.inv(A.T @ A)
    for solver in ("qr", "svd", "cholesky"):
        fit = fit_least_squares(X, y, solver=solver)
        np.testing.assert_allclose(fit.covariance(), inverse, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(fit.leverage, np.einsum("ij,jk,ik->i", A, inverse, A))
        np.testing.assert_allclose(fit.prediction_variance(X), fit.leverage, rtol=1e-10)
        assert fit.rss == pytest.approx(np.sum((y - A @ fit.params) ** 2), rel=1e-12)
        assert fit.leverage.sum() == pytest.approx(4.0)


def test_ridge_matches_its_closed_form(rng):
    X = rng.standard_normal((30, 4)) * [1.0, 10.0, 0.1, 3.0] + 2.0
    y = X @ [1.0, 0.2, 5.0, -1.0] + rng.standard_normal(30)
    alpha = 2.5
    Xc, yc = X - X.mean(0), y - y.mean()
    B = np.linalg.inv(Xc.T @ Xc + alpha * np.eye(4))
    coef = B @ Xc.T @ yc
    A, P = with_ones(X), np.diag([0.0, alpha, alpha, alpha, alpha])
    bread = np.linalg.inv(A.T @ A + P)
    for solver in ("qr", "svd", "cholesky", "gd"):
        fit = fit_least_squares(X, y, alpha=alpha, solver=solver)
        np.testing.assert_allclose(fit.coef, coef, rtol=1e-7 if solver == "gd" else 1e-12)
        if solver != "gd":
            np.testing.assert_allclose(fit.covariance(), bread @ A.T @ A @ bread, rtol=1e-9)
            hat = np.einsum("ij,jk,ik->i", A, bread, A)
            np.testing.assert_allclose(fit.leverage, hat, rtol=1e-10)
            assert fit.dof_model == pytest.approx(hat.sum())


# ---------------------------------------------------------------------------- aliasing
def test_aliased_terms_are_found_in_order_and_zeroed(rng):
    X = rng.standard_normal((20, 3))
    X = np.column_stack([X, 2 * X[:, 0] - X[:, 1] + 3.0, np.full(20, 5.0)])
    y = X[:, 0] + rng.standard_normal(20)
    fit = fit_least_squares(X, y, solver="qr")
    assert fit.aliased.tolist() == [False, False, False, False, True, True]
    assert fit.rank == 4
    assert fit.coef[3:].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(fit.alias_relations[4], [3.0, 2.0, -1.0, 0.0, 0.0, 0.0],
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(fit.alias_relations[5], [5.0, 0, 0, 0, 0, 0], atol=1e-12)
    reduced = fit_least_squares(X[:, :3], y, solver="qr")
    np.testing.assert_allclose(fit.params[:4], reduced.params, rtol=1e-13)
    cov = fit.covariance()
    assert np.isnan(cov[4:]).all() and np.isnan(cov[:, 4:]).all()
    np.testing.assert_allclose(cov[:4, :4], reduced.covariance(), rtol=1e-10)


def test_svd_gives_the_minimum_norm_answer_for_a_duplicated_column(rng):
    x = rng.standard_normal(12)
    X = np.column_stack([x, x])
    fit = fit_least_squares(X, 3.0 * x + 1.0, solver="svd")
    np.testing.assert_allclose(fit.coef, [1.5, 1.5], rtol=1e-12)
    assert fit.aliased.tolist() == [False, True, True]


def test_cholesky_falls_back_to_qr_when_singular(rng):
    x = rng.standard_normal(10)
    fit = fit_least_squares(np.column_stack([x, x]), x, solver="cholesky")
    assert fit.solver == "qr" and fit.aliased.tolist() == [False, False, True]


# ------------------------------------------------------------------- large, fast path
@pytest.mark.parametrize("shape", [(20_000, 8), (1_000, 40)])  # narrow and wide kernels
def test_auto_uses_normal_equations_on_large_problems(rng, shape):
    X = rng.standard_normal(shape) + 3.0
    y = X @ rng.standard_normal(shape[1]) + 1.0 + rng.standard_normal(shape[0])
    fast = fit_least_squares(X, y)
    exact = fit_least_squares(X, y, solver="qr")
    assert fast.solver == "cholesky" and exact.solver == "qr"
    np.testing.assert_allclose(fast.params, exact.params, rtol=1e-12)
    np.testing.assert_allclose(fast.leverage, exact.leverage, rtol=1e-10)
    np.testing.assert_allclose(fast.residuals, exact.residuals, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(fast.covariance(), exact.covariance(), rtol=1e-10)
    lean = fit_least_squares(X, y, diagnostics=False)
    assert lean.residuals is None and lean.leverage is None
    np.testing.assert_allclose(lean.params, exact.params, rtol=1e-12)
    assert lean.rss == pytest.approx(exact.rss, rel=1e-10)


def test_auto_leaves_the_normal_equations_when_ill_conditioned(rng):
    X = rng.standard_normal((20_000, 8))
    X[:, 7] = X[:, 6] + 1e-6 * rng.standard_normal(20_000)
    y = X.sum(axis=1)
    assert fit_least_squares(X, y).solver == "qr"
    assert solve_normal_equations(X, y) is None
    assert solve_normal_equations(X, y, check_condition=False).solver == "cholesky"


# -------------------------------------------------------------------- gradient descent
def test_gradient_descent_reaches_the_closed_form(rng):
    X = rng.standard_normal((200, 5)) * [1.0, 2.0, 0.5, 3.0, 1.0] + 4.0
    y = X @ [1.0, -2.0, 3.0, 0.5, 0.0] - 7.0 + rng.standard_normal(200)
    closed = fit_least_squares(X, y, solver="qr")
    gd = fit_least_squares(X, y, solver="gd")
    assert gd.solver == "gd" and gd.converged
    assert np.max(np.abs(gd.params - closed.params) / np.abs(closed.params).max()) < 1e-8
    rel = np.abs(gd.params - closed.params) / np.abs(closed.params)
    assert rel[np.abs(closed.params) > 1e-2].max() < 1e-6


def test_gradient_descent_one_step_by_hand():
    # x = [1, -1] (already standardised), y = [3, 1], start w = b = 0:
    # e = -y, dC/dw = 2/2 * (1*(-3) + (-1)*(-1)) = -2, dC/db = 2/2 * (-3 - 1) = -4;
    # L = max(2 * mean(x^2), 2) = 2, eta = 1/2: w = 0 - 0.5*(-2) = 1, b = 0 - 0.5*(-4) = 2,
    # which is already the least-squares line y = 2 + x.
    res = gradient_descent(np.array([[1.0], [-1.0]]), np.array([3.0, 1.0]), max_iter=2)
    assert res.learning_rate == 0.5
    assert res.coef.tolist() == [1.0] and res.intercept == 2.0 and res.converged


def test_gradient_descent_reports_what_it_did(rng):
    X = rng.standard_normal((50, 2)) * [1.0, 30.0]
    y = X @ [1.0, 1.0]
    short = gradient_descent(X, y, max_iter=3)
    assert not short.converged and short.n_iter == 3
    with pytest.raises(DivergenceError, match=r"learning_rate=5\.0 is above 2/L"):
        gradient_descent(X, y, learning_rate=5.0, max_iter=2000)


def test_bad_solver_and_alpha_are_refused():
    X, y = np.ones((3, 1)), np.ones(3)
    with pytest.raises(ValueError, match=r"solver='lsqr' is not supported"):
        fit_least_squares(X, y, solver="lsqr")
    with pytest.raises(ValueError, match=r"alpha=-1"):
        fit_least_squares(X, y, alpha=-1.0)


@pytest.mark.parametrize("fit", [fit_least_squares, gradient_descent])
@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((5, 2)), np.ones(4), r"y has shape \(4,\); expected \(5,\)"),
        (np.arange(5.0), np.ones(5), r"X has shape \(5,\); expected a 2-D array"),
        (np.array([[1.0], [np.nan], [3.0]]), np.ones(3), "X contains NaN at row 1, column 0"),
        (np.array([[1.0], [2.0], [3.0]]), np.array([1.0, np.inf, 3.0]), "y contains inf"),
        (np.empty((0, 2)), np.empty(0), r"X has no rows \(shape \(0, 2\)\); expected at least"),
        (
            np.array([["1", "2"], ["3", "x"]]),
            np.ones(2),
            r"X, row 1, column 1: 'x' is not a number; convert it to numbers first",
        ),
        (np.ones((3, 1)), np.array(["1", "2", "c"]), r"y, row 2: 'c' is not a number"),
    ],
)
def test_the_engine_refuses_bad_shapes_and_values_instead_of_fitting_garbage(fit, X, y, message):
    with pytest.raises(ValueError, match=message):
        fit(X, y)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"alpha": -5.0}, ValueError, r"alpha=-5\.0 is invalid; expected a finite value >= 0"),
        ({"max_iter": 0}, ValueError, r"max_iter=0 is invalid; expected a finite value > 0"),
        ({"max_iter": 2.5}, TypeError, r"max_iter=2\.5 has the wrong type; expected an integer"),
        ({"tol": -1e-3}, ValueError, r"tol=-0\.001 is invalid"),
        ({"learning_rate": 0.0}, ValueError, r"learning_rate=0\.0 is invalid"),
    ],
)
def test_gradient_descent_checks_its_options_first(options, error, message):
    # a negative penalty used to end in a DivergenceError blaming the learning rate, and
    # max_iter=0 returned zeros
    x = np.array([[1.0], [2.0], [3.0]])
    with pytest.raises(error, match=message):
        gradient_descent(x, x[:, 0], **options)
    if "learning_rate" not in options:
        with pytest.raises(error, match=message):
            fit_least_squares(x, x[:, 0], solver="gd", **options)


def ill_conditioned(rng, m: int, n: int, condition: float) -> np.ndarray:
    """Centred columns with singular values from 1 down to 1/condition."""
    U = np.linalg.qr(rng.standard_normal((m, n)))[0]
    V = np.linalg.qr(rng.standard_normal((n, n)))[0]
    U -= U.mean(axis=0)
    return (U * np.logspace(0, -np.log10(condition), n)) @ V.T + 5.0


def test_cholesky_on_an_ill_conditioned_design_says_so(rng):
    X = ill_conditioned(rng, 200, 6, 1e9)
    y = X @ rng.standard_normal(6) + 1e-3 * rng.standard_normal(200)
    qr = fit_least_squares(X, y, solver="qr")
    fit = fit_least_squares(X, y, solver="cholesky")
    assert fit.solver == "cholesky" and not fit.converged
    # the condition number from the Gram matrix's factor stops near 1e8; this one is QR's
    assert fit.condition == pytest.approx(qr.condition, rel=1e-3) and fit.condition > 2e8
    assert np.max(np.abs(fit.coef - qr.coef)) > 1e-2 * np.max(np.abs(qr.coef))


def test_cholesky_on_a_design_it_can_solve_converges_as_before(rng):
    X = ill_conditioned(rng, 200, 6, 1e5)
    y = X @ rng.standard_normal(6) + 1e-3 * rng.standard_normal(200)
    qr = fit_least_squares(X, y, solver="qr")
    fit = fit_least_squares(X, y, solver="cholesky")
    assert fit.solver == "cholesky" and fit.converged
    assert 1e4 < fit.condition < 1e6
    np.testing.assert_allclose(fit.coef, qr.coef, rtol=1e-9)
