"""The shared base of the two perceptrons (layer 2): parameters, their checks, training.

:class:`_BaseMLP` holds scikit-learn's parameter names, checks them when ``fit`` is called
(not in ``__init__``), builds the :class:`~yieldlab.engine.network.Network` and trains it
with :func:`~yieldlab.engine.training.train`, from ``n_init`` random initialisations,
keeping the best. ``solver='auto'`` is full-batch L-BFGS below :data:`LBFGS_MAX_ROWS` rows
(several initialisations when the problem is tiny) and Adam on mini-batches above. The
docstring sections both estimators share are here too, beside the parameters they
describe. :mod:`yieldlab.models.mlp` adds the regression and classification heads.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .._validation import check_choice, check_positive, check_rng
from ..engine import Dense, History, Network, train
from ..engine.activations import ACTIVATIONS, ALIASES, Activation
from ..engine.losses import Loss
from ..exceptions import DivergenceError
from ._data import standardize, validate_features

__all__ = ["LBFGS_MAX_ROWS", "SOLVERS"]

SOLVERS = ("auto", "lbfgs", "adam", "adamw", "sgd")
# below this many rows 'auto' uses full-batch L-BFGS, as scikit-learn advises for small data
LBFGS_MAX_ROWS = 1000
# 'auto' restarts from several initialisations when n_samples * n_parameters is this small
SMALL_PROBLEM = 100_000
N_INIT_SMALL = 5


class _BaseMLP(BaseEstimator):
    """Shared parameters, validation and training of the two perceptrons."""

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "tanh",
        *,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.shuffle = shuffle
        self.n_init = n_init
        self.dtype = dtype
        self.random_state = random_state

    # --- parameter checks ----------------------------------------------------------------

    @staticmethod
    def _run(network: Network, X: Any, Y: Any, **options: Any) -> History:
        """:func:`~yieldlab.engine.train`, with a divergence named in this estimator's terms."""
        try:
            return train(network, X, Y, **options)
        except DivergenceError as exc:
            raise DivergenceError(
                str(exc).replace("learning_rate=", "learning_rate_init=")
            ) from None

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = list(sizes)
        except TypeError:
            raise TypeError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} has the wrong type; expected a "
                "tuple of ints such as (64, 64), or () for a single neuron"
            ) from None
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(
                    f"hidden_layer_sizes={self.hidden_layer_sizes!r} is invalid; every layer "
                    "needs an int >= 1 units"
                )
        return [int(s) for s in sizes]

    def _hidden_activation(self) -> Activation | str:
        if isinstance(self.activation, str):
            name = ALIASES.get(self.activation, self.activation)
            hidden = sorted(set(ACTIVATIONS) - {"softmax"} | {"logistic"})
            check_choice("activation", name if name in ACTIVATIONS else self.activation, hidden)
            return name
        return self.activation

    def _check_params(self, n_samples: int) -> dict[str, Any]:
        check_choice("solver", self.solver, SOLVERS)
        check_positive("alpha", self.alpha, strict=False)
        check_positive("learning_rate_init", self.learning_rate_init)
        check_positive("max_iter", self.max_iter, integer=True)
        check_positive("n_iter_no_change", self.n_iter_no_change, integer=True)
        if self.tol is not None:
            check_positive("tol", self.tol, strict=False)
        check_choice("dtype", self.dtype, ["float32", "float64"])
        solver = self.solver
        if solver == "auto":
            solver = "lbfgs" if n_samples < LBFGS_MAX_ROWS else "adam"
        if self.batch_size == "auto":
            batch = min(200, n_samples)
        else:
            batch = min(check_positive("batch_size", self.batch_size, integer=True), n_samples)
        return {"solver": solver, "batch_size": batch}

    def _n_init(self, solver: str, n_samples: int, n_params: int) -> int:
        if self.n_init == "auto":
            small = solver == "lbfgs" and n_samples * n_params <= SMALL_PROBLEM
            return N_INIT_SMALL if small else 1
        return check_positive("n_init", self.n_init, integer=True)

    # --- training ------------------------------------------------------------------------

    @staticmethod
    def _penalty_scale(loss: str | Loss, n_outputs: int) -> float:
        """The engine's ``l2`` per unit of ``alpha``, so that ``alpha`` weighs the penalty
        against the data as in scikit-learn: for the mean squared error (over samples and
        outputs) ``2 / n_outputs``, as scikit-learn's gradient is that of half the squared
        error summed over the outputs; 1 for every other loss."""
        return 2.0 / n_outputs if loss == "mse" else 1.0

    def _build(self, sizes: list[int], output: str, loss: str | Loss, rng: Any) -> Network:
        hidden = self._hidden_activation()
        layers = [Dense(sizes[i], sizes[i + 1], hidden) for i in range(len(sizes) - 2)]
        layers.append(Dense(sizes[-2], sizes[-1], output))
        return Network(layers, loss=loss, random_state=rng, dtype=self.dtype)

    def _train(self, X: np.ndarray, Y: np.ndarray, output: str, loss: str | Loss) -> None:
        """Train ``n_init`` networks from different random weights; keep the best."""
        n_samples = X.shape[0]
        options = self._check_params(n_samples)
        solver = options["solver"]
        sizes = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        n_params = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))
        rng = check_rng(self.random_state)
        use_validation = self.early_stopping and solver != "lbfgs"
        best: tuple[float, Network, History] | None = None
        for _ in range(self._n_init(solver, n_samples, n_params)):
            network = self._build(sizes, output, loss, rng)
            history = self._run(
                network,
                X,
                Y,
                optimizer=solver,
                learning_rate=self.learning_rate_init,
                epochs=self.max_iter,
                batch_size=options["batch_size"],
                l2=self.alpha * self._penalty_scale(loss, Y.shape[1]),
                validation_fraction=self.validation_fraction if use_validation else 0.0,
                early_stopping=use_validation,
                patience=self.n_iter_no_change,
                tol=self.tol,
                shuffle=self.shuffle,
                random_state=rng,
                **self._optimizer_options(solver),
            )
            score = history.val_loss[history.best_epoch] if use_validation else history.loss[-1]
            if best is None or score < best[0]:
                best = (score, network, history)
        _, self.network_, self.history_ = best
        self.solver_ = solver
        self.n_iter_ = self.history_.n_epochs
        self.loss_curve_ = list(self.history_.loss)
        self.best_loss_ = float(min(self.history_.loss))
        if use_validation:
            self.validation_loss_curve_ = list(self.history_.val_loss)
        self.gradient_norms_ = np.array(self.history_.grad_norms)
        if self.history_.reached_limit:  # as scikit-learn warns, for every solver
            unit = "iterations" if solver == "lbfgs" else "epochs"
            warnings.warn(
                f"{type(self).__name__}: solver={solver!r} stopped at max_iter={self.max_iter} "
                f"{unit} before converging (tol={self.tol!r}); increase max_iter, or raise tol",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _optimizer_options(self, solver: str) -> dict[str, Any]:
        if solver in ("adam", "adamw"):
            return {"beta1": self.beta_1, "beta2": self.beta_2, "epsilon": self.epsilon}
        if solver == "sgd":
            return {
                "momentum": self.momentum,
                "nesterov": bool(self.nesterovs_momentum and self.momentum > 0),
            }
        return {}

    def _standardize_fit(self, X: np.ndarray) -> np.ndarray:
        Xs, self.x_mean_, self.x_scale_ = standardize(X)
        return Xs

    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_features(self, X, reset=False)
        return self.network_.predict((X - self.x_mean_) / self.x_scale_).astype(np.float64)

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weights in scikit-learn's layout: ``coefs_[i]`` has shape (n_in, n_out)."""
        check_is_fitted(self, "network_")
        return [layer.W.T for layer in self.network_.layers]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Biases of each layer, shape (n_out,)."""
        check_is_fitted(self, "network_")
        return [layer.b for layer in self.network_.layers]


_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units per hidden layer; ``()`` is a single neuron (no hidden layer).
    activation : {'tanh', 'sigmoid' (or 'logistic'), 'relu', 'leaky_relu', 'elu', \
'softplus', 'identity'} or Activation, default='tanh'
        Activation of the hidden layers.
    solver : {'auto', 'lbfgs', 'adam', 'adamw', 'sgd'}, default='auto'
        'auto' is L-BFGS below 1,000 rows and Adam above.
    alpha : float, default=1e-4
        L2 penalty on the weights, weighed against the data as in scikit-learn (a single
        linear neuron is ``Ridge(alpha)``). The engine's loss for the squared error is the
        mean squared error, twice scikit-learn's half of it, so its penalty is
        ``alpha / n * sum ||W||^2`` (divided by the number of outputs) and ``loss_curve_``
        is in the engine's units.
    batch_size : int or 'auto', default='auto'
        Rows per step of the stochastic solvers; 'auto' is ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Step size of Adam/SGD.
    max_iter : int, default=200
        Epochs (Adam/SGD) or iterations (L-BFGS).
    tol : float, default=1e-4
        Training stops when the loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop when their loss stops improving
        and restore the best weights (Adam/SGD).
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    beta_1, beta_2, epsilon : float
        Adam's constants.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
        Momentum settings of 'sgd'.
    shuffle : bool, default=True
        Reshuffle rows every epoch.
    n_init : int or 'auto', default='auto'
        Random initialisations to train, keeping the one with the lowest training loss;
        'auto' uses 5 for tiny problems with L-BFGS (where poor local minima are common),
        else 1.
    dtype : {'float64', 'float32'}, default='float64'
        Precision of the weights and arithmetic.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds initial weights, shuffling and the validation split.
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    network_ : yieldlab.engine.Network
        The trained network (on standardised inputs).
    history_ : yieldlab.engine.History
        Loss per epoch, validation loss, per-layer gradient norms.
    n_iter_ : int
        Epochs or L-BFGS iterations run.
    loss_curve_ : list of float
        Training loss per epoch.
    gradient_norms_ : ndarray of shape (n_iter_, n_layers)
        Per-layer weight-gradient norms per epoch (the vanishing-gradient view).
    solver_ : str
        The solver used (resolves 'auto').
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` was a DataFrame.
"""

_WARNS_DOC = """
    Warns
    -----
    ConvergenceWarning
        When training stops at ``max_iter`` before converging (with ``n_init > 1``: the
        network kept), as scikit-learn warns.
"""
