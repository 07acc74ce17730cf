"""The worked examples of the notes (../shared/seed/notes.md), as ERRATA lists them."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab import MLPClassifier
from yieldlab.engine.examples import GATES, fit_line, learn_gate, vanishing_gradient


def test_gradient_descent_on_a_line_reaches_the_closed_form(rng):
    x = rng.uniform(0, 10, 50)
    y = 3.0 * x - 2.0 + rng.normal(size=50)
    fit = fit_line(x, y, learning_rate=0.01, epochs=20000)
    assert fit.w_gd == pytest.approx(fit.w_exact, rel=1e-10)
    assert fit.b_gd == pytest.approx(fit.b_exact, rel=1e-10)
    # and the closed form is the least-squares answer
    w, b = np.polyfit(x, y, 1)
    assert fit.w_exact == pytest.approx(w, rel=1e-12)
    assert fit.b_exact == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_single_neuron_learns_and_and_or(gate):
    for seed in range(5):
        assert learn_gate(gate, random_state=seed).tolist() == GATES[gate].tolist()


def test_single_neuron_cannot_learn_xor():
    for seed in range(10):
        right = int((learn_gate("XOR", random_state=seed) == GATES["XOR"]).sum())
        assert right <= 3


def test_two_two_one_network_learns_xor():
    for seed in range(10):
        assert learn_gate("XOR", hidden=2, random_state=seed).tolist() == [0, 1, 1, 0]


def test_mlp_classifier_defaults_learn_xor_for_nine_of_ten_seeds():
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    y = [0, 1, 1, 0]
    learned = sum(
        MLPClassifier(hidden_layer_sizes=(2,), activation="sigmoid", random_state=seed)
        .fit(X, y)
        .predict(X)
        .tolist()
        == y
        for seed in range(10)
    )
    assert learned >= 9


def test_vanishing_gradient_with_sigmoid_not_with_relu():
    # ratio of the first hidden layer's weight-gradient norm to the last hidden layer's
    def median_ratio(activation):
        ratios = []
        for seed in range(20):
            norms = vanishing_gradient(activation, n_hidden=8, random_state=seed)
            ratios.append(norms[0] / norms[7])
        return float(np.median(ratios))

    assert median_ratio("sigmoid") < 1e-4
    assert median_ratio("relu") > 1e-2


def test_each_sigmoid_layer_shrinks_the_signal_by_about_a_quarter_or_more():
    norms = vanishing_gradient("sigmoid", n_hidden=8, random_state=0)
    shrink = norms[:-2] / norms[1:-1]
    assert np.all(shrink < 0.5)
