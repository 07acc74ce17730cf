"""ResponseSurface: terms and names, coded units, canonical analysis on surfaces whose
stationary point is known, aliasing in small designs, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.models._regression import AliasingWarning
from yieldlab.models.linear import LinearRegression
from yieldlab.models.response_surface import (
    ResponseSurface,
    drop_aliased_powers,
    polynomial_exponents,
)


def grid(temperature, pressure) -> pd.DataFrame:
    t, p = np.meshgrid(temperature, pressure)
    return pd.DataFrame({"temperature": t.ravel(), "pressure": p.ravel()})


def surface(X: pd.DataFrame) -> np.ndarray:
    """A maximum of 90 at temperature 72, pressure 3.5 (with an interaction)."""
    t, p = X.temperature - 72.0, X.pressure - 3.5
    return (90.0 - 0.02 * t**2 - 1.5 * p**2 + 0.05 * t * p).to_numpy()


def test_term_names_and_order():
    X = grid([50.0, 70.0, 90.0], [1.0, 3.0, 5.0])
    model = ResponseSurface().fit(X, surface(X))
    assert model.term_names_ == [
        "intercept",
        "temperature",
        "pressure",
        "temperature^2",
        "temperature*pressure",
        "pressure^2",
    ]
    cubic = ResponseSurface(degree=3).fit(np.random.default_rng(0).random((30, 2)), np.ones(30))
    assert "x0^2*x1" in cubic.term_names_ and len(cubic.term_names_) == 10
    X4 = grid([50.0, 60.0, 70.0, 90.0], [1.0, 2.0, 3.0, 5.0])
    pure = ResponseSurface(degree=3, interactions=False).fit(X4, surface(X4))
    assert pure.term_names_[1:] == ["temperature", "pressure", "temperature^2",
                                    "pressure^2", "temperature^3", "pressure^3"]  # fmt: skip


def test_polynomial_exponents_count():
    assert polynomial_exponents(5, 2).shape == (20, 5)  # C(7, 2) - 1
    assert polynomial_exponents(3, 4).shape == (34, 3)  # C(7, 4) - 1
    assert polynomial_exponents(3, 4, interactions=False).shape == (12, 3)


def test_recovers_an_exact_quadratic_and_its_maximum():
    X = grid([50.0, 60.0, 70.0, 80.0, 90.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    model = ResponseSurface().fit(X, surface(X))
    assert model.coef_[2] == pytest.approx(-0.02, rel=1e-10)  # temperature^2
    assert model.coef_[3] == pytest.approx(0.05, rel=1e-10)  # temperature*pressure
    result = model.canonical_analysis()
    assert result.kind == "maximum" and result.inside and not result.ridge
    assert result.stationary_point["temperature"] == pytest.approx(72.0, rel=1e-10)
    assert result.stationary_point["pressure"] == pytest.approx(3.5, rel=1e-10)
    assert result.response == pytest.approx(90.0, rel=1e-12)
    # coded units: t = 70 + 20 u, p = 3 + 2 v, so B = [[-8, 1], [1, -6]]
    np.testing.assert_allclose(result.eigenvalues, np.linalg.eigvalsh([[-8, 1], [1, -6]]))
    np.testing.assert_allclose(result.x_coded, [0.1, 0.25], rtol=1e-10)
    assert result.to_dict()["kind"] == "maximum"


@pytest.mark.parametrize(
    ("signs", "kind"), [((1.0, 1.0), "minimum"), ((1.0, -1.0), "saddle"), ((-1, -1), "maximum")]
)
def test_canonical_kinds(signs, kind):
    X = grid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    u, v = X.temperature - 0.5, X.pressure + 0.25
    y = signs[0] * u**2 + signs[1] * 2.0 * v**2 + 4.0
    result = ResponseSurface(coded=True).fit(X, y).canonical_analysis()
    assert result.kind == kind
    np.testing.assert_allclose(result.x, [0.5, -0.25], atol=1e-12)


def test_stationary_point_outside_the_data_is_flagged():
    x = np.linspace(0.0, 1.0, 7).reshape(-1, 1)
    result = ResponseSurface().fit(x, -((x[:, 0] - 3.0) ** 2)).canonical_analysis()
    assert result.x[0] == pytest.approx(3.0) and not result.inside


def test_coded_units_change_coefficients_not_predictions(rng):
    X = pd.DataFrame({"a": rng.uniform(100, 200, 30), "b": rng.uniform(-1e-3, 1e-3, 30)})
    y = 1.0 + 0.01 * X.a + 500.0 * X.b + 1e-4 * X.a * X.b * 1e3 + rng.normal(0, 0.01, 30)
    raw = ResponseSurface().fit(X, y)
    coded = ResponseSurface(coded=True).fit(X, y)
    np.testing.assert_allclose(coded.predict(X), raw.predict(X), rtol=1e-12)
    _, std_raw = raw.predict(X, return_std=True)
    _, std_coded = coded.predict(X, return_std=True)
    np.testing.assert_allclose(std_coded, std_raw, rtol=1e-8)
    np.testing.assert_allclose(coded.coded_units(X).min(axis=0), [-1.0, -1.0])
    np.testing.assert_allclose(coded.original_units(coded.coded_units(X)), X.to_numpy())
    linear = ResponseSurface(degree=1, coded=True).fit(X, y)
    plain = LinearRegression().fit(X, y)
    np.testing.assert_allclose(linear.coef_, plain.coef_ * linear.half_range_, rtol=1e-10)


def test_two_level_design_aliases_the_squares():
    X = grid([-1.0, 1.0], [-1.0, 1.0])
    X = pd.concat([X, X], ignore_index=True)
    y = np.array([1.0, 2.0, 3.0, 5.0, 1.1, 2.1, 2.9, 5.2])
    with pytest.warns(AliasingWarning, match=r"'temperature\^2' = 1"):
        model = ResponseSurface().fit(X, y)
    assert model.aliased_terms_ == ["temperature^2", "pressure^2"]
    assert np.isnan(model.summary().loc["pressure^2", "std_error"])
    assert model.fit_statistics_["pure_error_dof"] == 4


def test_two_level_squares_can_be_left_out():
    X = grid([-1.0, 1.0], [-1.0, 0.0, 1.0])
    y = 1.0 + X["temperature"] - 2.0 * X["pressure"] ** 2 + 0.5 * X["temperature"] * X["pressure"]
    model = ResponseSurface(skip_aliased_powers=True).fit(X, y)  # no AliasingWarning
    assert model.term_names_ == [
        "intercept", "temperature", "pressure", "temperature*pressure", "pressure^2"
    ]  # fmt: skip
    assert model.aliased_terms_ == []
    np.testing.assert_allclose(model.coef_, [1.0, 0.0, 0.5, -2.0], atol=1e-12)


def test_canonical_analysis_needs_a_quadratic():
    x = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
    with pytest.raises(ValueError, match="degree=3"):
        ResponseSurface(degree=3).fit(x, x[:, 0] ** 3).canonical_analysis()


def test_too_few_runs_and_bad_parameters_are_refused():
    X = np.random.default_rng(1).random((5, 3))
    with pytest.raises(ValueError, match=r"n_samples=5 .* has 10 terms"):
        ResponseSurface().fit(X, np.ones(5))
    ResponseSurface(alpha=1.0).fit(X, np.arange(5.0))  # ridge is defined with few runs
    with pytest.raises(ValueError, match=r"degree=0 is invalid"):
        ResponseSurface(degree=0).fit(X, np.ones(5))
    with pytest.raises(TypeError, match=r"degree=2\.0 has the wrong type"):
        ResponseSurface(degree=2.0).fit(X, np.ones(5))
    with pytest.raises(TypeError, match=r"coded='yes'"):
        ResponseSurface(coded="yes").fit(X, np.ones(5))


def test_high_degree_polynomial_is_exact_in_original_units():
    # y = (x - 6)^8 on [2, 10]: a badly conditioned raw power basis
    x = np.linspace(2.0, 10.0, 40).reshape(-1, 1)
    y = (x[:, 0] - 6.0) ** 8
    model = ResponseSurface(degree=8).fit(x, y)
    expected = [np.prod(np.arange(8, 8 - k, -1)) / np.prod(np.arange(1, k + 1))
                * (-6.0) ** (8 - k) for k in range(9)]  # fmt: skip
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], expected, rtol=1e-9)


def test_stationary_ridge_is_flagged():
    # y depends on u + v only: one eigenvalue is zero, the maximum is a line
    X = grid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    s = X.temperature + X.pressure
    result = ResponseSurface(coded=True).fit(X, 3.0 - (s - 0.5) ** 2).canonical_analysis()
    assert result.ridge and result.kind == "maximum"
    assert result.x.sum() == pytest.approx(0.5) and result.response == pytest.approx(3.0)
    np.testing.assert_allclose(result.x, [0.25, 0.25], atol=1e-12)  # nearest the centre


def test_predict_checks_the_columns():
    X = grid([50.0, 70.0, 90.0], [1.0, 3.0, 5.0])
    model = ResponseSurface().fit(X, surface(X))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"pressure": "p"}))
    np.testing.assert_allclose(model.predict(X), surface(X), atol=1e-10)


def test_products_of_indicators_of_one_categorical_are_left_out():
    # two indicators of one factor are never 1 together: their product is 0, a combination
    # of the main effects in coded units, and must not get an estimate of its own
    rng = np.random.default_rng(0)
    level = rng.integers(0, 3, 30)
    X = np.column_stack([rng.uniform(0, 1, 30), level == 1, level == 2]).astype(float)
    exponents = drop_aliased_powers(polynomial_exponents(3, 2), X)
    kept = {tuple(e) for e in exponents.tolist()}
    assert (0, 1, 1) not in kept  # the product of the two indicators
    assert (0, 2, 0) not in kept and (0, 0, 2) not in kept  # squares of indicators
    assert {(1, 1, 0), (1, 0, 1), (2, 0, 0)} <= kept  # continuous x indicator, x^2
    assert len(kept) == 6


def _copied_column_table(n: int = 20) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"temperature": rng.uniform(60, 110, n).round(1),
                      "time": rng.uniform(1, 5, n).round(2)})  # fmt: skip
    X["temp_F"] = 32 + 1.8 * X["temperature"]
    y = 40 + 0.3 * X["temperature"] - 2 * (X["time"] - 3) ** 2 + rng.normal(0, 1, n)
    return X, y.to_numpy()


def test_a_ridge_fit_names_a_copied_column_and_tests_none_of_the_copies():
    X, y = _copied_column_table()
    model = ResponseSurface(coded=True, alpha=4.0, solver="cholesky", skip_aliased_powers=True)
    with pytest.warns(AliasingWarning, match=r"'temp_F' = temperature.*ridge penalty"):
        model.fit(X, y)
    assert "temp_F" in model.aliased_terms_
    summary = model.summary()
    # the ridge splits the effect between the copies: neither is tested as if alone
    assert summary.loc["temperature", "estimate"] == pytest.approx(
        summary.loc["temp_F", "estimate"]
    )
    for term in ("temperature", "temp_F", "temp_F^2", "temperature^2"):
        assert np.isnan(summary.loc[term, ["std_error", "t", "p_value", "ci_low"]]).all()
    assert {"temperature", "temp_F"} <= set(summary.attrs["aliased"])
    assert np.isfinite(summary.loc["time^2", "p_value"])
    assert model.alias_warning_ is not None


def test_a_ridge_fit_with_as_many_terms_as_runs_warns_and_gives_only_estimates():
    X = pd.DataFrame({"temperature": [60.0, 70, 80, 90, 100], "time": [1.0, 4, 2, 5, 3]})
    y = 40 + 0.3 * X["temperature"] - 2 * (X["time"] - 3) ** 2 + [0.5, -0.3, 0.2, -0.6, 0.1]
    model = ResponseSurface(coded=True, alpha=0.0025, solver="cholesky")
    with pytest.warns(AliasingWarning, match="6 terms on 5 runs leave .* Add runs"):
        model.fit(X, y)
    assert model.dof_resid_ < 1
    summary = model.summary()
    assert np.isfinite(summary["estimate"]).all()
    assert summary[["std_error", "t", "p_value", "ci_low", "ci_high"]].isna().all().all()
