"""Which inputs matter: cross-validated permutation importance (layer 3).

Replacing an input's values in the held-out rows of a fold by values drawn from the whole
table breaks its relation to the response while keeping its distribution; the importance
is how much the fold model's RMSE rises. (Shuffling within the held-out rows alone, as is
usual with plenty of data, changes nothing when a fold holds one run of a small designed
experiment, and swaps equal levels of a two-level factor half the time.) An input encoded
as several columns (a categorical one, one-hot) is replaced as a whole, row by row, so
importances are reported per original input. Averaged over the folds of cross-validation,
the importance says what a model *fitted without those rows* relies on, which is what
matters for prediction (Breiman 2001; Fisher, Rudin and Dominici 2019).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["importance_table", "permutation_importance"]

# held-out rows used per fold (a random subset beyond), and shuffles per input
MAX_ROWS = 500
N_PERMUTATIONS = 3


def _rmse(y: np.ndarray, prediction: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - np.asarray(prediction, dtype=float).ravel()) ** 2)))


def permutation_importance(
    model: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: list[list[int]],
    rng: np.random.Generator,
    n_permutations: int = N_PERMUTATIONS,
    max_rows: int = MAX_ROWS,
    pool: np.ndarray | None = None,
) -> np.ndarray:
    """RMSE increase when each group of columns is shuffled.

    Parameters
    ----------
    model : fitted regressor
    X : DataFrame of shape (n_samples, n_features)
        Held-out rows, as the model takes them.
    y : ndarray of shape (n_samples,)
    groups : list of list of int
        Column indices of each original input.
    rng : numpy.random.Generator
    n_permutations : int, default=3
    max_rows : int, default=500
        At most this many rows (a random subset) are used.
    pool : ndarray of shape (n_pool, n_features), optional
        Rows (as the model takes them) whose values replace the shuffled ones: the whole
        table, of which ``X`` holds the held-out rows. By default ``X`` itself.

    Returns
    -------
    ndarray of shape (n_groups, n_permutations)

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> y = 3.0 * X["a"].to_numpy()
    >>> model = LinearRegression().fit(X, y)
    >>> scores = permutation_importance(model, X, y, [[0], [1]], rng)
    >>> bool(scores[0].mean() > 3.0), float(abs(scores[1]).max()) < 1e-9
    (True, True)
    """
    if X.shape[0] > max_rows:
        keep = np.sort(rng.permutation(X.shape[0])[:max_rows])
        X, y = X.iloc[keep], y[keep]
    base = _rmse(y, model.predict(X))
    values = X.to_numpy(copy=True)
    source = values.copy() if pool is None else np.asarray(pool)
    n, m = values.shape[0], source.shape[0]
    scores = np.zeros((len(groups), n_permutations))
    for g, columns in enumerate(groups):
        original = values[:, columns].copy()
        for p in range(n_permutations):
            drawn = rng.permutation(m)[:n] if m >= n else rng.integers(0, m, n)
            values[:, columns] = source[drawn][:, columns]
            shuffled = pd.DataFrame(values, columns=X.columns, index=X.index)
            scores[g, p] = _rmse(y, model.predict(shuffled)) - base
        values[:, columns] = original
    return scores


def importance_table(names: list[str], per_fold: list[np.ndarray]) -> pd.DataFrame:
    """Importances over folds as a table: mean and standard deviation per input.

    Parameters
    ----------
    names : list of str
        Original input names, one per group.
    per_fold : list of ndarray of shape (n_groups, n_permutations)

    Returns
    -------
    DataFrame
        Index ``input`` (sorted by decreasing importance), columns ``importance`` (mean
        RMSE increase, target units) and ``std`` (over folds and shuffles).
    """
    stacked = np.concatenate(per_fold, axis=1) if per_fold else np.zeros((len(names), 0))
    with np.errstate(invalid="ignore"):
        mean = stacked.mean(axis=1) if stacked.shape[1] else np.full(len(names), np.nan)
        std = stacked.std(axis=1, ddof=1) if stacked.shape[1] > 1 else np.zeros(len(names))
    if not per_fold:  # not measured (AutoModel(importance=False)): no spread either
        std = np.full(len(names), np.nan)
    table = pd.DataFrame({"importance": mean, "std": std}, index=pd.Index(names, name="input"))
    return table.sort_values("importance", ascending=False, kind="stable")
