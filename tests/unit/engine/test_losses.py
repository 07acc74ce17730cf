"""Losses: values by hand, gradients against finite differences, stable cross-entropy."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.engine.losses import LOSSES, Loss, get_loss


def test_mse_is_the_notes_mean_over_samples_and_outputs():
    y_pred = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.array([[0.0, 2.0], [3.0, 3.0]])
    # (1 + 0 + 0 + 4) / 4
    assert LOSSES["mse"].value(y_pred, y) == pytest.approx(1.25)
    out = np.empty_like(y)
    assert LOSSES["mse"].value_and_gradient(y_pred, y, out) == pytest.approx(1.25)
    assert np.allclose(out, 2 * (y_pred - y) / 4)


def test_huber_is_quadratic_then_linear():
    y = np.zeros((3, 1))
    y_pred = np.array([[0.5], [-2.0], [3.0]])
    # 0.5*0.25, 2 - 0.5, 3 - 0.5
    assert LOSSES["huber"].value(y_pred, y) == pytest.approx((0.125 + 1.5 + 2.5) / 3)
    assert np.allclose(LOSSES["huber"].gradient(y_pred, y), [[0.5 / 3], [-1 / 3], [1 / 3]])


def test_bce_from_logits_matches_probabilities_and_is_stable():
    z = np.array([[-3.0], [0.5], [2.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    p = 1 / (1 + np.exp(-z))
    bce = LOSSES["bce"]
    assert bce.matched_value(z, y) == pytest.approx(bce.value(p, y), rel=1e-12)
    huge = np.array([[1e4], [-1e4]])
    value = bce.matched_value(huge, np.array([[0.0], [1.0]]))
    assert value == pytest.approx(1e4)  # exact, where log(sigmoid) would give inf


def test_cross_entropy_from_logits_matches_probabilities():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    ce = LOSSES["cross_entropy"]
    assert ce.matched_value(z, y) == pytest.approx(ce.value(p, y), rel=1e-12)


@pytest.mark.parametrize("name", ["mse", "huber", "bce", "cross_entropy"])
def test_gradient_matches_central_differences(name):
    rng = np.random.default_rng(2)
    loss = LOSSES[name]
    y_pred = rng.uniform(0.1, 0.9, size=(4, 3))
    if name == "cross_entropy":
        y_pred /= y_pred.sum(axis=1, keepdims=True)
        y = np.eye(3)[[0, 1, 2, 0]]
    else:
        y = rng.uniform(0, 1, size=(4, 3)) if name != "huber" else 3 * rng.normal(size=(4, 3))
    grad = loss.gradient(y_pred, y)
    h = 1e-6
    numeric = np.zeros_like(y_pred)
    for idx in np.ndindex(*y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.value(up, y) - loss.value(down, y)) / (2 * h)
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_user_loss_object_is_wrapped():
    class Quartic:
        def value(self, p, y):
            return float(np.mean((p - y) ** 4))

        def gradient(self, p, y):
            return 4 * (p - y) ** 3 / p.size

    loss = get_loss(Quartic())
    assert isinstance(loss, Loss) and loss.name == "Quartic"


def test_bad_loss_names_and_objects():
    with pytest.raises(ValueError, match=r"loss='mae' is not supported; expected one of"):
        get_loss("mae")
    with pytest.raises(TypeError, match="value\\(y_pred, y\\) and gradient"):
        get_loss(object())
