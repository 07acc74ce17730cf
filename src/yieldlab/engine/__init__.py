"""The engine: the mathematics of the notes, written directly in NumPy (layer 1).

Activations and losses with their derivatives, dense layers, a network trained by
backpropagation, optimizers and training loops, and least squares (closed form and
gradient descent). It imports NumPy, SciPy and the standard library only.

Examples
--------
>>> import numpy as np
>>> from yieldlab.engine import Network, Dense
>>> net = Network([Dense(8, 16, activation="tanh"), Dense(16, 1)], loss="mse", random_state=0)
>>> net.predict(np.zeros((3, 8))).shape
(3, 1)
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .layers import Dense
from .linear import fit_least_squares, gradient_descent
from .losses import LOSSES, Loss, get_loss
from .network import Network
from .optimizers import OPTIMIZERS, Adam, AdamW, GradientDescent, Optimizer, get_optimizer
from .training import History, train

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "OPTIMIZERS",
    "Activation",
    "Adam",
    "AdamW",
    "Dense",
    "GradientDescent",
    "History",
    "Loss",
    "Network",
    "Optimizer",
    "fit_least_squares",
    "get_activation",
    "get_loss",
    "get_optimizer",
    "gradient_descent",
    "train",
]
