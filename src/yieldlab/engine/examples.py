"""The notes' worked examples, run on the engine.

* gradient descent on a line with a bias reaches the closed-form least-squares answer;
* a single sigmoid neuron learns AND and OR but not XOR (not linearly separable);
* a 2-2-1 network learns XOR;
* with sigmoid in many hidden layers the first layers' gradients vanish (each layer scales
  the backward signal by at most ``||W|| / 4``, since ``max sigma' = sigma'(0) = 1/4``),
  with ReLU and He initialisation they do not.

``yieldlab examples`` prints these; the test suite asserts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_rng
from .layers import Dense
from .network import Network
from .training import train

__all__ = [
    "GATES",
    "LineFit",
    "fit_line",
    "learn_gate",
    "vanishing_gradient",
]

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),
}


@dataclass(frozen=True)
class LineFit:
    """Slope and intercept of a line from gradient descent and from the closed form."""

    w_gd: float
    b_gd: float
    w_exact: float
    b_exact: float
    epochs: int


def fit_line(
    x: np.ndarray, y: np.ndarray, learning_rate: float = 0.1, epochs: int = 5000
) -> LineFit:
    """Fit ``y = w x + b`` by full-batch gradient descent on the MSE, and in closed form.

    Gradient descent is the notes' rule with the sign fixed (ERRATA)::

        w <- w - eta * 2/n sum (w x_i + b - y_i) x_i
        b <- b - eta * 2/n sum (w x_i + b - y_i)

    The closed form solves the centred normal equation
    ``w = sum (x - mean x)(y - mean y) / sum (x - mean x)^2``, ``b = mean y - w mean x``.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
    learning_rate : float, default=0.1
    epochs : int, default=5000

    Returns
    -------
    LineFit

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, 3.0]); y = 2 * x + 1
    >>> fit = fit_line(x, y)
    >>> round(fit.w_gd, 6), round(fit.b_gd, 6)
    (2.0, 1.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    xc = x - x.mean()
    w_exact = float(xc @ (y - y.mean()) / (xc @ xc))
    b_exact = float(y.mean() - w_exact * x.mean())
    neuron = Network([Dense(1, 1)], loss="mse", random_state=0)
    history = train(
        neuron,
        x[:, None],
        y[:, None],
        optimizer="gd",
        learning_rate=learning_rate,
        epochs=epochs,
        batch_size=x.size,
        tol=None,
        shuffle=False,
    )
    return LineFit(
        float(neuron.layers[0].W[0, 0]),
        float(neuron.layers[0].b[0]),
        w_exact,
        b_exact,
        history.n_epochs,
    )


def learn_gate(
    gate: str,
    hidden: int = 0,
    random_state: int | None = 0,
    epochs: int = 500,
    n_init: int = 5,
) -> np.ndarray:
    """Train a sigmoid network on a two-input logic gate; return its 0/1 outputs.

    Parameters
    ----------
    gate : {'AND', 'OR', 'XOR'}
    hidden : int, default=0
        Hidden sigmoid units; 0 is the notes' single neuron ``sigma(w1 x1 + w2 x2 + b)``.
    random_state : int or None, default=0
    epochs : int, default=500
        L-BFGS iterations on the binary cross-entropy.
    n_init : int, default=5
        Random initialisations; the one with the lowest loss is kept (a 2-2-1 sigmoid
        network has poor local minima for XOR from about half of its starts).

    Returns
    -------
    ndarray of shape (4,)
        The network's answer for inputs 00, 01, 10, 11.

    Examples
    --------
    >>> learn_gate("AND").tolist()
    [0, 0, 0, 1]
    """
    target = GATES[gate]
    rng = check_rng(random_state)
    sizes = [2, hidden, 1] if hidden else [2, 1]
    # inputs centred to -1/+1: the same problem, better conditioned for the optimiser
    X = 2.0 * GATE_INPUTS - 1.0
    best_loss, best_output = np.inf, None
    for _ in range(n_init):
        # new layers for every network: a layer's weights are views of its own network's
        layers = [Dense(sizes[i], sizes[i + 1], "sigmoid") for i in range(len(sizes) - 1)]
        network = Network(layers, loss="bce", random_state=rng)
        history = train(network, X, target[:, None], optimizer="lbfgs", epochs=epochs, tol=None)
        if history.loss[-1] < best_loss:
            best_loss, best_output = history.loss[-1], network.predict(X).ravel()
    return (best_output > 0.5).astype(int)


def vanishing_gradient(
    activation: str,
    n_hidden: int = 8,
    width: int = 32,
    n_samples: int = 256,
    random_state: int | None = 0,
) -> np.ndarray:
    """Per-layer weight-gradient norms of a freshly initialised deep network.

    A network of ``n_hidden`` hidden layers of ``width`` units (initialised for the
    activation: Glorot for sigmoid/tanh, He for the ReLU family) and a linear output is
    evaluated on random standard-normal inputs and targets with the MSE.

    Parameters
    ----------
    activation : str
        Hidden activation, e.g. ``'sigmoid'`` or ``'relu'``.
    n_hidden : int, default=8
    width : int, default=32
    n_samples : int, default=256
    random_state : int or None, default=0

    Returns
    -------
    ndarray of shape (n_hidden + 1,)
        ``||dC/dW_l||`` for each layer, input layer first.

    Examples
    --------
    >>> norms = vanishing_gradient("sigmoid")
    >>> bool(norms[0] / norms[7] < 1e-4)
    True
    """
    rng = check_rng(random_state)
    X = rng.normal(size=(n_samples, 8))
    Y = rng.normal(size=(n_samples, 1))
    sizes = [8] + [width] * n_hidden
    layers = [Dense(sizes[i], sizes[i + 1], activation) for i in range(n_hidden)]
    network = Network([*layers, Dense(width, 1)], loss="mse", random_state=rng)
    network.loss_and_gradients(X, Y)
    return network.gradient_norms()
