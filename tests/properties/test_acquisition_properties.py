"""Properties of the acquisition functions for any mean, spread and incumbent."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yieldlab.experiments.acquisition import (
    expected_improvement,
    log_expected_improvement,
    log_h,
    mc_log_expected_improvement,
)

finite = st.floats(-1e6, 1e6, allow_nan=False)
spread = st.floats(1e-6, 1e4, allow_nan=False)


@given(finite, spread, finite)
def test_ei_is_non_negative_and_at_least_the_certain_gain(mean, std, best):
    ei = expected_improvement([mean], [std], best)[0]
    assert ei >= 0.0
    assert ei >= max(mean - best, 0.0) * (1 - 1e-9)  # Jensen: E max(f - b, 0) >= max(mu - b, 0)


@given(finite, spread, finite)
def test_log_ei_is_never_nan_or_plus_infinity(mean, std, best):
    value = log_expected_improvement([mean], [std], best)[0]
    assert not np.isnan(value) and value < np.inf


@given(st.floats(-1e8, 30, allow_nan=False))
def test_log_h_is_finite_and_increasing(z):
    a, b = log_h(np.array([z, z + 1e-3 * max(1.0, abs(z))]))
    assert np.isfinite(a) and b >= a


@given(finite, spread, finite, st.floats(0.0, 1e3, allow_nan=False))
def test_ei_grows_with_the_mean_and_the_spread(mean, std, best, step):
    base = log_expected_improvement([mean], [std], best)[0]
    assert log_expected_improvement([mean + step], [std], best)[0] >= base - 1e-9 * abs(base)
    assert log_expected_improvement([mean], [std + step], best)[0] >= base - 1e-9 * abs(base)


@settings(max_examples=50)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=20),
    st.floats(-50, 50, allow_nan=False),
)
def test_mc_log_ei_is_finite_and_bounds_the_plain_average(draws, best):
    samples = np.asarray(draws)[:, None]
    tau = 1e-3
    log_value = mc_log_expected_improvement(samples, best, tau)[0]
    value, plain = np.exp(log_value), np.mean(np.maximum(samples - best, 0.0))
    assert np.isfinite(log_value)
    assert plain * (1 - 1e-12) <= value <= plain + tau * np.log(2) + 1e-12
