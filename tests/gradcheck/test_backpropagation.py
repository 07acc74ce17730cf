"""Backpropagation against central finite differences (float64), for every activation x
loss x depth 1..4, user activations and losses, and PyTorch's autograd when installed."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.engine import Activation, Dense, Loss, Network
from yieldlab.engine.activations import ACTIVATIONS, sigmoid, sigmoid_grad

ELEMENTWISE = [name for name in ACTIVATIONS if name != "softmax"]
LOSS_OUTPUT = {"mse": None, "huber": None, "bce": "sigmoid", "cross_entropy": "softmax"}
H = 1e-6


def build(activation, loss, depth, seed=0, n_in=3, n_out=2):
    widths = [n_in] + [4] * (depth - 1) + [n_out]
    output = LOSS_OUTPUT.get(loss) if isinstance(loss, str) else None
    layers = [
        Dense(widths[i], widths[i + 1], activation if i < depth - 1 or output is None else output)
        for i in range(depth)
    ]
    return Network(layers, loss=loss, random_state=seed)


def targets(loss, rng, n, n_out):
    if loss == "cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, size=n)]
    if loss == "bce":
        return rng.integers(0, 2, size=(n, n_out)).astype(float)
    return 2.0 * rng.normal(size=(n, n_out))


def numeric_gradient(network, X, Y):
    theta = network.parameters
    grad = np.empty_like(theta)
    for i in range(theta.size):
        keep = theta[i]
        theta[i] = keep + H
        up = network.loss_and_gradients(X, Y)[0]
        theta[i] = keep - H
        down = network.loss_and_gradients(X, Y)[0]
        theta[i] = keep
        grad[i] = (up - down) / (2 * H)
    return grad


def assert_backprop_matches(network, X, Y):
    network.loss_and_gradients(X, Y)
    analytic = network.gradients.copy()
    numeric = numeric_gradient(network, X, Y)
    error = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(numeric), 1e-12)
    assert error < 1e-6, f"relative gradient error {error:.2e}"


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("loss", list(LOSS_OUTPUT))
@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_every_activation_loss_and_depth(activation, loss, depth):
    rng = np.random.default_rng(depth)
    network = build(activation, loss, depth)
    X = rng.normal(size=(7, 3))
    assert_backprop_matches(network, X, targets(loss, rng, 7, 2))


def test_l2_penalty_gradient():
    rng = np.random.default_rng(0)
    network = build("tanh", "mse", 3)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    network.loss_and_gradients(X, Y, l2=0.3)
    analytic = network.gradients.copy()
    theta, numeric = network.parameters, np.empty_like(network.parameters)
    for i in range(theta.size):
        keep = theta[i]
        theta[i] = keep + H
        up = network.loss_and_gradients(X, Y, l2=0.3)[0]
        theta[i] = keep - H
        down = network.loss_and_gradients(X, Y, l2=0.3)[0]
        theta[i] = keep
        numeric[i] = (up - down) / (2 * H)
    assert np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric) < 1e-6


def swish(z):
    return z * sigmoid(z)


def swish_grad(z):
    s = sigmoid(z)
    return s + z * s * (1 - s)


def test_user_activation_and_user_loss_use_the_same_backpropagation():
    quartic = Loss(
        "quartic",
        lambda p, y: float(np.mean((p - y) ** 4)),
        lambda p, y: 4 * (p - y) ** 3 / p.size,
    )
    act = Activation("swish", swish, swish_grad)
    rng = np.random.default_rng(4)
    layers = [Dense(3, 5, act), Dense(5, 4, (np.sin, np.cos)), Dense(4, 2, act)]
    network = Network(layers, loss=quartic, random_state=1)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    assert_backprop_matches(network, X, Y)


def test_unmatched_sigmoid_with_bce_takes_the_general_path():
    # a user's own sigmoid is not the built-in, so the (a - y) shortcut is not taken
    user_sigmoid = Activation("my_sigmoid", sigmoid, sigmoid_grad)
    rng = np.random.default_rng(5)
    network = Network([Dense(3, 4, "tanh"), Dense(4, 1, user_sigmoid)], loss="bce", random_state=0)
    assert not network._matched
    X, Y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=(8, 1)).astype(float)
    assert_backprop_matches(network, X, Y)
    matched = Network([Dense(3, 4, "tanh"), Dense(4, 1, "sigmoid")], loss="bce", random_state=0)
    assert matched._matched
    assert np.allclose(
        matched.loss_and_gradients(X, Y)[1][0][0],
        network.loss_and_gradients(X, Y)[1][0][0],
        rtol=1e-7,
    )


TORCH_ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"]


@pytest.mark.parametrize("activation", TORCH_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "huber", "bce", "cross_entropy"])
def test_against_torch_autograd(activation, loss):
    torch = pytest.importorskip("torch")
    functional = {
        "identity": lambda t: t,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
        "elu": torch.nn.functional.elu,
        "softplus": torch.nn.functional.softplus,
    }[activation]
    rng = np.random.default_rng(11)
    network = build(activation, loss, 3)
    X = rng.normal(size=(9, 3))
    Y = targets(loss, rng, 9, 2)
    value, grads = network.loss_and_gradients(X, Y)
    params = [
        (torch.tensor(layer.W, requires_grad=True), torch.tensor(layer.b, requires_grad=True))
        for layer in network.layers
    ]
    a = torch.tensor(X)
    for i, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = functional(z) if i < len(params) - 1 or LOSS_OUTPUT[loss] is None else z
    y = torch.tensor(Y)
    F = torch.nn.functional
    reference = {
        "mse": lambda: F.mse_loss(a, y),
        "huber": lambda: F.huber_loss(a, y, delta=1.0),
        "bce": lambda: F.binary_cross_entropy_with_logits(a, y),
        "cross_entropy": lambda: F.cross_entropy(a, y.argmax(dim=1)),
    }[loss]()
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-12)
    for (dW, db), (W, b) in zip(grads, params, strict=True):
        assert np.allclose(dW, W.grad.numpy(), rtol=1e-10, atol=1e-13)
        assert np.allclose(db, b.grad.numpy(), rtol=1e-10, atol=1e-13)
