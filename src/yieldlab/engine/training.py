"""Training: :func:`train`, its :class:`History`, and mini-batch descent with early stopping.

:func:`train` checks the options and data once, holds out the validation rows, and hands
full-batch L-BFGS to :mod:`yieldlab.engine.lbfgs`; the first-order optimizers run here.
Stochastic (mini-batch) gradient descent applies the optimizer's rule to one random batch
at a time (ERRATA: the notes' "SGD"); the loss averages over the batch, so the learning
rate does not depend on the batch size. Each epoch shuffles the rows once into a
preallocated buffer and walks through it in contiguous slices: no Python work per sample
and no copies per batch. A monitor stops the epochs when the (validation) loss stops
improving, and a guard stops a diverging run with a message that names the learning rate.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_positive, check_rng
from ..exceptions import DivergenceError
from .lbfgs import train_lbfgs
from .network_checks import as_input, as_target
from .optimizers import Optimizer, check_no_options, get_optimizer

if TYPE_CHECKING:
    from .network import Network

__all__ = ["History", "train"]

Array = np.ndarray


@dataclass
class History:
    """What happened during training.

    Attributes
    ----------
    loss : list of float
        Training loss after each epoch (mean over the epoch's batches; for L-BFGS, the
        full-batch loss after each iteration).
    val_loss : list of float
        Validation loss after each epoch (empty without validation).
    grad_norms : list of ndarray of shape (n_layers,)
        Per epoch, the root-mean-square over the epoch's batches of each layer's
        ``||dC/dW_l||`` (the notes' vanishing-gradient view).
    best_epoch : int
        Epoch (0-based) whose weights the network holds at the end.
    stop_reason : str
        ``'max_epochs'``, ``'converged'`` (no improvement over ``tol`` for ``patience``
        epochs), ``'early_stopping'`` (validation loss stopped improving), ``'callback'``
        or the L-BFGS message.
    reached_limit : bool
        Whether training stopped at its limit (``epochs``; for L-BFGS its iteration or
        evaluation limit) while its convergence test was still unmet. False when there
        was no test (``tol=None`` without early stopping): every epoch was asked for.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norms: list[Array] = field(default_factory=list)
    best_epoch: int = 0
    stop_reason: str = "max_epochs"
    reached_limit: bool = False

    @property
    def n_epochs(self) -> int:
        """Number of epochs (or L-BFGS iterations) run."""
        return len(self.loss)


def _check_options(
    epochs: Any, batch_size: Any, patience: Any, validation_fraction: Any, l2: Any, tol: Any
) -> None:
    check_positive("epochs", epochs, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("patience", patience, integer=True)
    check_positive("l2", l2, strict=False)
    if tol is not None:
        check_positive("tol", tol, strict=False)
    if not isinstance(validation_fraction, numbers.Real) or not 0 <= validation_fraction < 1:
        raise ValueError(
            f"validation_fraction={validation_fraction!r} is invalid; expected 0 <= value < 1"
        )


# a loss this many times the untrained network's (or than 1, for a network that starts
# near a perfect fit) is a diverging run, even while finite
_BLOWUP = 1e3


def _diverged(epoch: int, value: float, optimizer: Optimizer) -> DivergenceError:
    lr = optimizer.learning_rate
    return DivergenceError(
        f"training diverged at epoch {epoch}: the loss became {value:.3g}; the learning rate "
        f"{lr:g} is too large for this problem, try learning_rate={lr / 10:g} or smaller"
    )


def train(
    network: Network,
    X: Any,
    Y: Any,
    *,
    optimizer: str | Optimizer = "adam",
    learning_rate: float = 0.001,
    epochs: int = 200,
    batch_size: int = 32,
    l2: float = 0.0,
    validation_fraction: float = 0.0,
    validation_data: tuple[Any, Any] | None = None,
    early_stopping: bool = False,
    patience: int = 10,
    tol: float | None = 1e-4,
    shuffle: bool = True,
    random_state: Any = None,
    callback: Callable[[int, History], bool | None] | None = None,
    **optimizer_options: Any,
) -> History:
    """Train ``network`` on ``(X, Y)`` and return its :class:`History`.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_inputs)
    Y : array-like of shape (n_samples, n_outputs)
    optimizer : {'adam', 'adamw', 'sgd', 'gd', 'lbfgs'} or Optimizer, default='adam'
        ``'lbfgs'`` minimises the full-batch loss with SciPy's L-BFGS-B (best for small
        data); ``epochs`` is then its iteration limit.
    learning_rate : float, default=0.001
        Step size of first-order optimizers (ignored by L-BFGS).
    epochs : int, default=200
        Passes over the training rows.
    batch_size : int, default=32
        Rows per gradient step (clipped to the number of training rows).
    l2 : float, default=0.0
        L2 penalty on the weights, ``l2 / (2 n_batch) * sum ||W||^2``.
    validation_fraction : float, default=0.0
        Fraction of rows held out (at random) to measure the validation loss each epoch.
    validation_data : (X_val, Y_val), optional
        Explicit validation rows instead of a random hold-out.
    early_stopping : bool, default=False
        Stop when the validation loss has not improved by ``tol`` for ``patience`` epochs
        and restore the weights of the best epoch. Needs validation rows.
    patience : int, default=10
        Epochs without improvement before stopping.
    tol : float or None, default=1e-4
        Improvement that counts. Without early stopping, training stops when the training
        loss has not improved by ``tol`` for ``patience`` epochs; ``None`` always runs
        every epoch.
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    random_state : None, int or Generator
        Seeds the shuffling and the validation split.
    callback : callable, optional
        ``callback(epoch, history)`` after each epoch; returning True stops training.
    **optimizer_options
        Passed to the optimizer (``momentum``, ``nesterov``, ``beta1``, ``beta2``,
        ``epsilon``, ``weight_decay``); L-BFGS takes none. A given :class:`Optimizer` keeps
        its state from earlier fits of the same network (a new network needs a new
        optimizer).

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When the loss becomes NaN or infinite, or above a thousand times the untrained
        network's (and above 1000); the message names the learning rate, and the network
        keeps its weights from before.
    ValueError
        For bad options or data, or an optimizer whose state was built for a network of
        another size.
    TypeError
        For an option the optimizer does not take (with the closest name for a typo).
    """
    _check_options(epochs, batch_size, patience, validation_fraction, l2, tol)
    if optimizer == "lbfgs":
        check_no_options(optimizer, optimizer_options)
    rng = check_rng(random_state)
    X = as_input(network, X)
    Y = as_target(network, Y, X.shape[0])
    X, Y, validation = _hold_out(network, X, Y, validation_data, validation_fraction, rng)
    if early_stopping and validation is None:
        raise ValueError(
            "early_stopping=True needs validation rows; set validation_fraction (e.g. 0.1) "
            "or pass validation_data"
        )
    if optimizer == "lbfgs":
        history = History()
        train_lbfgs(network, X, Y, epochs, l2, tol, history, callback)
        if validation is not None:
            history.val_loss.append(_loss(network, *validation))
        return history
    opt = get_optimizer(optimizer, learning_rate, **optimizer_options)
    opt.check_parameters(network.parameters)
    opt.decay_size = network.n_weights
    loop = _EpochLoop(network, X, Y, min(batch_size, X.shape[0]), l2, shuffle, rng)
    monitor = _Monitor(patience, tol, early_stopping, network)
    return _descend(loop, opt, monitor, epochs, validation, callback)


def _hold_out(
    network: Network,
    X: Array,
    Y: Array,
    validation_data: tuple[Any, Any] | None,
    validation_fraction: float,
    rng: np.random.Generator,
) -> tuple[Array, Array, tuple[Array, Array] | None]:
    """The training rows and the validation rows: ``validation_data`` (checked), else a
    random ``validation_fraction`` of the rows, else None."""
    if validation_data is not None:
        X_val = as_input(network, validation_data[0], "X_val")
        Y_val = as_target(network, validation_data[1], X_val.shape[0])
        return X, Y, (X_val, Y_val)
    if validation_fraction <= 0:
        return X, Y, None
    n_val = max(1, round(validation_fraction * X.shape[0]))
    if n_val >= X.shape[0]:
        raise ValueError(
            f"validation_fraction={validation_fraction!r} leaves no training rows out of "
            f"{X.shape[0]}; use a smaller fraction or more data"
        )
    order = rng.permutation(X.shape[0])
    X_val, Y_val = X[order[:n_val]], Y[order[:n_val]]
    X, Y = np.ascontiguousarray(X[order[n_val:]]), np.ascontiguousarray(Y[order[n_val:]])
    return X, Y, (X_val, Y_val)


def _descend(
    loop: _EpochLoop,
    opt: Optimizer,
    monitor: _Monitor,
    epochs: int,
    validation: tuple[Array, Array] | None,
    callback: Callable[[int, History], bool | None] | None,
) -> History:
    """Epochs of mini-batch descent, until ``epochs``, the monitor or the callback stops
    them; a diverging run restores the starting weights and raises."""
    network, X, Y = loop.network, loop.X, loop.Y
    early_stopping = monitor.keep_best
    history = History()
    start = network.parameters.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        # on about 1,024 rows spread over the data (sorted data: not the first ones): the
        # bound is rough, and a full pass would cost a fast fit
        every = max(1, X.shape[0] // 1024)
        limit = _BLOWUP * max(_loss(network, X[::every], Y[::every]), 1.0)
    for epoch in range(epochs):
        # NOTE: a diverging run overflows before its loss turns inf; the guard below
        # reports it once, with the learning rate, instead of a stream of warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            value, norms = loop.run(opt)
        if not math.isfinite(value) or not np.all(np.isfinite(norms)) or value > limit:
            network.parameters[...] = start  # the weights it had, not the blown-up ones
            raise _diverged(epoch, value, opt)
        history.loss.append(value)
        history.grad_norms.append(norms)
        watched = value
        if validation is not None:
            watched = _loss(network, *validation)
            history.val_loss.append(watched)
        stop = monitor.update(epoch, watched if early_stopping else value)
        if callback is not None and callback(epoch, history):
            history.stop_reason = "callback"
            break
        if stop:
            history.stop_reason = "early_stopping" if early_stopping else "converged"
            break
    if early_stopping:
        network.parameters[...] = monitor.best_parameters
    history.best_epoch = monitor.best_epoch if early_stopping else history.n_epochs - 1
    history.reached_limit = history.stop_reason == "max_epochs" and monitor.tested
    return history


def _loss(network: Network, X: Array, Y: Array) -> float:
    return network.evaluate(X, Y, network.workspace(X.shape[0]))


class _Monitor:
    """Tracks the best loss; says when ``patience`` epochs passed without improvement."""

    def __init__(self, patience: int, tol: float | None, keep_best: bool, network: Network):
        self.patience, self.tol, self.keep_best = patience, tol, keep_best
        self.network = network
        self.best = math.inf
        self.best_epoch = 0
        self.stale = 0
        self.best_parameters = network.parameters.copy() if keep_best else None

    @property
    def tested(self) -> bool:
        """Whether training stops on its own (without: every epoch runs)."""
        return self.tol is not None or self.keep_best

    def update(self, epoch: int, value: float) -> bool:
        tol = 0.0 if self.tol is None else self.tol
        if value < self.best - tol:
            self.stale = 0
        else:
            self.stale += 1
        if value < self.best:
            self.best = value
            self.best_epoch = epoch
            if self.keep_best:
                self.best_parameters[...] = self.network.parameters
        if not self.tested:
            return False
        return self.stale >= self.patience


class _EpochLoop:
    """One pass over shuffled rows in contiguous mini-batches, with buffers kept."""

    def __init__(
        self,
        network: Network,
        X: Array,
        Y: Array,
        batch_size: int,
        l2: float,
        shuffle: bool,
        rng: np.random.Generator,
    ) -> None:
        self.network, self.X, self.Y = network, X, Y
        self.batch_size, self.l2, self.shuffle, self.rng = batch_size, l2, shuffle, rng
        n = X.shape[0]
        self.Xs = np.empty_like(X) if shuffle else X
        self.Ys = np.empty_like(Y) if shuffle else Y
        self.starts = list(range(0, n, batch_size))
        self.full_ws = network.workspace(batch_size)
        tail = n - self.starts[-1]
        self.tail_ws = network.workspace(tail) if tail != batch_size else self.full_ws
        # sum over the epoch's steps of the squared gradient (all parameters: Adam adds
        # the square it computes anyway); the norms take the weights' part
        self.sq_sum = np.empty_like(network.gradients)

    def run(self, opt: Optimizer) -> tuple[float, Array]:
        network, bs, l2 = self.network, self.batch_size, self.l2
        Xs, Ys = self.Xs, self.Ys
        if self.shuffle:
            order = self.rng.permutation(self.X.shape[0])
            np.take(self.X, order, axis=0, out=Xs)
            np.take(self.Y, order, axis=0, out=Ys)
        params, grads = network.parameters, network.gradients
        sq_sum = self.sq_sum
        sq_sum[...] = 0.0
        forward, backward, step = network.forward, network.backward, opt.step
        full_ws, tail_ws, last = self.full_ws, self.tail_ws, self.starts[-1]
        total = 0.0
        for start in self.starts:
            ws = tail_ws if start == last else full_ws
            xb, yb = Xs[start : start + bs], Ys[start : start + bs]
            forward(xb, ws)
            total += backward(xb, yb, ws, l2) * xb.shape[0]
            step(params, grads, sq_sum)
        per_layer = np.array([sq_sum[s].sum() for s in network.weight_slices])
        return total / Xs.shape[0], np.sqrt(per_layer / len(self.starts))
