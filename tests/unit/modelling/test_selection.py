"""Cross-validation, racing, time budgets, the one-standard-error rule and blending."""

from __future__ import annotations

import itertools
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit

from yieldlab.modelling import selection
from yieldlab.modelling.candidates import MLPEnsemble, RidgeResponseSurface
from yieldlab.modelling.selection import (
    auto_repeats,
    cross_validate,
    estimated_seconds,
    fold_rmse,
    make_splits,
    one_standard_error,
    paired_standard_error,
    replicate_groups,
    standard_error,
)
from yieldlab.modelling.uncertainty import PredictiveStd, blend_folds, greedy_weights
from yieldlab.models.linear import LinearRegression


class Constant(RegressorMixin, BaseEstimator):
    """Predicts a constant; optionally fails or reports a fixed fit time."""

    def __init__(self, value=0.0, fail=False):
        self.value = value
        self.fail = fail

    def fit(self, X, y):
        if self.fail:
            raise RuntimeError("this candidate always fails")
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X, return_std=False):
        mean = np.full(len(X), self.value)
        return (mean, np.ones_like(mean)) if return_std else mean


def _data(rng, n=40):
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, 1.0 + 2.0 * X[:, 0] + rng.normal(0, 0.1, n)


def _run(candidates, X, y, splits, **kwargs):
    names = ["x0", "x1"]
    return cross_validate(candidates, X, y, names, [[0], [1]], splits, seed=0, **kwargs)


def test_splits_are_seeded_disjoint_and_cover_every_row():
    splits = make_splits(23, 5, 2, seed=4)
    assert len(splits) == 10
    for r in (0, 1):
        tests = np.concatenate([s.test for s in splits if s.repeat == r])
        assert sorted(tests.tolist()) == list(range(23))
    for s in splits:
        assert not set(s.train) & set(s.test)
    again = make_splits(23, 5, 2, seed=4)
    assert all(np.array_equal(a.test, b.test) for a, b in zip(splits, again, strict=True))
    assert not np.array_equal(splits[0].test, splits[5].test)  # repeats differ


def test_a_splitter_is_used_as_given():
    splits = make_splits(20, ShuffleSplit(3, test_size=0.25, random_state=0), 4, seed=0)
    assert [(s.repeat, s.fold, s.test.size) for s in splits] == [(0, 0, 5), (0, 1, 5), (0, 2, 5)]


def test_replicate_groups_number_the_settings_in_order_of_first_appearance():
    X = np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [1.0, 2.5], [0.0, 0.0]])
    assert replicate_groups(X).tolist() == [0, 1, 0, 2, 1]
    assert replicate_groups(np.array([[3.0], [1.0], [2.0]])).tolist() == [0, 1, 2]


@pytest.mark.parametrize(("n", "cv"), [(23, 5), (40, 5), (60, 10), (7, 2)])
def test_without_replicates_the_folds_are_those_of_plain_kfold(rng, n, cv):
    # grouping identical rows must not change a single fold of a table without replicates
    groups = replicate_groups(rng.normal(size=(n, 3)))
    splits = make_splits(n, cv, 3, seed=11, groups=groups)
    expected = [
        (r, k, train, test)
        for r in range(3)
        for k, (train, test) in enumerate(
            KFold(cv, shuffle=True, random_state=11 + 7919 * r).split(np.zeros((n, 1)))
        )
    ]
    assert len(splits) == len(expected)
    for s, (r, k, train, test) in zip(splits, expected, strict=True):
        assert (s.repeat, s.fold) == (r, k)
        assert np.array_equal(s.train, train) and np.array_equal(s.test, test)
    assert all(
        np.array_equal(a.test, b.test)
        for a, b in zip(splits, make_splits(n, cv, 3, seed=11), strict=True)
    )


def test_the_replicates_of_a_setting_are_held_out_together(rng):
    # 10 settings run 4 times, in shuffled order, plus 6 single runs
    groups = replicate_groups(
        rng.permutation(np.r_[np.repeat(np.arange(10.0), 4), 10 + np.arange(6.0)])[:, None]
    )
    splits = make_splits(groups.size, 5, 3, seed=2, groups=groups)
    assert len(splits) == 15
    for s in splits:
        assert set(groups[s.train]).isdisjoint(groups[s.test])
    for r in range(3):
        tests = np.concatenate([s.test for s in splits if s.repeat == r])
        assert sorted(tests.tolist()) == list(range(groups.size))
    again = make_splits(groups.size, 5, 3, seed=2, groups=groups)
    assert all(np.array_equal(a.test, b.test) for a, b in zip(splits, again, strict=True))


def test_fewer_settings_than_folds_leave_one_setting_out():
    groups = np.repeat(np.arange(3), 4)
    splits = make_splits(12, 5, 2, seed=0, groups=groups)
    assert [(s.repeat, s.fold) for s in splits] == [(r, k) for r in (0, 1) for k in range(3)]
    assert all(np.unique(groups[s.test]).size == 1 for s in splits)
    # one setting in all rows: nothing to hold out but rows
    splits = make_splits(6, 5, 1, seed=0, groups=np.zeros(6, dtype=int))
    assert len(splits) == 5 and sum(s.test.size for s in splits) == 6


def test_a_group_splitter_is_given_the_settings_and_others_are_not():
    groups = np.repeat(np.arange(4), 2)
    splits = make_splits(8, GroupKFold(2), 3, seed=0, groups=groups)
    assert all(set(groups[s.train]).isdisjoint(groups[s.test]) for s in splits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # KFold warns when it is given groups it ignores
        assert len(make_splits(8, KFold(4), 3, seed=0, groups=groups)) == 4


def test_auto_repeats_scale_down_with_rows():
    assert [auto_repeats(n) for n in (10, 50, 100, 120, 200, 5000)] == [3, 3, 2, 2, 1, 1]


def test_standard_error_is_nadeau_bengio_corrected():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    # sd = 1.290994; 5-fold: n_test/n_train = 0.25
    assert standard_error(values, 0.2) == pytest.approx(1.290994 * np.sqrt(1 / 4 + 0.25))
    assert np.isnan(standard_error(np.array([1.0]), 0.2))


def test_one_standard_error_prefers_the_simpler_model_within_the_band():
    simple = np.array([1.01, 1.05, 0.96, 1.02])
    complex_ = np.array([1.00, 1.00, 1.00, 1.00])
    pooled = {"simple": 1.01, "complex": 1.0}
    ranks = {"simple": 1.0, "complex": 4.0}
    errors = {"simple": simple, "complex": complex_}
    assert one_standard_error(errors, pooled, ranks, 0.2) == "simple"
    # consistently 20% worse on every fold: a real difference, the best is kept
    errors["simple"] = complex_ * 1.2 + np.array([0.0, 0.01, -0.01, 0.0])
    assert one_standard_error(errors, {"simple": 1.2, "complex": 1.0}, ranks, 0.2) == "complex"


def test_one_standard_error_keeps_the_preferred_blend_only_within_the_band():
    best = np.array([1.00, 1.00, 1.00, 1.00])
    ranks = {"linear": 1.0, "gp": 3.0, "blend": 7.0}
    errors = {
        "gp": best,
        "linear": best + np.array([0.01, 0.05, -0.04, 0.02]),
        "blend": best + np.array([0.01, -0.01, 0.02, -0.02]),
    }
    pooled = {"gp": 1.0, "linear": 1.01, "blend": 1.01}
    # all three within the band: the blend, not the simplest (linear) ...
    members = {"linear": 0.3, "gp": 0.7}
    assert one_standard_error(errors, pooled, ranks, 0.2, "blend", members) == "blend"
    assert one_standard_error(errors, pooled, ranks, 0.2) == "linear"
    # ... unless the simplest is readable and carries a third of the blend's weight
    agree = {"linear": 0.34, "gp": 0.66}
    assert one_standard_error(errors, pooled, ranks, 0.2, "blend", agree) == "linear"
    assert one_standard_error(errors, pooled, ranks, 0.2, "blend", {"linear": 0.3}) == "blend"
    # a readable model that is the best outright is kept, whatever its blend weight (the
    # blend 2.1 standard errors behind it)
    best_linear = {"linear": best, "gp": best + np.array([0.3, 0.1, 0.2, 0.2]),
                   "blend": best + np.array([0.0, 0.1, 0.02, 0.08])}  # fmt: skip
    best_pooled = {"linear": 1.0, "gp": 1.2, "blend": 1.05}
    light = {"linear": 0.2, "gp": 0.8}
    assert one_standard_error(best_linear, best_pooled, ranks, 0.2, "blend", light) == "linear"
    # a black box is never kept over the blend it dominates: the blend hedges it
    black_box = {"linear": 6.0, "gp": 3.0, "blend": 7.0}
    assert one_standard_error(errors, pooled, black_box, 0.2, "blend", {"gp": 0.9}) == "blend"
    # the blend 2 standard errors behind the best: still taken, it hedges noisy folds ...
    errors["blend"] = best + np.array([0.02, 0.01, 0.04, 0.01])  # mean 0.02, se 0.0071
    pooled["blend"] = 1.02
    assert one_standard_error(errors, pooled, ranks, 0.2, "blend", members) == "blend"
    # ... but 10% worse on every split (12 standard errors) the simplest in the band is kept
    errors["blend"] = best * 1.1 + [0.0, 0.01, -0.01, 0.0]
    pooled["blend"] = 1.1
    assert one_standard_error(errors, pooled, ranks, 0.2, "blend", members) == "linear"


def test_one_standard_error_band_is_the_plain_paired_standard_error():
    # the simple model is 0.10 worse on average; the differences have sd 0.1 over 16
    # splits, so the plain standard error is 0.025 and the simple model is out of the band
    # (the Nadeau-Bengio corrected error, 0.1 * sqrt(1/16 + 0.25) = 0.056, is wider still)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=16)
    noise = (noise - noise.mean()) / noise.std(ddof=1) * 0.1
    complex_ = np.full(16, 1.0)
    errors = {"simple": complex_ + 0.10 + noise, "complex": complex_}
    ranks = {"simple": 1.0, "complex": 4.0}
    assert paired_standard_error(errors["simple"] - complex_) == pytest.approx(0.025)
    assert one_standard_error(errors, {"simple": 1.1, "complex": 1.0}, ranks, 0.2) == "complex"
    errors["simple"] = complex_ + 0.02 + noise  # within 0.025: the simpler model wins
    assert one_standard_error(errors, {"simple": 1.02, "complex": 1.0}, ranks, 0.2) == "simple"


def test_cross_validate_is_the_same_for_any_number_of_jobs(rng):
    X, y = _data(rng)
    candidates = [
        ("linear", PredictiveStd(LinearRegression()), 0.01),
        ("response_surface", RidgeResponseSurface(), 0.05),
    ]
    splits = make_splits(40, 5, 2, seed=1)
    serial, status, contenders = _run(candidates, X, y, splits)
    parallel, _, _ = _run(candidates, X, y, splits, n_jobs=2)
    assert status == {"linear": "ok", "response_surface": "ok"}
    for name in serial:
        for a, b in zip(serial[name], parallel[name], strict=True):
            assert np.array_equal(a.mean, b.mean) and np.array_equal(a.test, b.test)
    assert set(contenders) == {"linear", "response_surface"}


def test_failures_are_reported_not_raised(rng):
    X, y = _data(rng)
    candidates = [("bad", Constant(fail=True), 0.0), ("ok", Constant(1.0), 0.0)]
    results, status, contenders = _run(candidates, X, y, make_splits(40, 4, 1, seed=0))
    assert status["bad"] == "failed: RuntimeError: this candidate always fails"
    assert status["ok"] == "ok" and contenders == ["ok"]
    assert len(results["ok"]) == 4


def test_racing_drops_hopeless_candidates_after_the_first_repeat(rng):
    X, y = _data(rng)
    candidates = [
        ("linear", PredictiveStd(LinearRegression()), 0.01),
        ("constant", Constant(-50.0), 0.0),
    ]
    results, status, contenders = _run(candidates, X, y, make_splits(40, 5, 3, seed=0))
    assert contenders == ["linear"]
    assert len(results["linear"]) == 15 and len(results["constant"]) == 5
    assert status["constant"] == "ok"


def test_time_budget_skips_candidates_that_would_not_fit(rng, monkeypatch):
    """A fake clock: every fit takes exactly its estimate, so the schedule is exact."""
    X, y = _data(rng)
    now = itertools.count()
    clock = lambda: float(next(now))  # noqa: E731 - one tick per call
    candidates = [
        ("cheap", Constant(1.0), 0.1),
        ("medium", Constant(2.0), 1.0),
        ("expensive", Constant(3.0), 100.0),
    ]
    _, status, contenders = _run(
        candidates, X, y, make_splits(40, 5, 2, seed=0), time_budget=20.0, clock=clock
    )
    assert status["cheap"] == status["medium"] == "ok"
    assert status["expensive"] == "skipped: time budget (20 s)"
    assert "expensive" not in contenders


class Sleepy(Constant):
    """A constant whose fit takes a fixed wall time."""

    def __init__(self, value=0.0, fail=False, sleep=0.0):
        super().__init__(value, fail)
        self.sleep = sleep

    def fit(self, X, y):
        time.sleep(self.sleep)
        return super().fit(X, y)


def test_time_budget_scales_the_estimates_by_the_pace_measured_so_far(rng):
    """On a machine 15x slower than estimated (a loaded lab PC), the next candidate's
    estimate is scaled up too: 5 x 0.2 s estimated becomes 15 s, past the 7 s left."""
    X, y = _data(rng)
    candidates = [
        ("slow", Sleepy(1.0, sleep=0.15), 0.01),  # 0.75 s measured for 0.05 s estimated
        ("next", Constant(2.0), 0.2),
    ]
    _, status, _ = _run(candidates, X, y, make_splits(40, 5, 1, seed=0), time_budget=10.0)
    assert status["slow"] == "ok"
    assert status["next"] == "skipped: time budget (10 s)"
    # at the estimated pace the same schedule runs both
    candidates[0] = ("slow", Sleepy(1.0, sleep=0.0), 0.01)
    _, status, _ = _run(candidates, X, y, make_splits(40, 5, 1, seed=0), time_budget=10.0)
    assert status["next"] == "ok"


class Warner(Constant):
    """Warns at the end of a fit that takes longer on every other call."""

    calls = itertools.count()

    def fit(self, X, y):
        time.sleep(0.05 * (next(Warner.calls) % 2))
        warnings.warn("a candidate's harmless warning", UserWarning, stacklevel=1)
        return super().fit(X, y)


def test_warnings_in_threads_do_not_fail_folds(rng):
    """Under a threading backend a fold that finished first must not restore the test's
    warnings-are-errors filters while another fold is still fitting."""
    X, y = _data(rng)
    with joblib.parallel_config(backend="threading", n_jobs=2):
        results, status, _ = _run([("w", Warner(1.0), 0.0)], X, y, make_splits(40, 5, 2, 0))
    assert status["w"] == "ok"
    assert all(f.error is None for f in results["w"])


def test_time_budget_stops_further_repeats(rng):
    X, y = _data(rng)
    ticks = iter(np.arange(0.0, 1000.0, 8.0))  # 8 s between two looks at the clock
    results, status, _ = _run(
        [("a", Constant(1.0), 0.0)],
        X,
        y,
        make_splits(40, 5, 3, seed=0),
        time_budget=10.0,
        clock=lambda: float(next(ticks)),
    )
    assert status["a"] == "ok" and len(results["a"]) == 5  # only the first repeat


def test_greedy_weights_find_the_complementary_pair():
    y = np.zeros(6)
    P = np.array([[1.0, -1, 1, -1, 1, -1], [-1.0, 1, -1, 1, -1, 1], [1.5] * 6])
    weights = greedy_weights(P, y, rounds=10)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] == pytest.approx(weights[1]) and weights[2] == 0.0


def test_blend_folds_choose_weights_without_the_scored_fold(rng):
    X, y = _data(rng, 50)
    candidates = [("low", Constant(0.0), 0.0), ("high", Constant(2.0), 0.0)]
    splits = make_splits(50, 5, 1, seed=0)
    results, _, _ = _run(candidates, X, y, splits)
    folds, weights = blend_folds(results, ["low", "high"], splits, y)
    assert len(folds) == 5 and weights.sum() == pytest.approx(1.0)
    for fold in folds:
        w = fold.params["weights"]
        expected = 2.0 * w.get("high", 0.0)
        assert np.allclose(fold.mean, expected)
        # the std of the mixture of N(0, 1) and N(2, 1)
        spread = 4.0 * w.get("high", 0.0) * w.get("low", 0.0)
        assert np.allclose(fold.std, np.sqrt(1.0 + spread))
    assert fold_rmse(folds, y).shape == (5,)


def test_estimated_seconds_orders_the_defaults():
    n, p = 500, 6
    linear = estimated_seconds(PredictiveStd(LinearRegression()), n, p)
    surface = estimated_seconds(RidgeResponseSurface(), n, p)
    network = estimated_seconds(MLPEnsemble(), n, p)
    assert linear < surface < network
    assert estimated_seconds(Constant(), n, p) == 1.0  # unknown estimators: a guess
    assert selection.CV_SHARE < 1.0


def test_the_one_standard_error_band_is_monotone_in_the_error():
    # paired by split, the noisy 'gp' passes (0.93 standard errors) and the steadily a
    # little worse 'linear' does not; but linear's RMSE is lower than gp's, so it is in
    errors = {
        "mlp": np.array([1.0, 1.0, 1.0, 1.0]),
        "gp": np.array([1.0, 3.0, 0.5, 1.5]),
        "linear": np.array([1.3, 1.3, 1.3, 1.35]),
    }
    pooled = {"mlp": 1.0, "gp": 1.5, "linear": 1.31}
    complexity = {"linear": 1.0, "gp": 3.0, "mlp": 4.0}
    assert one_standard_error(errors, pooled, complexity, 0.25) == "linear"
    # without the better linear model the noisy gp is the simplest in the band
    del errors["linear"], pooled["linear"]
    assert one_standard_error(errors, pooled, complexity, 0.25) == "gp"


def test_a_readable_model_the_blend_leans_on_gives_way_to_a_simpler_better_one():
    # the noisy response surface passes the band and carries half the blend, but the
    # linear model, steadily a little worse than the best yet lower in RMSE, is simpler
    errors = {
        "gp": np.array([1.0, 1.0, 1.0, 1.0]),
        "response_surface": np.array([1.3, 0.9, 1.2, 0.8]),
        "linear": np.array([1.05, 1.06, 1.04, 1.05]),
        "blend": np.array([1.0, 1.0, 1.01, 1.0]),
    }
    pooled = {"gp": 1.0, "response_surface": 1.08, "linear": 1.05, "blend": 1.01}
    complexity = {"linear": 1.0, "response_surface": 2.0, "gp": 3.0, "blend": 5.0}
    members = {"response_surface": 0.5, "gp": 0.5}
    choice = one_standard_error(errors, pooled, complexity, 0.25, "blend", members)
    assert choice == "linear"
    pooled["linear"] = 1.1  # no longer better: the response surface the blend leans on
    choice = one_standard_error(errors, pooled, complexity, 0.25, "blend", members)
    assert choice == "response_surface"
