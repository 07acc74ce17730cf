"""Statistical inference shared by the regression models (layer 2).

The coefficient table of a fitted model (estimate, standard error, t statistic, two-sided
p-value and a confidence interval from Student's t), as JMP, Minitab and statsmodels
print it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["COEFFICIENT_COLUMNS", "coefficient_table", "t_quantile"]

COEFFICIENT_COLUMNS = ["estimate", "std_error", "t", "p_value", "ci_low", "ci_high"]


def t_quantile(level: float, dof: float) -> float:
    """Two-sided Student-t quantile: ``P(|T| <= q) = level`` with ``dof`` degrees of freedom.

    With ``dof <= 0`` (no residual degrees of freedom) the quantile is undefined: NaN.

    Examples
    --------
    >>> round(t_quantile(0.95, 10), 4)
    2.2281
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} is invalid; expected 0 < level < 1, e.g. 0.95")
    if dof <= 0:
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2.0, dof))


def coefficient_table(
    names: Sequence[str],
    estimates: np.ndarray,
    std_errors: np.ndarray,
    dof: float,
    level: float = 0.95,
) -> pd.DataFrame:
    """Coefficient table with t tests and confidence intervals.

    Parameters
    ----------
    names : sequence of str
        Term or parameter names (the index).
    estimates : ndarray of shape (n_terms,)
    std_errors : ndarray of shape (n_terms,)
    dof : float
        Residual degrees of freedom of the t distribution.
    level : float, default=0.95
        Confidence level of ``ci_low``/``ci_high``.

    Returns
    -------
    DataFrame
        Indexed by name, columns ``estimate, std_error, t, p_value, ci_low, ci_high``.

    Examples
    --------
    >>> table = coefficient_table(["b0"], np.array([2.0]), np.array([0.5]), dof=10)
    >>> float(table.loc["b0", "t"])
    4.0
    """
    estimates = np.asarray(estimates, dtype=float)
    std_errors = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = estimates / std_errors
    p = 2.0 * stats.t.sf(np.abs(t), dof) if dof > 0 else np.full_like(t, np.nan)
    q = t_quantile(level, dof)
    table = pd.DataFrame(
        {
            "estimate": estimates,
            "std_error": std_errors,
            "t": t,
            "p_value": p,
            "ci_low": estimates - q * std_errors,
            "ci_high": estimates + q * std_errors,
        },
        index=pd.Index(list(names), name="term"),
    )
    return table
