"""Activation functions sigma(z), each written beside its derivative sigma'(z).

A layer computes ``a = sigma(z)`` elementwise. Backpropagation needs ``sigma'(z)``; for
every built-in activation that derivative can also be written through the output ``a``
alone (``sigmoid: a (1 - a)``, ``tanh: 1 - a^2``, ``relu: [a > 0]``, ...), which lets the
engine overwrite ``z`` with ``a`` in place and keep one buffer per layer instead of two.
A user activation gives only ``function`` and ``derivative`` of ``z``; the engine then keeps
``z`` as well.

All built-ins are finite and warning-free for ``|z|`` up to at least ``1e4``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "elu",
    "elu_grad",
    "get_activation",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softplus",
    "softplus_grad",
    "tanh",
    "tanh_grad",
]

Array = np.ndarray
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


_PROBE = np.linspace(-0.9, 0.9, 6).reshape(3, 2)


def _probe_elementwise(name: str, part: str, f: Callable[[Array], Array]) -> None:
    """Refuse, when it is built, a user activation whose ``part`` does not return an array
    of its input's shape (the engine would fail deep inside a training step)."""
    try:
        with np.errstate(all="ignore"):
            out = f(_PROBE.copy())
    except Exception:  # undefined at the probe: judged when it is used
        return
    try:
        fits = np.broadcast_shapes(np.shape(out), _PROBE.shape) == _PROBE.shape
    except ValueError:
        fits = False
    if not fits:  # a scalar derivative (a linear function) broadcasts, and is fine
        raise ValueError(
            f"activation {name!r}: its {part} returned shape {np.shape(out)} for an input "
            f"of shape {_PROBE.shape}; it must work elementwise and return that shape (or a "
            "scalar)"
        )


@dataclass(frozen=True)
class Activation:
    """An activation ``a = function(z)`` with its derivative ``derivative(z) = da/dz``.

    Parameters
    ----------
    name : str
        Name shown in reports and errors.
    function : callable
        ``function(z) -> a``, elementwise, ndarray of shape (n_samples, n_units).
    derivative : callable
        ``derivative(z) -> sigma'(z)``, elementwise, same shape.
    init : {'glorot', 'he'}, default='glorot'
        Weight initialisation that keeps the signal's scale through a layer with this
        activation: Glorot (Xavier) for saturating functions, He for the ReLU family.
    grad_from_output : callable, optional
        ``grad_from_output(a) -> sigma'(z)`` expressed through the output; when given the
        engine does not store ``z``.
    inplace : bool, default=False
        ``function`` accepts ``out=`` (as NumPy ufuncs do), so the engine can overwrite
        ``z`` with ``a``. Only meaningful together with ``grad_from_output``.

    Examples
    --------
    A user activation (the engine backpropagates through it like a built-in one):

    >>> import numpy as np
    >>> def swish(z):
    ...     return z * sigmoid(z)
    >>> def swish_grad(z):
    ...     s = sigmoid(z)
    ...     return s + z * s * (1 - s)
    >>> act = Activation("swish", swish, swish_grad)
    >>> float(act.function(np.array(0.0)))
    0.0
    """

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    init: str = "glorot"
    grad_from_output: Callable[[Array], Array] | None = None
    inplace: bool = False

    def __post_init__(self) -> None:
        if not callable(self.function) or not callable(self.derivative):
            raise TypeError(
                f"activation {self.name!r}: function and derivative must be callables "
                "taking and returning ndarrays"
            )
        _probe_elementwise(self.name, "function", self.function)
        _probe_elementwise(self.name, "derivative", self.derivative)
        if self.init not in ("glorot", "he"):
            raise ValueError(
                f"activation {self.name!r}: init={self.init!r} is not supported; expected "
                "'glorot' or 'he'"
            )

    def backward(self, grad_a: Array, z: Array | None, a: Array) -> Array:
        """Return ``dC/dz = dC/da * sigma'(z)`` (elementwise), in place in ``grad_a``.

        Parameters
        ----------
        grad_a : ndarray of shape (n_samples, n_units)
            ``dC/da``; overwritten with the result.
        z : ndarray of shape (n_samples, n_units) or None
            Pre-activation; may be None when ``grad_from_output`` is set.
        a : ndarray of shape (n_samples, n_units)
            Output of the activation.

        Returns
        -------
        ndarray of shape (n_samples, n_units)
            ``grad_a`` itself, now holding ``dC/dz``.
        """
        if self.grad_from_output is not None:
            grad_a *= self.grad_from_output(a)
        else:
            grad_a *= self.derivative(z)
        return grad_a


# --- the built-in activations, forward rule beside its derivative -------------------------


def identity(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = z``; the output layer of a regression network."""
    if out is None:
        return z
    out[...] = z
    return out


def identity_grad(z: Array) -> Array:
    """``sigma'(z) = 1``."""
    return np.ones_like(z)


def _identity_grad_from_output(a: Array) -> float:
    return 1.0


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = 1 / (1 + exp(-z))``, the notes' logistic function."""
    # NOTE: scipy's expit never overflows, unlike 1 / (1 + exp(-z)) for z << 0.
    return expit(z, out=out)


def sigmoid_grad(z: Array) -> Array:
    """``sigma'(z) = sigma(z) (1 - sigma(z))``; at most 1/4, at ``z = 0``."""
    s = expit(z)
    return s * (1.0 - s)


def _sigmoid_grad_from_output(a: Array) -> Array:
    return a * (1.0 - a)


def tanh(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = tanh(z)``."""
    return np.tanh(z, out=out)


def tanh_grad(z: Array) -> Array:
    """``sigma'(z) = 1 - tanh(z)^2``."""
    t = np.tanh(z)
    return 1.0 - t * t


def _tanh_grad_from_output(a: Array) -> Array:
    return 1.0 - a * a


def relu(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = max(0, z)``."""
    return np.maximum(z, 0.0, out=out)


def relu_grad(z: Array) -> Array:
    """``sigma'(z) = 1 if z > 0 else 0`` (0 at the kink, as PyTorch and scikit-learn)."""
    return (z > 0).astype(z.dtype)


def _relu_grad_from_output(a: Array) -> Array:
    return a > 0


def leaky_relu(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = z if z > 0 else 0.01 z``."""
    # max(z, 0.01 z) equals the piecewise rule because the slope is below 1.
    return np.maximum(z, LEAKY_SLOPE * z, out=out)


def leaky_relu_grad(z: Array) -> Array:
    """``sigma'(z) = 1 if z > 0 else 0.01``."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


def _leaky_relu_grad_from_output(a: Array) -> Array:
    return np.where(a > 0, 1.0, LEAKY_SLOPE).astype(a.dtype, copy=False)


def elu(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = z if z > 0 else alpha (exp(z) - 1)``, with ``alpha = 1``."""
    # NOTE: expm1 of the clipped value: exp(1e4) would overflow in the branch not taken.
    negative = ELU_ALPHA * np.expm1(np.minimum(z, 0.0))
    result = np.where(z > 0, z, negative)
    if out is None:
        return result
    out[...] = result
    return out


def elu_grad(z: Array) -> Array:
    """``sigma'(z) = 1 if z > 0 else alpha exp(z)``."""
    return np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0))).astype(z.dtype, copy=False)


def _elu_grad_from_output(a: Array) -> Array:
    # for z <= 0: a = alpha (e^z - 1), so alpha e^z = a + alpha
    return np.where(a > 0, 1.0, a + ELU_ALPHA).astype(a.dtype, copy=False)


def softplus(z: Array, out: Array | None = None) -> Array:
    """``sigma(z) = log(1 + exp(z))``, a smooth ReLU."""
    # NOTE: logaddexp(0, z) is exact for large |z|; log1p(exp(z)) overflows at z > 709.
    return np.logaddexp(0.0, z, out=out)


def softplus_grad(z: Array) -> Array:
    """``sigma'(z) = sigmoid(z)``."""
    return expit(z)


def _softplus_grad_from_output(a: Array) -> Array:
    # a = log(1 + e^z) gives sigmoid(z) = 1 - e^(-a)
    return -np.expm1(-a)


def softmax(z: Array, out: Array | None = None) -> Array:
    """``sigma(z)_k = exp(z_k) / sum_j exp(z_j)`` over each row (multi-class output)."""
    # NOTE: subtracting the row maximum keeps exp from overflowing.
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted, out=out)
    e /= e.sum(axis=1, keepdims=True)
    return e


class _Softmax(Activation):
    """Softmax is not elementwise: its backward pass is a Jacobian-vector product."""

    def backward(self, grad_a: Array, z: Array | None, a: Array) -> Array:
        # dC/dz_k = a_k (g_k - sum_j g_j a_j)
        inner = np.einsum("ij,ij->i", grad_a, a)[:, None]
        grad_a -= inner
        grad_a *= a
        return grad_a


class _Identity(Activation):
    """The identity's derivative is 1: the backward pass leaves ``dC/da`` unchanged."""

    def backward(self, grad_a: Array, z: Array | None, a: Array) -> Array:
        return grad_a


def _softmax_derivative(z: Array) -> Array:
    raise NotImplementedError("softmax has no elementwise derivative; use backward()")


ACTIVATIONS: dict[str, Activation] = {
    "identity": _Identity(
        "identity", identity, identity_grad, "glorot", _identity_grad_from_output, True
    ),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_grad, "glorot", _sigmoid_grad_from_output, True
    ),
    "tanh": Activation("tanh", tanh, tanh_grad, "glorot", _tanh_grad_from_output, True),
    "relu": Activation("relu", relu, relu_grad, "he", _relu_grad_from_output, True),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu, leaky_relu_grad, "he", _leaky_relu_grad_from_output, True
    ),
    "elu": Activation("elu", elu, elu_grad, "he", _elu_grad_from_output, True),
    "softplus": Activation(
        "softplus", softplus, softplus_grad, "he", _softplus_grad_from_output, True
    ),
    "softmax": _Softmax("softmax", softmax, _softmax_derivative, "glorot", None, False),
}
# scikit-learn's name for the sigmoid
ALIASES = {"logistic": "sigmoid", "linear": "identity"}


def get_activation(activation: str | Activation | tuple) -> Activation:
    """Look up an activation by name, or wrap a user's ``(function, derivative)`` pair.

    Parameters
    ----------
    activation : str, Activation or tuple of (callable, callable)
        A name from :data:`ACTIVATIONS` (``'logistic'`` is accepted for ``'sigmoid'``), an
        :class:`Activation`, or a pair ``(function, derivative)``.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    TypeError
        For anything else.

    Examples
    --------
    >>> get_activation("tanh").name
    'tanh'
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        name = ALIASES.get(activation, activation)
        if name not in ACTIVATIONS:
            raise ValueError(
                f"activation={activation!r} is not supported; expected one of "
                f"{sorted(ACTIVATIONS)} or an Activation(name, function, derivative)"
            )
        return ACTIVATIONS[name]
    if isinstance(activation, tuple) and len(activation) == 2:
        function, derivative = activation
        name = getattr(function, "__name__", "user")
        return Activation(name, function, derivative)
    raise TypeError(
        f"activation={activation!r} has the wrong type; expected a name such as 'relu', an "
        "Activation, or a (function, derivative) pair"
    )
