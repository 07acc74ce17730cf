"""Predictive standard deviations and their calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import Ridge

from yieldlab.modelling.uncertainty import (
    Blend,
    Calibrator,
    PredictiveStd,
    ensemble_mean_std,
)
from yieldlab.models.linear import LinearRegression


def test_ensemble_std_adds_member_spread_and_noise():
    predictions = np.array([[1.0, 2.0], [3.0, 2.0], [2.0, 2.0]])
    mean, std = ensemble_mean_std(predictions, noise_std=0.5)
    assert mean.tolist() == [2.0, 2.0]
    # spread variance 2/3 at the first point, 0 at the second
    assert std.tolist() == pytest.approx([np.sqrt(2 / 3 + 0.25), 0.5])


def test_least_squares_predictive_std_is_the_prediction_interval_std(rng):
    X = rng.uniform(0, 10, size=(30, 1))
    y = 2.0 + 0.5 * X[:, 0] + rng.normal(0, 0.3, 30)
    model = PredictiveStd(LinearRegression()).fit(X, y)
    assert model.mode_ == "mean+noise"
    X_new = np.array([[0.0], [5.0], [20.0]])
    mean, std = model.predict(X_new, return_std=True)
    inner = model.estimator_
    interval = inner.predict_interval(X_new, level=0.95)
    t = stats.t.ppf(0.975, inner.dof_resid_)
    # the interval of LinearRegression is mean -/+ t * sqrt(se_mean^2 + sigma^2)
    assert np.allclose(interval[:, 1] - mean, t * std)
    assert model.summary().index.tolist() == ["intercept", "x0"]


def test_estimator_without_std_gets_a_constant():
    X = np.arange(10.0).reshape(-1, 1)
    model = PredictiveStd(Ridge()).fit(X, 2 * X[:, 0])
    assert model.mode_ == "constant"
    assert model.predict(X, return_std=True)[1].tolist() == [1.0] * 10
    with pytest.raises(AttributeError, match="has no summary"):
        model.summary()


def test_calibrator_recovers_the_scale_and_gaussian_quantiles(rng):
    y = rng.normal(0.0, 3.0, 20000)
    calibrator = Calibrator().fit(y, np.zeros_like(y), np.ones_like(y))
    assert calibrator.scale_ == pytest.approx(3.0, rel=0.02)
    assert calibrator.quantile(0.95) == pytest.approx(1.96, rel=0.03)
    assert calibrator.quantile(0.5) == pytest.approx(0.674, rel=0.05)
    loglik = calibrator.log_likelihood(y, np.zeros_like(y), np.ones_like(y))
    assert loglik == pytest.approx(np.mean(stats.norm.logpdf(y, 0, 3.0)), rel=1e-2)


def test_a_model_certain_and_wrong_has_log_likelihood_minus_infinity():
    # a campaign report fitted on 6 rows met a model with std 0 that missed: no overflow warning
    calibrator = Calibrator().fit(np.array([1.0, 2.0]), np.zeros(2), np.ones(2))
    loglik = calibrator.log_likelihood(np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.zeros(2))
    assert loglik == -np.inf


def test_calibrated_intervals_cover_heavy_tailed_errors(rng):
    """With Student-t(3) errors a Gaussian 95% interval from the fitted scale covers ~97%;
    the empirical quantile covers 95% of new draws."""
    z_fit = rng.standard_t(3, 5000)
    calibrator = Calibrator().fit(z_fit, np.zeros_like(z_fit), np.ones_like(z_fit))
    z_new = rng.standard_t(3, 20000)
    half = calibrator.quantile(0.95) * calibrator.scale_
    coverage = np.mean(np.abs(z_new) <= half)
    assert 0.94 <= coverage <= 0.96


def test_quantile_beyond_the_sample_falls_back_to_gaussian():
    z = np.array([0.1, -0.2, 0.3])
    calibrator = Calibrator().fit(z, np.zeros(3), np.ones(3))
    # (m + 1) * 0.95 = 3.8 -> rank 4 > m = 3
    assert calibrator.quantile(0.95) == pytest.approx(max(1.96, calibrator.abs_z_[-1]), 1e-3)
    with pytest.raises(ValueError, match="level=1.5 is invalid"):
        calibrator.quantile(1.5)


def test_calibrator_with_perfect_predictions_is_finite():
    y = np.arange(5.0)
    calibrator = Calibrator().fit(y, y, np.zeros(5))
    assert calibrator.scale_ == 1.0
    assert np.isfinite(calibrator.quantile(0.95))


def test_blend_mixture_mean_and_std(rng):
    X = rng.uniform(0, 1, size=(40, 1))
    y = X[:, 0] + rng.normal(0, 0.1, 40)
    a, b = PredictiveStd(LinearRegression()), PredictiveStd(LinearRegression(fit_intercept=False))
    blend = Blend([("a", a), ("b", b)], [0.25, 0.75]).fit(X, y)
    mean, std = blend.predict(X[:3], return_std=True)
    mu_a, sd_a = a.fit(X, y).predict(X[:3], return_std=True)
    mu_b, sd_b = b.fit(X, y).predict(X[:3], return_std=True)
    expected_mean = 0.25 * mu_a + 0.75 * mu_b
    second = 0.25 * (sd_a**2 + mu_a**2) + 0.75 * (sd_b**2 + mu_b**2)
    assert np.allclose(mean, expected_mean)
    assert np.allclose(std, np.sqrt(second - expected_mean**2))
    assert [name for name, _, _ in blend.members_] == ["a", "b"]
