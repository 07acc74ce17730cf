"""Multi-layer perceptrons on the engine, with scikit-learn's interface (layer 2).

:class:`MLPRegressor` and :class:`MLPClassifier` take scikit-learn's parameter names where
the meaning is the same, standardise the inputs (and a regression target) inside, and
train a :class:`~yieldlab.engine.network.Network` by backpropagation. Their defaults are
chosen for the small tables experiments produce: ``solver='auto'`` uses full-batch L-BFGS
below 1,000 rows (several random initialisations when the problem is tiny, keeping the
best) and Adam on mini-batches above.

This module holds what differs between the two: the output layer and loss, the target's
encoding (standardised values; one-hot classes) and the predictions. The parameters, their
checks and the training with restarts they share are in :mod:`yieldlab.models._perceptron`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets

from .._validation import check_choice
from ..engine.losses import Loss
from ._data import standardize, validate_xy
from ._perceptron import _ATTRIBUTES_DOC, _PARAMETERS_DOC, _WARNS_DOC, _BaseMLP

__all__ = ["MLPClassifier", "MLPRegressor"]


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = (
        """Multi-layer perceptron regressor trained by backpropagation on the engine.

    Inputs and target are standardised inside; the output layer is linear and the loss
    the mean squared error (or ``loss='huber'``).
"""
        + _PARAMETERS_DOC
        + """    loss : {'squared_error', 'huber'} or Loss, default='squared_error'
        Training loss.
"""
        + _ATTRIBUTES_DOC
        + _WARNS_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from yieldlab import MLPRegressor
    >>> X = np.linspace(-2, 2, 40).reshape(-1, 1)
    >>> model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=1000, random_state=0)
    >>> model = model.fit(X, X.ravel() ** 2)
    >>> bool(abs(model.predict([[1.5]])[0] - 2.25) < 0.1)
    True
    """
    )

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "tanh",
        *,
        loss: str | Loss = "squared_error",
        solver: str = "auto",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        shuffle: bool = True,
        n_init: int | str = "auto",
        dtype: str = "float64",
        random_state: Any = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            shuffle=shuffle,
            n_init=n_init,
            dtype=dtype,
            random_state=random_state,
        )
        self.loss = loss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)
        or (n_samples, n_outputs).

        Returns
        -------
        self
        """
        X, y = validate_xy(self, X, y, multi_output=True)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        self._y_ndim = y.ndim
        Ys, self.y_mean_, self.y_scale_ = standardize(Y)
        loss = {"squared_error": "mse", "mse": "mse", "huber": "huber"}.get(self.loss, self.loss)
        if isinstance(loss, str) and loss not in ("mse", "huber"):
            check_choice("loss", self.loss, ["squared_error", "huber"])
        Xs = self._standardize_fit(X)
        self._train(Xs, Ys, "identity", loss)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted target, shape (n_samples,) or (n_samples, n_outputs)."""
        Y = self._forward(X)
        Y = Y * self.y_scale_ + self.y_mean_
        return Y.ravel() if self._y_ndim == 1 else Y


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = (
        """Multi-layer perceptron classifier trained by backpropagation on the engine.

    Two classes: one sigmoid output with binary cross-entropy. More: a softmax output with
    categorical cross-entropy. For both pairs the output error is ``a_L - y`` (the
    ``sigma'`` factor cancels) and the loss is computed from the logits.
"""
        + _PARAMETERS_DOC
        + _ATTRIBUTES_DOC
        + """    classes_ : ndarray of shape (n_classes,)
"""
        + _WARNS_DOC
        + """
    Examples
    --------
    The notes' XOR, which no single neuron can learn, with two hidden sigmoid units:

    >>> from yieldlab import MLPClassifier
    >>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> clf = MLPClassifier(hidden_layer_sizes=(2,), activation="sigmoid", random_state=0)
    >>> clf.fit(X, [0, 1, 1, 0]).predict(X).tolist()
    [0, 1, 1, 0]
    """
    )

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train on ``X`` of shape (n_samples, n_features) and labels ``y``.

        Returns
        -------
        self
        """
        X, y = validate_xy(self, X, y, numeric_y=False)
        check_classification_targets(y)
        self._binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._binarizer.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"y has 1 class ({self.classes_[0]!r}); a classifier needs samples of at "
                "least 2 classes"
            )
        Y = self._binarizer.transform(y).astype(np.float64)
        binary = len(self.classes_) == 2
        output, loss = ("sigmoid", "bce") if binary else ("softmax", "cross_entropy")
        self._train(self._standardize_fit(X), Y, output, loss)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns as ``classes_``."""
        P = self._forward(X)
        if P.shape[1] == 1:
            P = np.hstack([1.0 - P, P])
        return P

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row, shape (n_samples,)."""
        P = self.predict_proba(X)
        return self.classes_[np.argmax(P, axis=1)]
