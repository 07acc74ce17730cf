"""Permutation importance per original input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from yieldlab.modelling.importance import importance_table, permutation_importance


def test_shuffling_an_unused_input_costs_nothing_and_a_used_one_costs_its_effect(rng):
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    y = 2.0 * X["a"].to_numpy() + 0.5 * X["b"].to_numpy()
    model = LinearRegression().fit(X, y)
    scores = permutation_importance(model, X, y, [[0], [1], [2]], rng, n_permutations=5)
    assert scores.shape == (3, 5)
    # shuffling a standard normal input with slope s adds about s * sqrt(2) of RMSE
    assert scores[0].mean() == pytest.approx(2.0 * np.sqrt(2), rel=0.15)
    assert scores[1].mean() == pytest.approx(0.5 * np.sqrt(2), rel=0.15)
    assert np.abs(scores[2]).max() < 1e-9


def test_a_one_hot_group_is_shuffled_as_a_whole(rng):
    level = rng.integers(0, 3, 300)
    X = pd.DataFrame({"cat=b": (level == 1) * 1.0, "cat=c": (level == 2) * 1.0})
    y = 3.0 * X["cat=b"].to_numpy() - 3.0 * X["cat=c"].to_numpy()
    model = LinearRegression().fit(X, y)
    scores = permutation_importance(model, X, y, [[0, 1]], rng)
    assert scores.shape == (1, 3) and scores.min() > 2.0
    # rows are shuffled together: no row ever has both indicators set
    assert X.to_numpy().sum(axis=1).max() == 1.0


def test_rows_are_subsampled_above_max_rows(rng):
    X = pd.DataFrame(rng.normal(size=(1000, 1)), columns=["a"])
    y = X["a"].to_numpy()
    calls = []

    class Spy(LinearRegression):
        def predict(self, X):
            calls.append(len(X))
            return super().predict(X)

    permutation_importance(Spy().fit(X, y), X, y, [[0]], rng, max_rows=100)
    assert set(calls) == {100}


def test_importance_table_sorts_and_summarizes():
    folds = [np.array([[1.0, 3.0], [0.0, 0.0]]), np.array([[2.0, 2.0], [0.5, -0.5]])]
    table = importance_table(["a", "b"], folds)
    assert table.index.tolist() == ["a", "b"] and table.index.name == "input"
    assert table.loc["a", "importance"] == pytest.approx(2.0)
    assert table.loc["a", "std"] == pytest.approx(np.std([1, 3, 2, 2], ddof=1))
    assert table.loc["b", "importance"] == pytest.approx(0.0)


def test_a_held_out_fold_of_one_run_draws_from_the_whole_table():
    # a 2^2 factorial: within a one-row fold a shuffle changes nothing
    X = pd.DataFrame({"a": [-1.0, 1.0, -1.0, 1.0], "b": [-1.0, -1.0, 1.0, 1.0]})
    y = 5.0 + 3.0 * X["a"].to_numpy()
    model = LinearRegression().fit(X, y)
    rng = np.random.default_rng(0)
    alone = permutation_importance(model, X.iloc[:1], y[:1], [[0], [1]], rng)
    assert not alone.any()
    drawn = permutation_importance(
        model, X.iloc[:1], y[:1], [[0], [1]], rng, n_permutations=200, pool=X.to_numpy()
    )
    # half the draws take a = +1 instead of -1: the error rises by 6, so by 3 on average
    assert drawn[0].mean() == pytest.approx(3.0, abs=0.7)
    assert np.abs(drawn[1]).max() < 1e-9
