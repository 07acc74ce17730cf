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


def _textbook_adam(w, gradients, lr, b1, b2, eps):
    """Kingma & Ba's algorithm 1, written out."""
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(gradients, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w, m, v


@pytest.mark.parametrize(
    ("size", "b1", "b2"),
    [(50, 0.9, 0.999), (50, 0.0, 0.999), (50, 0.9, 0.0), (9000, 0.9, 0.999), (50, 0.5, 0.5)],
)
def test_adam_matches_the_textbook_rule_over_many_steps(size, b1, b2):
    # 1,500 steps: the scale factors s1 = b1^k are folded into the moments many times
    # (b1 = 0.9 passes 1e-30 after 656 steps); 9,000 entries take the NumPy path
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=size)
    gradients = [rng.normal(size=size) * 10.0 ** rng.uniform(-6, 2) for _ in range(1500)]
    expected, m, v = _textbook_adam(w0, gradients, 1e-3, b1, b2, 1e-8)
    w, opt = w0.copy(), Adam(1e-3, beta1=b1, beta2=b2)
    for g in gradients:
        opt.step(w, g)
    assert np.max(np.abs(w - expected)) < 1e-12 * np.max(np.abs(expected - w0))
    for moment, reference in zip(opt.moments(), (m, v), strict=True):
        assert np.max(np.abs(moment - reference)) < 1e-12 * np.max(np.abs(reference))


def test_adam_in_float32_stays_finite_and_close_to_float64():
    rng = np.random.default_rng(4)
    w0 = rng.normal(size=40)
    gradients = [rng.normal(size=40) * 1e3 for _ in range(800)]
    expected, _, _ = _textbook_adam(w0, gradients, 1e-3, 0.9, 0.999, 1e-8)
    w, opt = w0.astype(np.float32), Adam(1e-3)
    for g in gradients:
        opt.step(w, g.astype(np.float32))
    assert w.dtype == np.float32 and np.all(np.isfinite(opt.moments()[1]))
    assert np.max(np.abs(w - expected)) < 1e-4


def test_adam_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=30)
    gradients = [rng.normal(size=30) for _ in range(300)]
    param = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    reference = torch.optim.Adam([param], lr=1e-2, betas=(0.8, 0.99), eps=1e-8)
    w, opt = w0.copy(), Adam(1e-2, beta1=0.8, beta2=0.99)
    for g in gradients:
        param.grad = torch.tensor(g, dtype=torch.float64)
        reference.step()
        opt.step(w, g)
    assert np.allclose(w, param.detach().numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: GradientDescent(0.1, momentum=0.5)])
def test_step_adds_the_squared_gradient_to_square_sum(make):
    # the training loop's per-layer gradient norms: Adam adds the square it computes
    g1, g2 = np.array([3.0, -0.5, 2.0]), np.array([1.0, 4.0, -1.0])
    total = np.zeros(3)
    opt, w = make(), np.zeros(3)
    opt.step(w, g1, total)
    opt.step(w, g2, total)
    assert np.array_equal(total, [10.0, 16.25, 5.0])
    reference, w_ref = make(), np.zeros(3)
    reference.step(w_ref, g1)
    reference.step(w_ref, g2)
    assert np.array_equal(w, w_ref)  # the sum does not change the update


def test_check_parameters_compares_with_the_state():
    opt = GradientDescent(0.1, momentum=0.9)
    opt.check_parameters(np.zeros(3))  # no state yet: anything goes
    opt.step(np.zeros(3), np.ones(3))
    opt.check_parameters(np.zeros(3))
    with pytest.raises(ValueError, match="GradientDescent optimizer holds its state .* for 3"):
        opt.check_parameters(np.zeros(4))
