"""The notes' general network: a stack of dense layers trained by backpropagation.

Forward pass, for ``l = 1 .. L`` (batch-first, ``A_0 = X``)::

    Z_l = A_{l-1} @ W_l.T + b_l,     A_l = sigma_l(Z_l),     Y_hat = A_L

Backward pass (the delta recursion of the notes)::

    delta_L = dC/dA_L o sigma_L'(Z_L)      (= (A_L - Y) / N for matched pairs, see losses)
    delta_l = (delta_{l+1} @ W_{l+1}) o sigma_l'(Z_l)
    dC/dW_l = delta_l.T @ A_{l-1},   dC/db_l = sum over rows of delta_l

Any activation (function + derivative) and any loss (value + gradient) go through the same
recursion, as the notes' "most generic NN" asks.

All weights live in one flat vector ``parameters`` (first every ``W_l``, then every
``b_l``), all gradients in ``gradients``; each layer holds views into them. An optimizer
then updates the whole network with a few vectorised operations, and L-BFGS sees the plain
vector it expects.

This module holds the passes and the parameter layout; what a network accepts (layers that
chain, an output its loss can read, the data) is checked by
:mod:`yieldlab.engine.network_checks`, once, where user input enters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_rng
from .activations import ACTIVATIONS
from .layers import Dense
from .losses import Loss, get_loss
from .network_checks import as_input, as_target, check_layers, check_output
from .training import History, train

__all__ = ["Network"]

Array = np.ndarray
DTYPES = {"float64": np.float64, "float32": np.float32}


class _Workspace:
    """Preallocated buffers for a forward/backward pass over ``n`` rows."""

    def __init__(self, network: Network, n: int) -> None:
        dtype = network.dtype
        last = len(network.layers) - 1
        self.Z: list[Array] = []
        self.A: list[Array] = []
        self.G: list[Array] = []
        self.keep_z: list[bool] = []
        self.ones = np.ones(n, dtype=dtype)
        for l, layer in enumerate(network.layers):
            act = layer.activation
            shared = act.inplace and act.grad_from_output is not None
            if l == last and network._matched:
                shared = False  # the loss is computed from z_L: keep it
            z = np.empty((n, layer.n_out), dtype=dtype)
            self.Z.append(z)
            self.A.append(z if shared else np.empty_like(z))
            self.keep_z.append(not shared)
            self.G.append(np.empty_like(z))


class Network:
    """A feed-forward network of :class:`~yieldlab.engine.layers.Dense` layers.

    Parameters
    ----------
    layers : sequence of Dense
        The layers, input to output; each layer's ``n_in`` must equal the previous
        layer's ``n_out``.
    loss : str, Loss or object, default='mse'
        ``'mse'``, ``'bce'``, ``'huber'``, ``'cross_entropy'``, a
        :class:`~yieldlab.engine.losses.Loss`, or any object with ``value(y_pred, y)`` and
        ``gradient(y_pred, y)``.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the initial weights, which are drawn when the network is built.
    dtype : {'float64', 'float32'} or numpy dtype, default='float64'
        Floating type of weights, gradients and every buffer.

    Attributes
    ----------
    layers : list of Dense
    loss : Loss
    parameters : ndarray of shape (n_parameters,)
        All weights then all biases, as one vector (the layers' ``W`` and ``b`` are views).
    gradients : ndarray of shape (n_parameters,)
        The gradient from the last backward pass, same layout.
    n_weights : int
        Number of entries of all ``W`` (the leading part of ``parameters``).

    Raises
    ------
    ValueError
        For layers whose sizes do not chain, a layer given twice or already part of another
        network (build new ``Dense`` layers, or ``copy.deepcopy`` them), a softmax over one
        unit, ``loss='bce'`` over a built-in output activation other than sigmoid or
        softmax, or ``loss='cross_entropy'`` over one other than softmax: their values are
        not the probabilities these losses need (a user's activation is not judged). With
        ``'cross_entropy'``, :meth:`fit` also needs every row of ``Y`` to sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> net = Network([Dense(8, 16, activation="tanh"), Dense(16, 1)], random_state=0)
    >>> net.layers[0].W.shape, net.layers[0].b.shape
    ((16, 8), (16,))
    >>> X, Y = np.ones((5, 8)), np.zeros((5, 1))
    >>> loss, grads = net.loss_and_gradients(X, Y)
    >>> grads[0][0].shape, grads[1][1].shape
    ((16, 8), (1,))
    """

    def __init__(
        self,
        layers: Sequence[Dense],
        loss: str | Loss | object = "mse",
        random_state: Any = None,
        dtype: Any = "float64",
    ) -> None:
        self.layers = layers = check_layers(layers)
        self.loss = get_loss(loss)
        key = np.dtype(dtype).name
        if key not in DTYPES:
            raise ValueError(
                f"Network: dtype={dtype!r} is not supported; expected one of {sorted(DTYPES)}"
            )
        self.dtype = np.dtype(DTYPES[key])
        # the shortcut delta_L = (a_L - y) / N holds only for the built-in matched pair
        matched = self.loss.matched_activation
        self._matched = matched is not None and layers[-1].activation is ACTIVATIONS[matched]
        check_output(layers, self.loss)
        self._build(check_rng(random_state))

    # --- construction --------------------------------------------------------------------

    def _build(self, rng: np.random.Generator) -> None:
        self._allocate()
        for layer in self.layers:
            layer.initialize(rng)

    def _allocate(self) -> None:
        n_w = sum(layer.n_out * layer.n_in for layer in self.layers)
        n_b = sum(layer.n_out for layer in self.layers)
        self.parameters = np.zeros(n_w + n_b, dtype=self.dtype)
        self.gradients = np.zeros(n_w + n_b, dtype=self.dtype)
        self.n_weights = n_w
        self.weight_slices: list[slice] = []
        w_start, b_start = 0, n_w
        for layer in self.layers:
            w_stop = w_start + layer.n_out * layer.n_in
            b_stop = b_start + layer.n_out
            shape = (layer.n_out, layer.n_in)
            layer.bind(
                self.parameters[w_start:w_stop].reshape(shape),
                self.parameters[b_start:b_stop],
                self.gradients[w_start:w_stop].reshape(shape),
                self.gradients[b_start:b_stop],
                network=self,
            )
            self.weight_slices.append(slice(w_start, w_stop))
            w_start, b_start = w_stop, b_stop
        self._workspaces: dict[int, _Workspace] = {}
        self._l2_buffer = np.empty(n_w, dtype=self.dtype)

    # Pickling copies views as separate arrays; rebuild the views into one flat vector.
    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_workspaces",)}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        parameters = state.pop("parameters")
        self.__dict__.update(state)
        self._allocate()
        self.parameters[...] = parameters

    @property
    def n_inputs(self) -> int:
        """Number of input features."""
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return self.layers[-1].n_out

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}], loss={self.loss.name!r}, dtype={self.dtype.name!r})"

    def workspace(self, n: int) -> _Workspace:
        """Buffers for ``n`` rows, allocated once and reused by every later pass."""
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:  # bounded: keep at most a few batch sizes
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(self, n)
        return ws

    # --- the passes ----------------------------------------------------------------------

    def forward(self, X: Array, ws: _Workspace) -> Array:
        """Forward pass of the notes over a batch, into the buffers of ``ws``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs), dtype of the network
        ws : workspace for ``n_samples`` rows (from :meth:`workspace`)

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            ``A_L`` (a view of the workspace; copy it to keep it).
        """
        a = X
        for layer, z, a_out in zip(self.layers, ws.Z, ws.A, strict=True):
            a = layer.forward(a, z, a_out)
        return a

    def backward(self, X: Array, Y: Array, ws: _Workspace, l2: float = 0.0) -> float:
        """Loss of the batch and its gradient, written into :attr:`gradients`.

        Runs after :meth:`forward` on the same ``X`` and ``ws``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)
        Y : ndarray of shape (n_samples, n_outputs)
        ws : the workspace used by the forward pass
        l2 : float, default=0.0
            L2 penalty ``l2 / (2 n_samples) * sum ||W_l||^2`` added to the loss (weights
            only, as scikit-learn's ``alpha``).

        Returns
        -------
        float
            The loss (including the penalty).
        """
        layers, loss = self.layers, self.loss
        last = len(layers) - 1
        a_out, z_out, g = ws.A[last], ws.Z[last], ws.G[last]
        if self._matched:
            value = loss.matched_value(z_out, Y)
            g[...] = loss.matched_delta(a_out, Y)
            delta = g  # sigma' cancels: delta_L = (a_L - y) / N
        else:
            if loss.value_and_gradient is not None:
                value = loss.value_and_gradient(a_out, Y, g)
            else:
                value = loss.value(a_out, Y)
                g[...] = loss.gradient(a_out, Y)
            delta = layers[last].activation.backward(g, z_out, a_out)
        for l in range(last, -1, -1):
            a_prev = ws.A[l - 1] if l else X
            grad_prev = ws.G[l - 1] if l else None
            grad_a = layers[l].backward_from_delta(delta, a_prev, grad_prev, ws.ones)
            if l:
                below = layers[l - 1]
                z_below = ws.Z[l - 1] if ws.keep_z[l - 1] else None
                delta = below.activation.backward(grad_a, z_below, ws.A[l - 1])
        if l2:
            value += self._add_l2(l2, X.shape[0])
        return float(value)

    def evaluate(self, X: Array, Y: Array, ws: _Workspace) -> float:
        """Loss of the network on ``(X, Y)`` (no penalty, no gradient).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs), dtype of the network
        Y : ndarray of shape (n_samples, n_outputs)
        ws : workspace for ``n_samples`` rows

        Returns
        -------
        float
        """
        a_out = self.forward(X, ws)
        if self._matched:
            return float(self.loss.matched_value(ws.Z[-1], Y))
        return float(self.loss.value(a_out, Y))

    def _add_l2(self, l2: float, n: int) -> float:
        weights = self.parameters[: self.n_weights]
        np.multiply(weights, l2 / n, out=self._l2_buffer)
        self.gradients[: self.n_weights] += self._l2_buffer
        return 0.5 * l2 / n * float(np.vdot(weights, weights))

    # --- public conveniences -------------------------------------------------------------

    def predict(self, X: Any) -> Array:
        """Network output for every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_inputs)

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """
        X = as_input(self, X)
        chunk = 8192
        if X.shape[0] <= chunk:
            return self.forward(X, _Workspace(self, X.shape[0])).copy()
        out = np.empty((X.shape[0], self.n_outputs), dtype=self.dtype)
        ws = self.workspace(chunk)
        for start in range(0, X.shape[0], chunk):
            part = X[start : start + chunk]
            w = ws if part.shape[0] == chunk else _Workspace(self, part.shape[0])
            out[start : start + chunk] = self.forward(part, w)
        return out

    def loss_and_gradients(
        self, X: Any, Y: Any, l2: float = 0.0
    ) -> tuple[float, list[tuple[Array, Array]]]:
        """Loss over ``(X, Y)`` and its gradient with respect to every ``W_l`` and ``b_l``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_inputs)
        Y : array-like of shape (n_samples, n_outputs)
        l2 : float, default=0.0
            L2 penalty on the weights (see :meth:`backward`).

        Returns
        -------
        loss : float
        grads : list of (ndarray of shape (n_out, n_in), ndarray of shape (n_out,))
            ``grads[i] == (dC/dW_i, dC/db_i)``, copies.
        """
        X = as_input(self, X)
        Y = as_target(self, Y, X.shape[0])
        ws = _Workspace(self, X.shape[0])
        self.forward(X, ws)
        value = self.backward(X, Y, ws, l2)
        return value, [(layer.dW.copy(), layer.db.copy()) for layer in self.layers]

    def gradient_norms(self) -> Array:
        """Frobenius norm of each layer's ``dC/dW`` from the last backward pass.

        Returns
        -------
        ndarray of shape (n_layers,)
        """
        return np.array([np.linalg.norm(self.gradients[s]) for s in self.weight_slices])

    def fit(self, X: Any, Y: Any, **options: Any) -> History:
        """Train the network; see :func:`yieldlab.engine.training.train` for the options.

        Returns
        -------
        History
            Loss per epoch, validation loss, per-layer gradient norms, why it stopped.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
        >>> net = Network([Dense(2, 1, "sigmoid")], loss="bce", random_state=0)
        >>> history = net.fit(X, [[0], [0], [0], [1]], optimizer="lbfgs", epochs=200)
        >>> (net.predict(X) > 0.5).ravel().astype(int).tolist()
        [0, 0, 0, 1]
        """
        return train(self, X, Y, **options)
