"""Loss functions C(y_hat, y), each written beside its gradient dC/dy_hat.

Every built-in loss is a *mean* over the samples (and, except the multi-class
cross-entropy, over the outputs), so the learning rate does not depend on the batch size
(ERRATA: average, not sum, over the batch).

Two pairs of output activation and loss have a simpler and numerically safer backward
step, ``delta_L = dC/dz_L = (a_L - y) / N``, because the ``sigma'`` factor cancels:
sigmoid with binary cross-entropy and softmax with categorical cross-entropy. The engine
takes that shortcut only for these matched pairs (``Loss.matched_activation``) and then
also computes the loss value from ``z_L`` (log-sum-exp form), so it never takes
``log(0)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

__all__ = [
    "LOSSES",
    "Loss",
    "bce",
    "bce_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "get_loss",
    "huber",
    "huber_grad",
    "mse",
    "mse_grad",
]

Array = np.ndarray
HUBER_DELTA = 1.0
# NOTE: probabilities are clipped this far from 0 and 1 when a cross-entropy is evaluated
# from probabilities (not logits), so log() stays finite.
_PROB_EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss ``C = value(y_pred, y)`` with ``gradient(y_pred, y) = dC/dy_pred``.

    Parameters
    ----------
    name : str
        Name shown in reports and errors.
    value : callable
        ``value(y_pred, y) -> float``; arrays of shape (n_samples, n_outputs).
    gradient : callable
        ``gradient(y_pred, y) -> ndarray of shape (n_samples, n_outputs)``, the derivative
        of ``value`` with respect to ``y_pred`` (including the averaging factor).
    matched_activation : str, optional
        Name of the output activation for which ``dC/dz = matched_delta(a, y)`` (the
        ``sigma'`` factor cancels).
    matched_delta : callable, optional
        ``matched_delta(a, y) -> dC/dz`` for the matched output activation.
    matched_value : callable, optional
        ``matched_value(z, y) -> float``, the loss computed from the pre-activation
        ``z`` of the matched output (stable for any ``z``).
    value_and_gradient : callable, optional
        ``value_and_gradient(y_pred, y, out) -> float``: a fused, allocation-free form of
        ``value`` and ``gradient`` that writes the gradient into ``out``; when absent the
        engine calls the two separately.

    Examples
    --------
    A user loss, here the mean absolute error (any differentiable loss works the same way):

    >>> import numpy as np
    >>> mae = Loss("mae", lambda p, y: float(np.mean(np.abs(p - y))),
    ...            lambda p, y: np.sign(p - y) / p.size)
    >>> mae.value(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))
    2.0
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    matched_activation: str | None = None
    matched_delta: Callable[[Array, Array], Array] | None = None
    matched_value: Callable[[Array, Array], float] | None = None
    value_and_gradient: Callable[[Array, Array, Array], float] | None = None

    def __post_init__(self) -> None:
        if not callable(self.value) or not callable(self.gradient):
            raise TypeError(
                f"loss {self.name!r}: value and gradient must be callables "
                "(y_pred, y) -> float and (y_pred, y) -> ndarray"
            )
        # a user loss that returns the wrong shape is refused now, not deep inside training
        p, y = np.array([[0.2, 0.6], [0.7, 0.1]]), np.array([[0.0, 1.0], [1.0, 0.0]])
        try:
            with np.errstate(all="ignore"):
                value, gradient = self.value(p, y), self.gradient(p, y)
        except Exception:  # undefined at the probe: judged when it is used
            return
        if np.ndim(value) != 0:
            raise ValueError(
                f"loss {self.name!r}: value returned shape {np.shape(value)}; it must return "
                "one number, the loss averaged over the samples (e.g. float(np.mean(...)))"
            )
        if np.shape(gradient) != p.shape:
            raise ValueError(
                f"loss {self.name!r}: gradient returned shape {np.shape(gradient)} for "
                f"predictions of shape {p.shape}; it must return dC/dy_pred, the same shape"
            )


# --- the built-in losses, value beside gradient -------------------------------------------


def mse(y_pred: Array, y: Array) -> float:
    """``C = mean((y_pred - y)^2)`` over all samples and outputs (the notes' C)."""
    r = y_pred - y
    return float(np.vdot(r, r) / r.size)


def mse_grad(y_pred: Array, y: Array) -> Array:
    """``dC/dy_pred = 2 (y_pred - y) / N``, with ``N = n_samples * n_outputs``."""
    return (2.0 / y_pred.size) * (y_pred - y)


def _mse_fused(y_pred: Array, y: Array, out: Array) -> float:
    r = np.subtract(y_pred, y, out=out)
    value = float(np.vdot(r, r)) / r.size
    r *= 2.0 / r.size
    return value


def huber(y_pred: Array, y: Array) -> float:
    """``C = mean(r^2 / 2 if |r| <= 1 else |r| - 1/2)``, ``r = y_pred - y`` (delta 1)."""
    r = np.abs(y_pred - y)
    quadratic = np.minimum(r, HUBER_DELTA)
    return float(np.mean(0.5 * quadratic**2 + HUBER_DELTA * (r - quadratic)))


def huber_grad(y_pred: Array, y: Array) -> Array:
    """``dC/dy_pred = clip(r, -1, 1) / N``."""
    return np.clip(y_pred - y, -HUBER_DELTA, HUBER_DELTA) / y_pred.size


def bce(y_pred: Array, y: Array) -> float:
    """``C = -mean(y log p + (1 - y) log(1 - p))`` with ``p = y_pred`` in (0, 1)."""
    p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def bce_grad(y_pred: Array, y: Array) -> Array:
    """``dC/dp = (p - y) / (p (1 - p) N)``."""
    p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
    return (p - y) / (p * (1.0 - p) * y_pred.size)


def _bce_from_logits(z: Array, y: Array) -> float:
    # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z; logaddexp keeps it exact.
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _bce_matched_delta(a: Array, y: Array) -> Array:
    return (a - y) / a.size


def cross_entropy(y_pred: Array, y: Array) -> float:
    """``C = -mean over samples of sum_k y_k log p_k`` (one-hot ``y``, softmax ``p``)."""
    p = np.clip(y_pred, _PROB_EPS, 1.0)
    return float(-np.sum(y * np.log(p)) / y_pred.shape[0])


def cross_entropy_grad(y_pred: Array, y: Array) -> Array:
    """``dC/dp_k = -y_k / (p_k n_samples)``."""
    p = np.clip(y_pred, _PROB_EPS, 1.0)
    return -y / (p * y_pred.shape[0])


def _cross_entropy_from_logits(z: Array, y: Array) -> float:
    return float(np.sum(logsumexp(z, axis=1) - np.sum(y * z, axis=1)) / z.shape[0])


def _cross_entropy_matched_delta(a: Array, y: Array) -> Array:
    return (a - y) / a.shape[0]


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, value_and_gradient=_mse_fused),
    "huber": Loss("huber", huber, huber_grad),
    "bce": Loss("bce", bce, bce_grad, "sigmoid", _bce_matched_delta, _bce_from_logits),
    "cross_entropy": Loss(
        "cross_entropy",
        cross_entropy,
        cross_entropy_grad,
        "softmax",
        _cross_entropy_matched_delta,
        _cross_entropy_from_logits,
    ),
}
ALIASES = {"squared_error": "mse", "log_loss": "bce", "binary_crossentropy": "bce"}


def get_loss(loss: str | Loss | object) -> Loss:
    """Look up a loss by name, or wrap a user's loss object.

    Parameters
    ----------
    loss : str, Loss, or object with ``value(y_pred, y)`` and ``gradient(y_pred, y)``
        A name from :data:`LOSSES`, a :class:`Loss`, or any object with those two methods.

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    TypeError
        For an object without ``value`` and ``gradient``.

    Examples
    --------
    >>> get_loss("mse").name
    'mse'
    """
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        name = ALIASES.get(loss, loss)
        if name not in LOSSES:
            raise ValueError(
                f"loss={loss!r} is not supported; expected one of {sorted(LOSSES)} or an "
                "object with value(y_pred, y) and gradient(y_pred, y) methods"
            )
        return LOSSES[name]
    value = getattr(loss, "value", None)
    gradient = getattr(loss, "gradient", None)
    if callable(value) and callable(gradient):
        return Loss(getattr(loss, "name", type(loss).__name__), value, gradient)
    raise TypeError(
        f"loss={loss!r} has the wrong type; expected a name such as 'mse', a Loss, or an "
        "object with value(y_pred, y) and gradient(y_pred, y) methods"
    )
