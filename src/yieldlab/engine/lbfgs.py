"""Full-batch training by SciPy's L-BFGS-B over the network's flat parameter vector.

For the small tables experiments produce, the best training is often no mini-batching at
all: L-BFGS minimises the loss over every row at once, from the gradient that
backpropagation writes into :attr:`~yieldlab.engine.network.Network.gradients`, and needs
no learning rate. :func:`~yieldlab.engine.training.train` calls it for
``optimizer='lbfgs'``, with ``epochs`` as the iteration limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import minimize

from ..exceptions import DivergenceError

if TYPE_CHECKING:
    from .network import Network
    from .training import History

__all__ = ["train_lbfgs"]

Array = np.ndarray


def train_lbfgs(
    network: Network,
    X: Array,
    Y: Array,
    max_iter: int,
    l2: float,
    tol: float | None,
    history: History,
    callback: Callable | None,
) -> None:
    """Minimise the full-batch loss over the flat parameter vector with L-BFGS-B.

    Parameters
    ----------
    network : Network
        Trained in place; it ends with the last iterate's weights.
    X : ndarray of shape (n_samples, n_inputs), dtype of the network
    Y : ndarray of shape (n_samples, n_outputs)
    max_iter : int
        Iteration limit (twice as many loss evaluations, and 20 more, are allowed).
    l2 : float
        L2 penalty on the weights (see :meth:`~yieldlab.engine.network.Network.backward`).
    tol : float or None
        Gradient tolerance, at most SciPy's default ``1e-5``.
    history : History
        Receives the loss and gradient norms of each iteration, and why it stopped.
    callback : callable, optional
        ``callback(iteration, history)``; returning True stops training.

    Raises
    ------
    DivergenceError
        When the final loss is NaN or infinite.
    """
    ws = network.workspace(X.shape[0])
    params = network.parameters
    state: dict[str, Any] = {"value": math.inf}

    def fun(theta: Array) -> tuple[float, Array]:
        params[...] = theta
        network.forward(X, ws)
        value = network.backward(X, Y, ws, l2)
        state["value"] = value
        if not math.isfinite(value):
            # L-BFGS backs off from a non-finite trial point by itself
            return math.inf, np.zeros_like(theta, dtype=np.float64)
        return value, network.gradients.astype(np.float64)

    def record(intermediate_result: Any) -> None:
        history.loss.append(float(intermediate_result.fun))
        history.grad_norms.append(network.gradient_norms())
        if callback is not None and callback(history.n_epochs - 1, history):
            raise StopIteration

    gtol = 1e-5 if tol is None else min(1e-5, tol)
    result = minimize(
        fun,
        params.astype(np.float64),
        jac=True,
        method="L-BFGS-B",
        callback=record,
        options={
            "maxiter": max_iter,
            "maxfun": 2 * max_iter + 20,
            "gtol": gtol,
            "ftol": 1e3 * np.finfo(float).eps,
        },
    )
    params[...] = result.x
    final = network.evaluate(X, Y, network.workspace(X.shape[0])) if X.shape[0] else math.inf
    if not math.isfinite(final):
        raise DivergenceError(
            f"training diverged at iteration {history.n_epochs}: the loss became {final:.3g}; "
            "scale the inputs and targets, or use a smaller l2 or another optimizer"
        )
    if not history.loss:
        history.loss.append(final)
        history.grad_norms.append(network.gradient_norms())
    history.best_epoch = history.n_epochs - 1
    history.stop_reason = str(result.message)
    history.reached_limit = result.status == 1  # SciPy: iteration or evaluation limit
