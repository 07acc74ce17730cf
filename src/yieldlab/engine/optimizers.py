"""First-order optimizers: each writes one update rule; the base class keeps the books.

Every rule moves *against* the gradient (ERRATA: the notes' ``w -> w + eta dC/dw`` has the
wrong sign). The optimizers work on the network's flat parameter vector in place, with
preallocated buffers, so a step costs a handful of vectorised operations whatever the
number of layers.

The base class, the rules and the name table (:data:`OPTIMIZERS`, :func:`get_optimizer`)
stay in one module, as in tinygrad's ``nn/optim.py``: each rule reads against the
bookkeeping it relies on, and the option checks read the rules' signatures.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Any

import numpy as np
from scipy.linalg import blas

from .._validation import check_positive, did_you_mean

__all__ = [
    "OPTIMIZERS",
    "Adam",
    "AdamW",
    "GradientDescent",
    "Optimizer",
    "check_no_options",
    "get_optimizer",
]

Array = np.ndarray
BLAS_MAX_SIZE = 8192


class Optimizer:
    """Base class: step counter, lazily allocated state, and the learning rate.

    Subclasses implement :meth:`_init_state` (buffers shaped like the parameters) and
    :meth:`_update` (the rule, in place). ``decay_size`` is the number of leading entries of
    the parameter vector that are weights (the rest are biases), for weight decay.

    Parameters
    ----------
    learning_rate : float
        Step size ``eta > 0``.
    """

    # True when _update takes a fourth argument, square_sum, and adds grads**2 into it
    _fuses_square = False

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.t = 0
        self.decay_size: int | None = None
        self._state: dict[str, Array] | None = None

    def reset(self) -> None:
        """Forget the state (momentum, moments) and the step count."""
        self.t = 0
        self._state = None

    def check_parameters(self, params: Array) -> None:
        """Refuse ``params`` of another size or dtype than the state was built for.

        An optimizer keeps its state (momentum, moments) across fits, so that a second
        ``fit`` continues the first; on another network that state means nothing.

        Raises
        ------
        ValueError
            Naming both sizes; the fix is a new optimizer per network, or :meth:`reset`.
        """
        if self._state is None:
            return
        held = self._state["tmp"]
        if held.shape != params.shape or held.dtype != params.dtype:
            name = type(self).__name__
            raise ValueError(
                f"this {name} optimizer holds its state (step count, momentum or moments) "
                f"for {held.size} {held.dtype} parameters, but the network has {params.size} "
                f"{params.dtype} parameters; use a new optimizer for each network, e.g. "
                f"optimizer={name}(...), or call reset() on this one first"
            )

    def step(self, params: Array, grads: Array, square_sum: Array | None = None) -> None:
        """Update ``params`` in place from ``grads`` (arrays of the same shape).

        Parameters
        ----------
        params, grads : ndarray
            The same shape and dtype at every step (see :meth:`check_parameters`; the
            training loop checks once, not at each step).
        square_sum : ndarray of the same shape, optional
            ``grads**2`` is added to it (the training loop sums it for the per-layer
            gradient norms); Adam reuses the square it computes anyway.
        """
        if self._state is None:
            self._state = self._init_state(params)
        self.t += 1
        if square_sum is not None and self._fuses_square:
            self._update(params, grads, self._state, square_sum)
            return
        self._update(params, grads, self._state)
        if square_sum is not None:
            if "square" not in self._state:
                self._state["square"] = np.empty_like(square_sum)
            square = self._state["square"]
            np.multiply(grads, grads, out=square)
            square_sum += square

    def _init_state(self, params: Array) -> dict[str, Array]:
        state = {"tmp": np.empty_like(params)}
        # NOTE: BLAS axpy/scal update in place in one call where NumPy needs a temporary
        # and two; only for contiguous float vectors (f2py would copy anything else) and
        # small ones: OpenBLAS runs long vectors multithreaded, which costs 20x when the
        # other cores are busy, while NumPy's two passes stay memory-bound.
        blas_ok = (
            params.ndim == 1
            and params.flags.c_contiguous
            and params.dtype.kind == "f"
            and params.size <= BLAS_MAX_SIZE
        )
        if blas_ok:
            state["axpy"], state["scal"] = blas.get_blas_funcs(("axpy", "scal"), (params,))
        return state

    def _update(self, params: Array, grads: Array, state: dict[str, Array]) -> None:
        raise NotImplementedError


class GradientDescent(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    Plain (the notes' rule, with the sign fixed)::

        w <- w - eta * dC/dw

    With momentum ``mu`` (velocity ``v``, starting at 0)::

        v <- mu v - eta g;   w <- w + v              (classical)
        v <- mu v - eta g;   w <- w + mu v - eta g   (Nesterov)

    Parameters
    ----------
    learning_rate : float, default=0.01
    momentum : float, default=0.0
        ``mu`` in [0, 1).
    nesterov : bool, default=False

    Examples
    --------
    One step by hand: ``w = 1``, ``g = 2``, ``eta = 0.1`` gives ``w = 1 - 0.1 * 2 = 0.8``.

    >>> import numpy as np
    >>> w = np.array([1.0]); GradientDescent(0.1).step(w, np.array([2.0])); w
    array([0.8])
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if not isinstance(momentum, numbers.Real) or not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum={momentum!r} is invalid; expected 0 <= momentum < 1")
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0, e.g. momentum=0.9")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _init_state(self, params: Array) -> dict[str, Array]:
        state = super()._init_state(params)
        if self.momentum:
            state["v"] = np.zeros_like(params)
        return state

    def _update(self, params: Array, grads: Array, state: dict[str, Array]) -> None:
        if not self.momentum and "axpy" in state and grads.flags.c_contiguous:
            state["axpy"](grads, params, a=-self.learning_rate)  # w <- w - eta g
            return
        tmp = state["tmp"]
        np.multiply(grads, self.learning_rate, out=tmp)  # eta g
        if not self.momentum:
            params -= tmp
            return
        v = state["v"]
        v *= self.momentum
        v -= tmp
        if self.nesterov:
            params -= tmp
            params += self.momentum * v
        else:
            params += v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), with decoupled weight decay when ``weight_decay > 0``.

    With ``g`` the gradient and ``t`` the step count::

        m <- b1 m + (1 - b1) g
        v <- b2 v + (1 - b2) g^2
        w <- w - eta * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
        w <- w - eta * weight_decay * w           (AdamW, weights only)

    The update is computed as ``eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps')``
    with ``eps' = eps sqrt(1 - b2^t)``, which is the same number with fewer passes. The
    moments are kept as ``m = s1 M`` and ``v = s2 V`` with scalar factors
    ``s1 = b1^k``, ``s2 = b2^k``: the decay is a multiplication of a scalar, and the
    vectors take one pass each, ``M <- M + (1 - b1) / s1 g`` (the factor is folded into
    the vector before it underflows). Same numbers up to rounding.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta1 : float, default=0.9
    beta2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0

    Examples
    --------
    First step by hand: ``m = 0.1 g``, ``v = 0.001 g^2``; after bias correction
    ``m_hat = g``, ``v_hat = g^2``, so the step is ``eta * sign(g)`` (up to eps):

    >>> import numpy as np
    >>> w = np.array([1.0, 1.0]); Adam(0.1).step(w, np.array([3.0, -0.5])); w
    array([0.9, 1.1])
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
                raise ValueError(f"{name}={value!r} is invalid; expected 0 <= {name} < 1")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.epsilon = float(check_positive("epsilon", epsilon))
        self.weight_decay = float(check_positive("weight_decay", weight_decay, strict=False))

    _fuses_square = True

    def _init_state(self, params: Array) -> dict[str, Array]:
        state = super()._init_state(params)
        state["M"] = np.zeros_like(params)  # m = s1 M
        state["V"] = np.zeros_like(params)  # v = s2 V
        self._scales = [1.0, 1.0]
        # NOTE: below this the scale factors are folded into M and V, which stay within
        # g / fold (float32 overflows near 3e38)
        self._fold = 1e-30 if params.dtype == np.float64 else 1e-6
        return state

    def moments(self) -> tuple[Array, Array] | None:
        """The first and second moment estimates ``m`` and ``v`` (copies), or None before
        the first step."""
        if self._state is None:
            return None
        s1, s2 = self._scales
        return s1 * self._state["M"], s2 * self._state["V"]

    def _update(
        self, params: Array, grads: Array, state: dict[str, Array], square_sum=None
    ) -> None:
        M, V, tmp = state["M"], state["V"], state["tmp"]
        b1, b2, t = self.beta1, self.beta2, self.t
        if self.weight_decay:
            n = params.size if self.decay_size is None else self.decay_size
            params[:n] *= 1.0 - self.learning_rate * self.weight_decay
        fast = "axpy" in state and grads.flags.c_contiguous and grads.dtype == params.dtype
        # m <- b1 m + (1 - b1) g  as  s1 <- b1 s1,  M <- M + (1 - b1) / s1 g  (and for v)
        s1, s2 = self._scales[0] * b1, self._scales[1] * b2
        for k, (vector, scale) in enumerate(((M, s1), (V, s2))):
            if scale < self._fold:  # fold the factor in before it underflows (at once if b = 0)
                vector *= scale
                scale = 1.0
            self._scales[k] = scale
        s1, s2 = self._scales
        if fast:
            state["axpy"](grads, M, a=(1.0 - b1) / s1)
        else:
            np.multiply(grads, (1.0 - b1) / s1, out=tmp)
            M += tmp
        np.multiply(grads, grads, out=tmp)
        if square_sum is not None:
            square_sum += tmp
        if fast:
            state["axpy"](tmp, V, a=(1.0 - b2) / s2)
        else:
            tmp *= (1.0 - b2) / s2
            V += tmp
        # eta m_hat / (sqrt(v_hat) + eps) = step * M / (sqrt(V) + eps'), with
        # m_hat = s1 M / (1 - b1^t) and v_hat = s2 V / (1 - b2^t)
        correction2 = math.sqrt(1.0 - b2**t)
        root2 = math.sqrt(s2)
        step = self.learning_rate * s1 * correction2 / ((1.0 - b1**t) * root2)
        np.sqrt(V, out=tmp)
        tmp += self.epsilon * correction2 / root2
        np.divide(M, tmp, out=tmp)
        if fast:
            state["axpy"](tmp, params, a=-step)
        else:
            tmp *= step
            params -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019); default decay 0.01."""

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(learning_rate, beta1, beta2, epsilon, weight_decay)


OPTIMIZERS: dict[str, Any] = {
    "gd": GradientDescent,
    "sgd": GradientDescent,
    "adam": Adam,
    "adamw": AdamW,
}


def check_no_options(optimizer: str, options: dict[str, Any]) -> None:
    """Refuse options given to an optimizer that takes none (``'lbfgs'``).

    Raises
    ------
    TypeError
        Saying which optimizers an option belongs to, or suggesting the closest option
        name for a typo.

    Examples
    --------
    >>> check_no_options("lbfgs", {"momentun": 0.9})
    Traceback (most recent call last):
    ...
    TypeError: optimizer 'lbfgs' has no option 'momentun' (did you mean 'momentum'?); it takes no optimizer options
    """  # noqa: E501
    owners: dict[str, list[str]] = {}
    for name, cls in OPTIMIZERS.items():
        for key in inspect.signature(cls).parameters:
            if key != "learning_rate":
                owners.setdefault(key, []).append(name)
    for key in options:
        if key in owners:
            raise TypeError(
                f"optimizer {optimizer!r} does not take the option {key!r} (an option of "
                f"{' and '.join(repr(n) for n in owners[key])}); remove it, or choose one of "
                "those optimizers"
            )
        raise TypeError(
            f"optimizer {optimizer!r} has no option {key!r}{did_you_mean(key, owners)}; it "
            "takes no optimizer options"
        )


def get_optimizer(optimizer: str | Optimizer, learning_rate: float, **options: Any) -> Optimizer:
    """Build an optimizer from a name, or return a given one.

    Parameters
    ----------
    optimizer : {'gd', 'sgd', 'adam', 'adamw'} or Optimizer
        ``'gd'`` and ``'sgd'`` are the same rule (gradient descent over full or mini
        batches); give ``momentum`` / ``nesterov`` in ``options``.
    learning_rate : float
    **options
        Keyword arguments of the optimizer class.

    Returns
    -------
    Optimizer

    Examples
    --------
    >>> get_optimizer("sgd", 0.1, momentum=0.9, nesterov=True).nesterov
    True
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer={optimizer!r} is not supported; expected one of "
            f"{sorted([*OPTIMIZERS, 'lbfgs'])} or an Optimizer"
        )
    cls = OPTIMIZERS[optimizer]
    accepted = [p for p in inspect.signature(cls).parameters if p != "learning_rate"]
    for key in options:
        if key not in accepted:
            raise TypeError(
                f"optimizer {optimizer!r} has no option {key!r}{did_you_mean(key, accepted)}; "
                f"its options are {accepted}"
            )
    return cls(learning_rate, **options)
