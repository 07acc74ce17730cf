"""Each optimizer's rule, one step worked by hand (numbers in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from yieldlab.engine.optimizers import Adam, AdamW, GradientDescent, get_optimizer


def test_plain_gradient_descent_moves_against_the_gradient():
    # w = [1, -1], g = [2, -4], eta = 0.1  ->  w - eta g = [0.8, -0.6]
    w = np.array([1.0, -1.0])
    GradientDescent(0.1).step(w, np.array([2.0, -4.0]))
    assert np.allclose(w, [0.8, -0.6])


def test_momentum_two_steps():
    # v1 = -0.1*2 = -0.2, w1 = 1 - 0.2 = 0.8
    # v2 = 0.9*(-0.2) - 0.1*2 = -0.38, w2 = 0.8 - 0.38 = 0.42
    w = np.array([1.0])
    opt = GradientDescent(0.1, momentum=0.9)
    opt.step(w, np.array([2.0]))
    assert w[0] == pytest.approx(0.8)
    opt.step(w, np.array([2.0]))
    assert w[0] == pytest.approx(0.42)


def test_nesterov_first_step():
    # v1 = -0.2; w1 = 1 + 0.9*(-0.2) - 0.1*2 = 0.62
    w = np.array([1.0])
    GradientDescent(0.1, momentum=0.9, nesterov=True).step(w, np.array([2.0]))
    assert w[0] == pytest.approx(0.62)


def test_adam_two_steps_by_hand():
    # step 1: m = 0.1*2 = 0.2, v = 0.001*4 = 0.004; m_hat = 2, v_hat = 4
    #         w = 1 - 0.01 * 2 / (2 + 1e-8) = 0.99
    # step 2 (g = 1): m = 0.9*0.2 + 0.1 = 0.28, v = 0.999*0.004 + 0.001 = 0.004996
    #         m_hat = 0.28/0.19, v_hat = 0.004996/0.001999
    w = np.array([1.0])
    opt = Adam(0.01)
    opt.step(w, np.array([2.0]))
    w1 = 1 - 0.01 * 2 / (2 + 1e-8)
    assert w[0] == pytest.approx(w1, abs=1e-15)
    opt.step(w, np.array([1.0]))
    m_hat, v_hat = 0.28 / 0.19, 0.004996 / (1 - 0.999**2)
    assert w[0] == pytest.approx(w1 - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-14)


def test_adamw_decays_weights_only():
    # decay: w <- w (1 - eta * wd) on the first decay_size entries (weights), not biases
    params = np.array([1.0, 1.0])
    opt = AdamW(0.1, weight_decay=0.5)
    opt.decay_size = 1
    opt.step(params, np.zeros(2))
    assert params[0] == pytest.approx(0.95)
    assert params[1] == pytest.approx(1.0)


def test_invalid_settings_are_named():
    with pytest.raises(ValueError, match="learning_rate=-0.1 is invalid"):
        GradientDescent(-0.1)
    with pytest.raises(ValueError, match="nesterov=True needs momentum"):
        GradientDescent(0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta1=1.0 is invalid"):
        Adam(beta1=1.0)
    with pytest.raises(ValueError, match="optimizer='rmsprop' is not supported"):
        get_optimizer("rmsprop", 0.1)
