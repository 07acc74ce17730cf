"""The candidate models of automatic modelling, each lightly tuned on its own rows (layer 3).

Every candidate is a scikit-learn regressor whose ``predict(X, return_std=True)`` gives the
predictive standard deviation, and which tunes itself only on the rows it is fitted on
(inside a cross-validation fold those are the fold's training rows: the held-out rows are
never seen):

``linear`` (:class:`~yieldlab.models.linear.LinearRegression`, complexity 1);
``response_surface`` (a quadratic :class:`RidgeResponseSurface`, ridge penalty by PRESS, 2);
``gaussian_process`` (ARD Matern 5/2 plus noise, marginal likelihood, 3); ``mlp_ensemble``
(networks; weight decay and training length on a holdout, 4); ``boosted_trees`` (k-fold
bagged gradient boosting; trees by out-of-fold early stopping, 5).

The complexity order is the one-standard-error rule's: among candidates whose error is
within one standard error of the best, the simplest wins. Smooth parametric models rank
before flexible ones; trees come last, because their piecewise-constant surfaces are the
least useful for finding optimal settings. A user's :class:`~yieldlab.models.formula.
FormulaModel` ranks first: a mechanistic model that fits as well as any is the one to keep.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from .._validation import check_rng
from ..models._data import standardize
from ..models._perceptron import LBFGS_MAX_ROWS
from ..models.linear import AliasingWarning, LinearRegression
from ..models.mlp import MLPRegressor
from ..models.response_surface import (
    ResponseSurface,
    drop_aliased_powers,
    polynomial_exponents,
)
from .encoding import apply_warp, fit_warp
from .uncertainty import Ensemble, PredictiveStd, single_threaded
from .uncertainty import validated_frame as _frame

__all__ = [
    "COMPLEXITY",
    "DEFAULT_CANDIDATES",
    "BoostedTreesEnsemble",
    "GaussianProcessCandidate",
    "MLPEnsemble",
    "RidgeResponseSurface",
    "complexity",
    "default_candidate",
]

# ridge penalties tried by the response surface, per row, on coded (-1..1) inputs
RIDGE_GRID = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
# (weight decay, L-BFGS iterations): a flexible fit and a smoother one; Adam for big tables
# (alpha in scikit-learn's units: the same penalties as 0.01, 0.1 and 1e-3 before
# MLPRegressor matched scikit-learn's alpha, so the benchmarks stand)
MLP_CONFIGS = {
    "lbfgs": ({"alpha": 0.005, "max_iter": 1000}, {"alpha": 0.05, "max_iter": 500}),
    "adam": ({"alpha": 5e-4, "max_iter": 200, "early_stopping": True},),
}
# network of the MLP ensemble below / from SMALL_ROWS rows
SMALL_NETWORK, LARGE_NETWORK, SMALL_ROWS = (20, 20), (50, 50), 300
TREE_CONFIGS = ({"max_leaf_nodes": 15},)
# one-standard-error order, by class name (unknown estimators rank last)
COMPLEXITY = {
    "FormulaModel": 0.5,
    "LinearRegression": 1.0,
    "RidgeResponseSurface": 2.0,
    "ResponseSurface": 2.0,
    "GaussianProcessCandidate": 3.0,
    "GaussianProcessRegressor": 3.0,
    "MLPEnsemble": 4.0,
    "MLPRegressor": 4.0,
    "BoostedTreesEnsemble": 5.0,
    "Blend": 7.0,
}
_UNKNOWN_COMPLEXITY = 6.0


class RidgeResponseSurface(RegressorMixin, BaseEstimator):
    """Polynomial response surface with its ridge penalty chosen by PRESS.

    Fits :class:`~yieldlab.models.response_surface.ResponseSurface` in coded units for
    each ``alpha = a * n_samples``, ``a`` in ``alphas`` (``0`` only when there are more
    rows than terms), and keeps the one with the smallest PRESS, the sum of squared
    leave-one-out residuals (exact and free for least squares and ridge).

    Parameters
    ----------
    degree : int, default=2
    alphas : sequence of float, default=RIDGE_GRID
        Penalties per row.

    Attributes
    ----------
    estimator_ : ResponseSurface
        The chosen fit; its ``summary()`` is the coefficient table in coded units (-1 at
        the lowest and +1 at the highest training value of each input, so coefficients
        are comparable effects). Powers of two-level inputs (0/1 indicators) are left
        out.
    alpha_ : float
    noise_std_ : float
        Residual standard deviation (``sqrt(PRESS / n)`` without residual degrees of
        freedom).
    params_ : dict
        The chosen hyper-parameters.
    """

    def __init__(self, degree: int = 2, alphas: tuple[float, ...] = RIDGE_GRID) -> None:
        self.degree = degree
        self.alphas = alphas

    def fit(self, X: Any, y: Any) -> RidgeResponseSurface:
        """Fit on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)."""
        X, frame, y = _frame(self, X, fit=True, y=y)
        n = X.shape[0]
        n_terms = len(drop_aliased_powers(polynomial_exponents(X.shape[1], self.degree), X))
        alphas = [a for a in self.alphas if a > 0 or n >= n_terms + 3]
        if not alphas:
            raise ValueError(
                f"RidgeResponseSurface: alphas={self.alphas!r} holds no penalty > 0, and "
                "there are too few rows for least squares"
            )
        press = ridge_press(X, y, self.degree, [a * n for a in alphas])
        best = int(np.argmin(press))
        self.alpha_ = alphas[best]
        with warnings.catch_warnings():  # collinear inputs: PRESS already chose the ridge
            warnings.simplefilter("ignore", AliasingWarning)
            self.estimator_ = ResponseSurface(
                degree=self.degree, coded=True, alpha=self.alpha_ * n,
                skip_aliased_powers=True, solver="auto" if self.alpha_ == 0 else "cholesky",
            ).fit(frame, y)  # fmt: skip
        sigma = self.estimator_.resid_std_
        self.noise_std_ = float(sigma if np.isfinite(sigma) else np.sqrt(press[best] / n))
        self.params_ = {"degree": self.degree, "alpha": self.alpha_ * n}
        return self

    def predict(self, X: Any, return_std: bool = False):
        """Mean, shape (n_samples,); with ``return_std`` also the predictive std."""
        check_is_fitted(self, "estimator_")
        _, frame, _ = _frame(self, X, fit=False)
        mean, se = self.estimator_.predict(frame, return_std=True)
        if not return_std:
            return mean
        return mean, np.sqrt(np.nan_to_num(se) ** 2 + self.noise_std_**2)

    def summary(self, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """Coefficient table of the chosen fit (coded units)."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.summary(*args, **kwargs)


def ridge_press(X: np.ndarray, y: np.ndarray, degree: int, alphas: list[float]) -> np.ndarray:
    """PRESS of the coded polynomial ridge fit for every penalty, from one SVD.

    With the centred design ``D = U S V^T`` (the intercept is not penalised) the ridge fit
    is ``H_a y`` with ``H_a = 1/n + U diag(s^2 / (s^2 + a)) U^T``, so the leave-one-out
    residuals ``e_i / (1 - h_ii)`` of every ``a`` cost one matrix product each.

    Returns
    -------
    ndarray of shape (len(alphas),)
        ``inf`` where a leverage reaches 1 (a run fitted exactly whatever its value).
    """
    low, high = X.min(axis=0), X.max(axis=0)
    half = np.where(high > low, (high - low) / 2.0, 1.0)
    U = (X - (low + (high - low) / 2.0)) / half
    exponents = drop_aliased_powers(polynomial_exponents(X.shape[1], degree), X)
    D = np.prod(U[:, None, :] ** exponents[None, :, :], axis=2)
    Us, s, _ = np.linalg.svd(D - D.mean(axis=0), full_matrices=False)
    keep = s > s[0] * 1e-12 if s.size else s.astype(bool)
    Us, s = Us[:, keep], s[keep]
    projected = Us.T @ (y - y.mean())
    press = []
    for a in alphas:
        shrink = s**2 / (s**2 + a)
        leverage = 1.0 / len(y) + (Us**2) @ shrink
        residual = y - y.mean() - Us @ (shrink * projected)
        ok = np.all(leverage < 1.0 - 1e-10)
        press.append(float(np.sum((residual / (1.0 - leverage)) ** 2)) if ok else np.inf)
    return np.array(press)


class GaussianProcessCandidate(RegressorMixin, BaseEstimator):
    """Gaussian process with an ARD Matern kernel plus white noise, sized to the data.

    ``k(x, x') = s^2 Matern_nu(|x - x'| / l) + sigma^2 [x = x']`` on standardized inputs,
    one length scale ``l_j`` per input (automatic relevance determination), the target
    normalized; hyper-parameters maximise the marginal likelihood from several starts.
    Inputs are Yeo-Johnson transformed first, as for :class:`MLPEnsemble`.
    On large tables the starts run on ``hyper_rows`` random rows, the best is refined on
    ``refine_rows`` rows, and the final process conditions on at most ``max_rows`` rows
    (the cost grows as ``n^3``).

    Parameters
    ----------
    nu : float, default=2.5
    n_restarts : int or 'auto', default='auto'
        Extra optimizer starts: 'auto' is 2 up to 200 rows, 1 up to 500, else 0.
    hyper_rows : int, default=300
        Rows for the multi-start optimization of the hyper-parameters.
    refine_rows : int, default=600
        Rows for one more optimization from the best start.
    max_rows : int, default=2000
        Rows the final process conditions on.
    random_state : None, int or numpy.random.Generator, default=None

    Attributes
    ----------
    gp_ : GaussianProcessRegressor
    params_ : dict
        Length scales (standardized units), signal and noise standard deviations (target
        units).
    """

    def __init__(
        self,
        nu: float = 2.5,
        n_restarts: int | str = "auto",
        hyper_rows: int = 300,
        refine_rows: int = 600,
        max_rows: int = 2000,
        random_state: Any = None,
    ) -> None:
        self.nu = nu
        self.n_restarts = n_restarts
        self.hyper_rows = hyper_rows
        self.refine_rows = refine_rows
        self.max_rows = max_rows
        self.random_state = random_state

    @single_threaded
    def fit(self, X: Any, y: Any) -> GaussianProcessCandidate:
        """Fit on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)."""
        X, _, y = _frame(self, X, fit=True, y=y)
        rng = check_rng(self.random_state)
        self.warp_, self.warp_columns_ = fit_warp(X)
        X = apply_warp(self.warp_, self.warp_columns_, X)
        Z, self.x_mean_, self.x_scale_ = standardize(X)
        n, p = Z.shape
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            np.ones(p), (1e-2, 1e3), nu=self.nu
        ) + WhiteKernel(1e-2, (1e-8, 1.0))
        if self.n_restarts == "auto":
            restarts = 2 if n <= 200 else (1 if n <= 500 else 0)
        else:
            restarts = self.n_restarts
        hyper = rng.permutation(n)[: self.hyper_rows] if n > self.hyper_rows else np.arange(n)
        seed = int(rng.integers(2**31 - 1))
        with warnings.catch_warnings():  # bounds reached by irrelevant inputs are expected
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp = GaussianProcessRegressor(
                kernel, normalize_y=True, n_restarts_optimizer=restarts, random_state=seed
            ).fit(Z[hyper], y[hyper])
        if hyper.size < n:  # refine on more rows from there, then condition on the most
            refine = (
                np.arange(n) if n <= self.refine_rows else rng.permutation(n)[: self.refine_rows]
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gp = GaussianProcessRegressor(gp.kernel_, normalize_y=True).fit(
                    Z[refine], y[refine]
                )
            if refine.size < n:
                rows = np.arange(n) if n <= self.max_rows else rng.permutation(n)[: self.max_rows]
                gp = GaussianProcessRegressor(gp.kernel_, normalize_y=True, optimizer=None)
                gp.fit(Z[rows], y[rows])
        self.gp_ = gp
        amplitude, noise = gp.kernel_.k1.k1.constant_value, gp.kernel_.k2.noise_level
        y_scale = float(gp._y_train_std)
        self.params_ = {
            "length_scales": dict(zip(self.input_names_, np.atleast_1d(
                gp.kernel_.k1.k2.length_scale).round(4).tolist(), strict=True)),
            "signal_std": float(np.sqrt(amplitude) * y_scale),
            "noise_std": float(np.sqrt(noise) * y_scale),
            "rows": int(gp.X_train_.shape[0]),
        }  # fmt: skip
        return self

    @single_threaded
    def predict(self, X: Any, return_std: bool = False):
        """Mean, shape (n_samples,); with ``return_std`` the predictive std (noise in)."""
        check_is_fitted(self, "gp_")
        X, _, _ = _frame(self, X, fit=False)
        Z = (apply_warp(self.warp_, self.warp_columns_, X) - self.x_mean_) / self.x_scale_
        if not return_std:
            return self.gp_.predict(Z)
        mean, std = self.gp_.predict(Z, return_std=True)
        return mean, std


class MLPEnsemble(Ensemble):
    """A small deep ensemble of :class:`~yieldlab.models.mlp.MLPRegressor` networks.

    Tuning: each configuration of ``configs`` (weight decay and training length) trains
    one network on ``1 - validation_fraction`` of the rows; the one with the smallest
    error on the rest wins, and that error is the noise level of the predictive std.
    Then ``n_members`` networks with different random initial weights train on all
    rows. Below 1,000 rows they train by full-batch L-BFGS, above by Adam with early
    stopping. Inputs with more than two values are Yeo-Johnson transformed first
    (:func:`~yieldlab.modelling.encoding.fit_warp`), so skewed inputs do not dominate.
    A network stopping at its configuration's ``max_iter`` is expected here and gives no
    ``ConvergenceWarning``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int or 'auto', default='auto'
        'auto' is (20, 20) below 300 rows (as accurate there, and L-BFGS's cost grows with
        the number of weights), (50, 50) above.
    activation : str, default='tanh'
    configs : 'auto' or sequence of dict, default='auto'
        MLPRegressor parameters to choose from (see ``MLP_CONFIGS``).
    n_members : int, default=5
    validation_fraction : float, default=0.2
    random_state : None, int or numpy.random.Generator, default=None

    Attributes
    ----------
    members_ : list of MLPRegressor
        Their ``loss_curve_`` and ``gradient_norms_`` show the training.
    noise_std_ : float
    params_ : dict
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = "auto",
        activation: str = "tanh",
        configs: Any = "auto",
        n_members: int = 5,
        validation_fraction: float = 0.2,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.configs = configs
        self.n_members = n_members
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return apply_warp(self.warp_, self.warp_columns_, X)

    def _network(self, config: dict, solver: str, rng: np.random.Generator) -> MLPRegressor:
        return MLPRegressor(
            self.hidden_sizes_, self.activation, solver=solver, n_init=1, dtype=self.dtype_,
            random_state=int(rng.integers(2**31 - 1)), **config,
        )  # fmt: skip

    def _fit_network(
        self, config: dict, solver: str, rng: np.random.Generator, X: np.ndarray, y: np.ndarray
    ) -> MLPRegressor:
        network = self._network(config, solver, rng)
        # the training lengths are fixed by the configurations and chosen on the holdout, so
        # a member stopping at max_iter is expected: no ConvergenceWarning for each of them
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return network.fit(X, y)

    @single_threaded
    def fit(self, X: Any, y: Any) -> MLPEnsemble:
        """Fit on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)."""
        X, _, y = _frame(self, X, fit=True, y=y)
        rng = check_rng(self.random_state)
        n = X.shape[0]
        self.hidden_sizes_ = tuple(
            (SMALL_NETWORK if n < SMALL_ROWS else LARGE_NETWORK)
            if self.hidden_layer_sizes == "auto" else self.hidden_layer_sizes
        )  # fmt: skip
        # NOTE: float32 halves the cost of the large networks at no loss of accuracy
        # (measured); small ones are dominated by L-BFGS's own work, so stay float64.
        self.dtype_ = "float64" if n < SMALL_ROWS else "float32"
        self.warp_, self.warp_columns_ = fit_warp(X)
        X = self._inputs(X)
        solver = "lbfgs" if n < LBFGS_MAX_ROWS else "adam"
        configs = list(MLP_CONFIGS[solver] if self.configs == "auto" else self.configs)
        best, noise = 0, None
        if n >= 10:
            order = rng.permutation(n)
            n_val = max(2, round(self.validation_fraction * n))
            val, train = order[:n_val], order[n_val:]
            errors = []
            for config in configs:
                probe = self._fit_network(config, solver, rng, X[train], y[train])
                errors.append(float(np.mean((y[val] - probe.predict(X[val])) ** 2)))
            best = int(np.argmin(errors))
            noise = np.sqrt(errors[best])
        self.members_ = [
            self._fit_network(configs[best], solver, rng, X, y) for _ in range(self.n_members)
        ]
        if noise is None:  # too few rows to hold any out: inflate the training error
            fitted = np.mean([m.predict(X) for m in self.members_], axis=0)
            noise = np.sqrt(np.sum((y - fitted) ** 2) / max(n - 1, 1))
        self.noise_std_ = float(noise)
        self.params_ = {"hidden_layer_sizes": self.hidden_sizes_, "solver": solver,
                        "n_members": self.n_members, **configs[best]}  # fmt: skip
        return self


class BoostedTreesEnsemble(Ensemble):
    """Gradient-boosted trees (scikit-learn's HistGradientBoostingRegressor), k-fold bagged.

    Member ``k`` of ``n_members`` trains on all folds but the ``k``-th and stops adding
    trees when its error on fold ``k`` stops improving. Each configuration of ``configs``
    (tree size) is scored by the out-of-fold error of its members; the best one's members
    form the ensemble, and their out-of-fold error is the noise level.

    Parameters
    ----------
    learning_rate : float, default=0.1
    configs : 'auto' or sequence of dict, default='auto'
        HistGradientBoostingRegressor parameters to choose from (see ``TREE_CONFIGS``).
    n_members : int, default=5
    random_state : None, int or numpy.random.Generator, default=None

    Attributes
    ----------
    members_ : list of HistGradientBoostingRegressor
    noise_std_ : float
    params_ : dict
    """

    def __init__(
        self,
        learning_rate: float = 0.1,
        configs: Any = "auto",
        n_members: int = 5,
        random_state: Any = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.configs = configs
        self.n_members = n_members
        self.random_state = random_state

    @single_threaded
    def fit(self, X: Any, y: Any) -> BoostedTreesEnsemble:
        """Fit on ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)."""
        X, _, y = _frame(self, X, fit=True, y=y)
        rng = check_rng(self.random_state)
        n = X.shape[0]
        k = min(self.n_members, n)
        splits = list(KFold(k, shuffle=True, random_state=int(rng.integers(2**31 - 1))).split(X))
        early = n >= 50
        base = {
            "learning_rate": self.learning_rate, "max_iter": 2000 if early else 100,
            "min_samples_leaf": int(np.clip(n // 20, 2, 20)), "l2_regularization": 1.0,
            "early_stopping": early, "n_iter_no_change": 30, "max_features": 0.8,
        }  # fmt: skip
        configs = list(TREE_CONFIGS if self.configs == "auto" else self.configs)
        best = None
        for config in configs:
            members, oof = [], np.empty(n)
            for train, val in splits:
                member = HistGradientBoostingRegressor(
                    **{**base, **config}, random_state=int(rng.integers(2**31 - 1))
                )
                extra = {"X_val": X[val], "y_val": y[val]} if early else {}
                members.append(member.fit(X[train], y[train], **extra))
                oof[val] = member.predict(X[val])
            error = float(np.mean((y - oof) ** 2))
            if best is None or error < best[0]:
                best = (error, config, members)
        error, config, self.members_ = best
        self.noise_std_ = float(np.sqrt(error))
        n_trees = int(np.mean([m.n_iter_ for m in self.members_]))
        self.params_ = {"learning_rate": self.learning_rate, "n_members": k,
                        "n_trees": n_trees, **config}  # fmt: skip
        return self


# name -> factory(random_state)
DEFAULT_CANDIDATES = {
    "linear": lambda seed: PredictiveStd(LinearRegression()),
    "response_surface": lambda seed: RidgeResponseSurface(),
    "gaussian_process": lambda seed: GaussianProcessCandidate(random_state=seed),
    "mlp_ensemble": lambda seed: MLPEnsemble(random_state=seed),
    "boosted_trees": lambda seed: BoostedTreesEnsemble(random_state=seed),
}


def default_candidate(name: str, seed: int | None) -> Any:
    """A fresh default candidate by name (see the module docstring)."""
    return DEFAULT_CANDIDATES[name](seed)


def complexity(estimator: Any) -> float:
    """Rank of ``estimator`` in the one-standard-error order (lower is simpler)."""
    inner = estimator.estimator if isinstance(estimator, PredictiveStd) else estimator
    return COMPLEXITY.get(type(inner).__name__, _UNKNOWN_COMPLEXITY)
