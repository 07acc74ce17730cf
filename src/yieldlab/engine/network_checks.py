"""The checks at a network's door: layers that chain, an output its loss can read, and data.

A :class:`~yieldlab.engine.network.Network` validates once, where user input enters (when
it is built, and when :meth:`~yieldlab.engine.network.Network.fit`, ``predict`` or
``loss_and_gradients`` receive arrays), so the passes themselves run without checks:

- the layers: a non-empty list of distinct :class:`~yieldlab.engine.layers.Dense` layers
  whose sizes chain, none already part of another network;
- the output: a cross-entropy loss needs probabilities from the output layer (``'bce'``:
  sigmoid or softmax; ``'cross_entropy'``: softmax over more than one unit);
- the data: ``X`` with one column per input, ``Y`` with one column per output and as many
  rows, probabilities for the cross-entropies, rows that sum to 1 for ``'cross_entropy'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_matrix, check_numeric
from .activations import ACTIVATIONS
from .layers import Dense
from .losses import LOSSES, Loss

if TYPE_CHECKING:
    from .network import Network

__all__ = ["as_input", "as_target", "check_layers", "check_output"]

Array = np.ndarray
# the output activations whose values a built-in cross-entropy loss can take as probabilities
# (the categorical one needs them to sum to 1 over the units)
PROBABILITY_OUTPUTS = {"bce": ("sigmoid", "softmax"), "cross_entropy": ("softmax",)}


def check_layers(layers: Sequence[Dense]) -> list[Dense]:
    """The layers as a list, refused unless they chain and belong to no network yet.

    Raises
    ------
    ValueError
        For no layers, sizes that do not chain, a layer given twice or one already part of
        another network.
    TypeError
        For an element that is not a :class:`~yieldlab.engine.layers.Dense` layer.
    """
    layers = list(layers) if isinstance(layers, Sequence) else layers
    if not isinstance(layers, list) or not layers:
        raise ValueError("Network: layers must be a non-empty list of Dense layers")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Dense):
            raise TypeError(f"Network: layers[{i}]={layer!r} is not a Dense layer")
        if i and layer.n_in != layers[i - 1].n_out:
            raise ValueError(
                f"Network: layers[{i}] has n_in={layer.n_in} but layers[{i - 1}] has "
                f"n_out={layers[i - 1].n_out}; they must match"
            )
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError("Network: the same Dense object appears twice; create one per layer")
    for i, layer in enumerate(layers):
        # NOTE: a layer's W and b are views into its network's parameters; a second
        # network would rebind them, and the first would then read and train the second's
        if layer.network is not None:
            raise ValueError(
                f"Network: layers[{i}]={layer!r} already belongs to another Network (its "
                "weights are views of that network's parameters); build new Dense layers "
                "for each network, or pass copy.deepcopy(layers)"
            )
    return layers


def check_output(layers: list[Dense], loss: Loss) -> None:
    """Refuse an output layer whose values ``loss`` cannot read.

    A softmax over one unit is always 1; a cross-entropy loss over a built-in output
    activation whose values are not probabilities is refused (a user's own activation may
    well produce them: not judged).

    Raises
    ------
    ValueError
    """
    output = layers[-1].activation
    if output is ACTIVATIONS["softmax"] and layers[-1].n_out == 1:
        raise ValueError(
            "Network: a softmax over one output unit is always 1; use 'sigmoid' for one "
            "probability, or one unit per class with softmax"
        )
    name = next((k for k, v in LOSSES.items() if v is loss), None)
    allowed = PROBABILITY_OUTPUTS.get(name)
    built_in = any(output is act for act in ACTIVATIONS.values())
    if allowed is None or not built_in or output.name in allowed:
        return
    where = f"layers[{len(layers) - 1}] has activation={output.name!r}"
    if name == "bce":
        # NOTE: bce clips p to [1e-12, 1 - 1e-12]: outside (0, 1) its value is flat while
        # its gradient is ~1e11, so training would report a loss near 0 and diverge
        raise ValueError(
            f"Network: loss='bce' needs probabilities from the output layer, but {where}, "
            "whose values can fall outside (0, 1); use a 'sigmoid' output layer (one "
            "probability per output), or loss='mse' for measured values"
        )
    raise ValueError(
        f"Network: loss='cross_entropy' needs class probabilities that sum to 1 from the "
        f"output layer, but {where}; use a 'softmax' output layer (one unit per class), "
        "or a 'sigmoid' output with loss='bce' for independent labels"
    )


def as_input(network: Network, X: Any, name: str = "X") -> Array:
    """``X`` as a C-contiguous array of the network's dtype, one column per input.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_inputs)
    name : str, default='X'
        The argument's name in error messages.

    Returns
    -------
    ndarray of shape (n_samples, n_inputs)
    """
    X = check_matrix(name, X, n_columns=network.n_inputs, dtype=network.dtype)
    return np.ascontiguousarray(X)


def as_target(network: Network, Y: Any, n: int) -> Array:
    """``Y`` as a C-contiguous array of the network's dtype, refused unless its loss can
    take it.

    Parameters
    ----------
    network : Network
    Y : array-like of shape (n, n_outputs), or (n,) for one output
    n : int
        Rows of the matching ``X``.

    Returns
    -------
    ndarray of shape (n, n_outputs)
    """
    Y = check_numeric("Y", Y, dtype=network.dtype)
    if Y.ndim == 1 and network.n_outputs == 1:
        Y = Y[:, None]
    Y = check_matrix("Y", Y, n_columns=network.n_outputs, dtype=network.dtype)
    if Y.shape[0] != n:
        raise ValueError(f"Y has {Y.shape[0]} rows but X has {n}; they must match")
    name = network.loss.name
    if name in ("bce", "cross_entropy") and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"loss={name!r} needs targets that are probabilities, between 0 and 1; Y "
            f"runs from {Y.min():g} to {Y.max():g} (for measured values use loss='mse')"
        )
    if network.loss is LOSSES["cross_entropy"]:
        _check_rows_sum_to_one(Y, network.dtype)
    return np.ascontiguousarray(Y)


def _check_rows_sum_to_one(Y: Array, dtype: np.dtype) -> None:
    """The softmax + cross-entropy shortcut (value ``lse(z) - y.z``, delta ``a - y``)
    holds only when every row of ``Y`` sums to 1: refuse other rows."""
    # NOTE: the sum of a row rounded to the network's dtype is off by about its length
    # times eps (float32: 1e-7 per unit); 1e-6 more leaves room for rounded probabilities
    tol = 1e-6 + Y.shape[1] * float(np.finfo(dtype).eps)
    sums = Y.sum(axis=1, dtype=np.float64)
    off = np.flatnonzero(np.abs(sums - 1.0) > tol)
    if off.size:
        row = int(off[0])
        raise ValueError(
            f"loss='cross_entropy' with a softmax output needs each row of Y to sum to 1 "
            f"(one-hot classes, or class probabilities); row {row} sums to "
            f"{sums[row]:.7g} ({off.size} such row(s)): give one-hot or probability rows "
            "that sum to 1, or, for several labels per row, use a 'sigmoid' output with "
            "loss='bce'"
        )
