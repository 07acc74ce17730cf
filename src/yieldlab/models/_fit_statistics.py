"""Statistics of a least-squares fit (layer 2): fit summary, ANOVA, lack of fit, aliasing.

Pure functions over a :class:`~yieldlab.engine.least_squares.LeastSquaresFit`, used by the
least-squares estimators (:mod:`yieldlab.models._regression`). Conventions follow JMP,
Design-Expert and statsmodels:

* ``R^2 = 1 - RSS / TSS`` with ``TSS`` about the mean (about zero without an intercept, as
  statsmodels and the NIST certified values do);
* predicted R^2 from PRESS, the leave-one-out residuals ``e_i / (1 - h_ii)`` in closed
  form from the leverages ``h_ii`` (exact for least squares and for ridge);
* the ANOVA table of Design-Expert: the model, each term with its partial (type III) sum
  of squares ``b_j^2 / [(A^T A)^-1]_jj``, the residual split into lack of fit and pure error
  when runs are replicated, and the corrected total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = ["ANOVA_COLUMNS", "alias_message", "anova_table", "fit_statistics", "pure_error"]

ANOVA_COLUMNS = ["df", "sum_sq", "mean_sq", "f", "p_value"]


def pure_error(X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Pure-error sum of squares and degrees of freedom from replicated rows of ``X``.

    Rows with exactly equal settings form a group; the pure error is the spread of ``y``
    about each group mean: ``SS_pe = sum_g sum_i (y_i - mean_g)^2``, ``df = n - n_groups``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Returns
    -------
    ss : float
    dof : int
        0 when no settings are replicated.

    Examples
    --------
    >>> X = np.array([[1.0], [1.0], [2.0]])
    >>> pure_error(X, np.array([3.0, 5.0, 7.0]))
    (2.0, 1)
    """
    # NOTE: rows are keyed by an integer hash of their bits (wrapping uint64 arithmetic is
    # exact and order-free, so equal rows always get equal keys); the keys give the
    # groups, and rows that share a key are checked to be equal. (-0.0 and 0.0 differ in
    # their bits, so such rows count as different settings.)
    n = X.shape[1]
    bits = np.ascontiguousarray(X, dtype=np.float64).view(np.uint64)
    odd = np.random.default_rng(1729).integers(0, 2**62, n, dtype=np.uint64) * 2 + 1
    key = bits @ odd
    if not pd.Series(key).duplicated().any():  # a hash table: the common, fast case
        return 0.0, 0
    _, first, labels = np.unique(key, return_index=True, return_inverse=True)
    n_groups = first.size
    if not np.array_equal(X, X[first][labels]):  # two different rows on one key
        _, labels = np.unique(X, axis=0, return_inverse=True)
        n_groups = int(labels.max()) + 1
    counts = np.bincount(labels, minlength=n_groups)
    means = np.bincount(labels, weights=y, minlength=n_groups) / counts
    return float(np.sum((y - means[labels]) ** 2)), int(X.shape[0] - n_groups)


def fit_statistics(fit, y: np.ndarray, pure: tuple[float, int] | None) -> dict:
    """Fit statistics of a least-squares fit (the keys of ``fit_statistics_``).

    Parameters
    ----------
    fit : LeastSquaresFit
    y : ndarray of shape (n_samples,)
    pure : (float, int) or None
        Pure-error sum of squares and degrees of freedom (see :func:`pure_error`).

    Returns
    -------
    dict
        ``n_samples, n_parameters, rank, dof_model, dof_resid, rss, tss, r2, adj_r2,
        resid_std, f_statistic, f_pvalue, press, pred_r2, log_likelihood, aic, bic,
        lack_of_fit_f, lack_of_fit_pvalue, pure_error_dof, condition_number, solver,
        n_iter``.
    """
    m = y.shape[0]
    c = int(fit.fit_intercept)
    dof_resid = m - fit.dof_model
    rss = np.float64(fit.rss)  # NumPy floats: x / 0 gives inf or nan, as for an exact fit
    if fit.tss is not None:
        tss = np.float64(fit.tss)
    else:
        yc = y - y.mean() if c else y
        tss = np.float64(yc @ yc)
    var = rss / dof_resid if dof_resid > 0 else np.nan
    dof_terms = fit.dof_model - c
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - rss / tss if tss > 0 else np.nan
        adj_r2 = 1.0 - var / (tss / (m - c)) if tss > 0 and m > c else np.nan
        f = (tss - rss) / dof_terms / var if dof_terms > 0 else np.nan
    # NOTE: special.fdtrc is the F survival function without scipy.stats' per-call overhead
    f_pvalue = float(special.fdtrc(dof_terms, dof_resid, f)) if not np.isnan(f) else np.nan
    press = np.nan
    # NOTE: a run with leverage 1 is fitted exactly whatever its y: PRESS is undefined.
    if fit.leverage is not None and np.all(fit.leverage < 1.0 - 1e-10):
        press = float(np.sum((fit.residuals / (1.0 - fit.leverage)) ** 2))
    n_estimated = fit.dof_model + 1.0  # + the residual variance
    loglike = -0.5 * m * (np.log(2.0 * np.pi * rss / m) + 1.0) if rss > 0 else np.inf
    lof_f = lof_p = np.nan
    pe_ss, pe_dof = pure if pure is not None else (np.nan, 0)
    lof_dof = dof_resid - pe_dof
    if pe_dof > 0 and lof_dof > 0 and pe_ss > 0:
        lof_f = (rss - pe_ss) / lof_dof / (pe_ss / pe_dof)
        lof_p = float(special.fdtrc(lof_dof, pe_dof, lof_f))
    return {
        "n_samples": int(m),
        "n_parameters": int(fit.rank),
        "rank": int(fit.rank),
        "dof_model": float(fit.dof_model),
        "dof_resid": float(dof_resid),
        "rss": float(rss),
        "tss": float(tss),
        "r2": float(r2),
        "adj_r2": float(adj_r2),
        "resid_std": float(np.sqrt(var)),
        "f_statistic": float(f),
        "f_pvalue": f_pvalue,
        "press": press,
        "pred_r2": float(1.0 - press / tss) if tss > 0 else np.nan,
        "log_likelihood": float(loglike),
        "aic": float(2.0 * n_estimated - 2.0 * loglike),
        "bic": float(np.log(m) * n_estimated - 2.0 * loglike),
        "lack_of_fit_f": float(lof_f),
        "lack_of_fit_pvalue": float(lof_p),
        "pure_error_dof": int(pe_dof),
        "condition_number": float(fit.condition),
        "solver": fit.solver,
        "n_iter": int(fit.n_iter),
    }


def anova_table(
    names: list[str],
    params: np.ndarray,
    covariance: np.ndarray,
    statistics: dict,
    pure: tuple[float, int] | None,
    fit_intercept: bool,
    aliased: list[str] = (),
) -> pd.DataFrame:
    """ANOVA table: model, each term (partial sums of squares), residual, lack of fit,
    pure error and total.

    Parameters
    ----------
    names : list of str
        Term names, intercept first when ``fit_intercept``.
    params : ndarray of shape (n_terms,)
    covariance : ndarray of shape (n_terms, n_terms)
        ``sigma^2 (A^T A)^-1``.
    statistics : dict
        From :func:`fit_statistics`.
    pure : (float, int) or None
    fit_intercept : bool
    aliased : list of str
        Aliased terms (0 degrees of freedom, NaN sums of squares).

    Returns
    -------
    DataFrame
        Index ``source``; columns ``df, sum_sq, mean_sq, f, p_value``.
    """
    s = statistics
    var = s["rss"] / s["dof_resid"] if s["dof_resid"] > 0 else np.nan
    start = int(fit_intercept)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = params[start:] ** 2 / (np.diag(covariance)[start:] / var)
    nan = np.nan
    # (source, df, sum of squares, mean square and df of the F denominator)
    rows = [("Model", s["dof_model"] - start, s["tss"] - s["rss"], var, s["dof_resid"])]
    for name, ss in zip(names[start:], partial, strict=True):
        rows.append((name, 0.0 if name in aliased else 1.0, ss, var, s["dof_resid"]))
    rows.append(("Residual", s["dof_resid"], s["rss"], nan, nan))
    if pure is not None and pure[1] > 0 and s["dof_resid"] - pure[1] > 0:
        pe_ss, pe_dof = pure
        rows.append(("Lack of fit", s["dof_resid"] - pe_dof, s["rss"] - pe_ss, pe_ss / pe_dof,
                     pe_dof))  # fmt: skip
        rows.append(("Pure error", float(pe_dof), pe_ss, nan, nan))
    rows.append(("Total", float(s["n_samples"] - start), s["tss"], nan, nan))
    source, df, ss, den_ms, den_df = (np.array(col) for col in zip(*rows, strict=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_sq = np.where(df > 0, ss / np.where(df > 0, df, 1.0), nan)
        f = mean_sq / den_ms.astype(float)
    p_value = np.where(np.isfinite(f), stats.f.sf(f, df, den_df.astype(float)), nan)
    table = pd.DataFrame(
        {"df": df.astype(float), "sum_sq": ss.astype(float), "mean_sq": mean_sq, "f": f,
         "p_value": p_value},
        index=pd.Index(source.tolist(), name="source"),
    )  # fmt: skip
    return table


def _format_relation(weights: np.ndarray, names: list[str], fit_intercept: bool) -> str:
    """``'x3 = 3 + 2*x0 - x1'``-style right-hand side of an alias relation."""
    scale = np.max(np.abs(weights)) if weights.size else 0.0
    parts = []
    for j, w in enumerate(weights):
        if scale == 0 or abs(w) <= 1e-9 * scale:
            continue
        sign = "-" if w < 0 else "+"
        value = f"{abs(w):.6g}"
        if fit_intercept and j == 0:
            term = value
        else:
            term = names[j] if value == "1" else f"{value}*{names[j]}"
        parts.append(f"{sign} {term}")
    if not parts:
        return "0"
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def alias_message(
    fit, names: list[str], constant: dict[str, float], model: str, alpha: float = 0.0
) -> str | None:
    """The warning text naming the aliased terms of ``fit`` (None when there are none).

    Parameters
    ----------
    fit : LeastSquaresFit
    names : list of str
        Term names, intercept first when it is fitted.
    constant : dict of str to float
        Input columns that are constant (name -> value), reported as such.
    model : str
        Estimator name for the message.
    alpha : float, default=0.0
        The ridge penalty of the fit the message is about: with ``alpha > 0`` the aliased
        terms are not set to 0 but share the effect, and are reported as not estimable.
    """
    aliased = [names[j] for j in np.flatnonzero(fit.aliased)]
    if not aliased and not constant:
        return None
    notes = [
        f"column {name!r} is constant ({value!r} in every row), so with an intercept its "
        "effect cannot be told apart from the intercept"
        for name, value in constant.items()
    ]
    if fit.solver == "svd":
        notes.append(
            f"terms {aliased} are linearly dependent; solver='svd' gives the minimum-norm "
            "estimates (in scaled units), which are not individually estimable"
        )
    else:
        for j, w in fit.alias_relations.items():
            relation = _format_relation(w, names, fit.fit_intercept)
            notes.append(f"{names[j]!r} = {relation}")
    what = "set to 0" if fit.solver != "svd" else "given minimum-norm values"
    if alpha > 0:
        return (
            f"{model}: {len(aliased)} aliased term(s) {aliased} ({'; '.join(notes)}). With "
            f"the ridge penalty (alpha={alpha:.3g}) each such term shares the effect with the "
            "terms it is aliased with, so none of their estimates is separately "
            "meaningful: their std_error, t and p are NaN. Remove the aliased terms or "
            "columns, or add runs that separate them"
        )
    return (
        f"{model}: {len(aliased)} aliased term(s) {aliased} {what}, with std_error NaN "
        f"({'; '.join(notes)}). Remove the aliased terms or columns, or add runs that "
        "separate them"
    )
