"""The dense (fully connected) layer of the notes: ``z = W a + b``, ``a = sigma(z)``.

Arrays are batch-first, so for a batch ``A_prev`` of shape (n_samples, n_in) a layer
computes ``Z = A_prev @ W.T + b`` with ``W`` of shape (n_out, n_in), exactly the notes'
``z_l = W_l a_{l-1} + b_l`` applied to every row.

Backward pass (the notes' delta recursion, with ERRATA's shapes):

    delta_l      = dC/da_l o sigma'(z_l)           (elementwise product)
    dC/dW_l      = delta_l^T A_{l-1}                (sum over the batch; the loss averages)
    dC/db_l      = sum of delta_l over the batch
    dC/da_{l-1}  = delta_l W_l                      (= W_l^T delta_l for one sample)

A layer does not own its arrays: the :class:`~yieldlab.engine.network.Network` keeps all
weights in one flat vector (and all gradients in another) and gives each layer views into
it, so an optimizer updates every parameter with a handful of vectorised operations. A
layer therefore belongs to one network: a second network refuses it (build new layers, or
``copy.deepcopy`` them, which gives layers that belong to no network yet).
"""

from __future__ import annotations

import numbers
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.linalg import blas

from .activations import Activation, get_activation

if TYPE_CHECKING:
    from .network import Network

__all__ = ["INITIALIZERS", "Dense", "glorot_uniform", "he_normal"]

Array = np.ndarray
_GEMM = {"d": blas.dgemm, "f": blas.sgemm}  # by dtype.char (f2py routines do not pickle)
# NOTE: SciPy's BLAS is its own OpenBLAS, with its own thread pool. Up to m n k = 64^3
# OpenBLAS runs a product on one thread; above it the two libraries' pools would take
# turns and spin against each other (a 512-512 network trained 3-5x slower), so larger
# products stay with NumPy.
_GEMM_MAX_WORK = 64**3


def glorot_uniform(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """Glorot/Xavier uniform: ``W ~ U(-r, r)``, ``r = sqrt(6 / (n_in + n_out))``.

    Keeps the variance of the signal roughly constant through sigmoid/tanh layers.
    """
    bound = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, size=(n_out, n_in))


def he_normal(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """He/Kaiming normal: ``W ~ N(0, 2 / n_in)``, for the ReLU family."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


INITIALIZERS = {"glorot": glorot_uniform, "he": he_normal}


class Dense:
    """A fully connected layer ``a = sigma(W a_prev + b)``.

    Parameters
    ----------
    n_in : int
        Number of inputs (units of the layer below, or features).
    n_out : int
        Number of units.
    activation : str, Activation or (callable, callable), default='identity'
        ``sigma``: a built-in name (``'identity'``, ``'sigmoid'``, ``'tanh'``, ``'relu'``,
        ``'leaky_relu'``, ``'elu'``, ``'softplus'``, ``'softmax'``), an
        :class:`~yieldlab.engine.activations.Activation`, or a ``(function, derivative)``
        pair.
    init : {'glorot', 'he'}, optional
        Weight initialisation; by default the one that suits the activation (Glorot for
        sigmoid/tanh/identity, He for the ReLU family).

    Attributes
    ----------
    W : ndarray of shape (n_out, n_in)
        Weights; exist once the layer is part of a :class:`Network`.
    b : ndarray of shape (n_out,)
        Biases, initialised to zero.
    dW, db : ndarray
        Gradients from the last backward pass, same shapes as ``W`` and ``b``.
    network : Network or None
        The network the layer belongs to (its ``W`` and ``b`` are views of that network's
        parameters); None before it is part of one.

    Examples
    --------
    >>> layer = Dense(8, 16, activation="tanh")
    >>> layer.activation.name, layer.init
    ('tanh', 'glorot')
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation | tuple = "identity",
        init: str | None = None,
    ) -> None:
        for name, value in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Dense: {name}={value!r} is invalid; expected an int >= 1")
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.activation = get_activation(activation)
        self.init = self.activation.init if init is None else init
        if self.init not in INITIALIZERS:
            raise ValueError(
                f"Dense: init={init!r} is not supported; expected one of {sorted(INITIALIZERS)}"
            )
        self._W: Array | None = None
        self._b: Array | None = None
        self.dW: Array | None = None
        self.db: Array | None = None
        self._owner: weakref.ref | None = None

    # The owner is a weak reference, which does not pickle: an unpickled network binds its
    # layers again, and a copied layer (copy.deepcopy) belongs to no network yet.
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_owner": None}

    @property
    def network(self) -> Network | None:
        """The network whose parameters ``W`` and ``b`` are views of, or None."""
        return None if self._owner is None else self._owner()

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"

    # Parameters are views into the network's flat vector; assignment copies into them,
    # so `layer.W = new_weights` keeps the optimizer's view valid.
    @property
    def W(self) -> Array | None:
        return self._W

    @W.setter
    def W(self, value: Array) -> None:
        self._assign("W", self._W, value, (self.n_out, self.n_in))

    @property
    def b(self) -> Array | None:
        return self._b

    @b.setter
    def b(self, value: Array) -> None:
        self._assign("b", self._b, value, (self.n_out,))

    def _assign(self, name: str, target: Array | None, value: Array, shape: tuple) -> None:
        if target is None:
            raise ValueError(
                f"{self!r}.{name} does not exist yet; build a Network([...]) from the layer first"
            )
        value = np.asarray(value)
        if value.shape != shape:
            raise ValueError(f"{self!r}.{name}: shape {value.shape} given; expected {shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{self!r}.{name}: the new values contain NaN or inf")
        target[...] = value

    def bind(
        self, W: Array, b: Array, dW: Array, db: Array, network: Network | None = None
    ) -> None:
        """Attach the layer to views of ``network``'s flat parameter and gradient vectors."""
        self._W, self._b, self.dW, self.db = W, b, dW, db
        self._owner = None if network is None else weakref.ref(network)

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw random weights scaled to the layer (ERRATA: never zeros) and zero biases."""
        self._W[...] = INITIALIZERS[self.init](rng, self.n_out, self.n_in)
        self._b[...] = 0.0

    def forward(self, a_prev: Array, z: Array, a: Array) -> Array:
        """Compute ``z = a_prev @ W.T + b`` into ``z`` and ``a = sigma(z)``.

        Parameters
        ----------
        a_prev : ndarray of shape (n_samples, n_in)
        z : ndarray of shape (n_samples, n_out)
            Output buffer for the pre-activation.
        a : ndarray of shape (n_samples, n_out)
            Output buffer for the activation; may be ``z`` itself for built-in
            activations (``z`` is then overwritten).

        Returns
        -------
        ndarray of shape (n_samples, n_out)
            ``a``.
        """
        W = self._W
        gemm = _GEMM.get(W.dtype.char) if z.size * self.n_in <= _GEMM_MAX_WORK else None
        if (
            gemm is not None
            and z.flags.c_contiguous
            and a_prev.flags.c_contiguous
            and (a_prev.dtype == z.dtype == W.dtype and W.flags.c_contiguous)
        ):
            # NOTE: one BLAS call on the transposed (Fortran-ordered) views, z^T = W a^T
            # + z^T, with z filled with the bias first: cheaper than NumPy's product in the
            # "A @ W.T" form plus a broadcast addition (z is written in place: it is
            # C-contiguous, so z.T is what f2py needs and is not copied)
            z[...] = self._b
            gemm(1.0, W.T, a_prev.T, beta=1.0, c=z.T, trans_a=1, overwrite_c=1)
        else:
            np.dot(a_prev, W.T, out=z)
            z += self._b
        act = self.activation
        if act.inplace:
            return act.function(z, out=a)
        a[...] = act.function(z)
        return a

    def backward(
        self,
        grad_a: Array,
        z: Array | None,
        a: Array,
        a_prev: Array,
        grad_prev: Array | None,
        ones: Array | None = None,
    ) -> Array | None:
        """Backpropagate through the layer; fill ``dW`` and ``db``.

        Parameters
        ----------
        grad_a : ndarray of shape (n_samples, n_out)
            ``dC/da`` of this layer; overwritten with ``delta = dC/dz``.
        z, a : ndarray of shape (n_samples, n_out)
            The forward pass's pre-activation (None when not kept) and activation.
        a_prev : ndarray of shape (n_samples, n_in)
            Input of the layer in the forward pass.
        grad_prev : ndarray of shape (n_samples, n_in) or None
            Buffer for ``dC/da_prev``; None for the first layer (no input gradient needed).
        ones : ndarray of shape (n_samples,), optional
            A vector of ones (``db = ones @ delta`` is faster than a reduction).

        Returns
        -------
        ndarray of shape (n_samples, n_in) or None
            ``dC/da_prev = delta @ W``, handed to the layer below.
        """
        delta = self.activation.backward(grad_a, z, a)
        return self.backward_from_delta(delta, a_prev, grad_prev, ones)

    def backward_from_delta(
        self, delta: Array, a_prev: Array, grad_prev: Array | None, ones: Array | None = None
    ) -> Array | None:
        """Given ``delta = dC/dz``, fill ``dW = delta^T a_prev``, ``db = sum(delta)``."""
        np.dot(delta.T, a_prev, out=self.dW)
        if ones is None:
            np.sum(delta, axis=0, out=self.db)
        else:
            np.dot(ones, delta, out=self.db)
        if grad_prev is None:
            return None
        return np.dot(delta, self._W, out=grad_prev)
