"""The report of a fitted model: which model fits, how well, what matters, where the
response is best (layer 5)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import figures
from .html import HtmlReport

__all__ = ["add_model_sections", "model_report"]

# below this the t distribution's tails make every interval and p-value meaningless
MIN_RESIDUAL_DOF = 2.0


def _numeric_inputs(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) and X[c].nunique() > 1]


def _find_networks(estimator: Any, depth: int = 0) -> list[Any]:
    """Our MLPs inside a fitted estimator (directly, or inside an ensemble or pipeline)."""
    if depth > 3 or estimator is None:
        return []
    if hasattr(estimator, "loss_curve_") and hasattr(estimator, "gradient_norms_"):
        return [estimator]
    found: list[Any] = []
    for name in ("estimators_", "estimator_", "members_", "model_", "steps"):
        inner = getattr(estimator, name, None)
        if inner is None:
            continue
        items = inner if isinstance(inner, list | tuple) else [inner]
        for item in items:
            item = item[1] if isinstance(item, tuple) else item
            found += _find_networks(item, depth + 1)
    return found


def _data_section(report: HtmlReport, X: pd.DataFrame, y: pd.Series, model: Any) -> None:
    report.section("Data")
    report.key_figures(
        {"experiments": str(len(X)), "inputs": str(X.shape[1]), "response": str(y.name)}
    )
    summary = pd.concat([X, y], axis=1).describe(include="all").T
    keep = [c for c in ("count", "unique", "mean", "std", "min", "max") if c in summary]
    report.table(summary[keep], caption="Summary of the table")
    dropped = getattr(model, "dropped_columns_", None)
    if dropped is not None and len(dropped):
        frame = (
            dropped
            if isinstance(dropped, pd.DataFrame)
            else pd.DataFrame({"reason": pd.Series(dropped)})
        )
        report.table(frame, caption="Columns not used")


def _selection_section(report: HtmlReport, model: Any, y: pd.Series) -> None:
    report.section("Model selection")
    board = model.leaderboard_
    if not getattr(model, "one_se", True):
        rule = "the lowest cross-validated RMSE"
    elif model.best_name_ == "blend":
        rule = (
            "a weighted average of the candidates the data cannot tell apart, within three "
            "standard errors of the best RMSE"
        )
    else:
        rule = (
            "the simplest within one standard error of the best RMSE, the standard error of "
            "its fold-by-fold difference to the best (not the rmse_se column, the error bar "
            "of each RMSE alone)"
        )
    report.paragraph(
        f"Candidates were compared by repeated K-fold cross-validation; the selected model is "
        f"{model.best_name_!r} ({rule})."
    )
    report.table(board, caption="Leaderboard (cross-validated)", index=False)
    selected = board.loc[board["name"] == model.best_name_, "r2"] if "r2" in board else []
    if len(selected) and float(selected.iloc[0]) < 0:
        report.paragraph(
            f"The selected model's cross-validated R² is {float(selected.iloc[0]):.2f}, below "
            f"0: it predicts new runs worse than their average would. There are too few "
            f"results, or they are too noisy, to model {y.name} reliably yet; read the "
            "sections below as a first look.",
            note=True,
        )
    cv = getattr(model, "cv_predictions_", None)
    if cv is not None and len(cv):
        std = cv.get("std")
        report.figure(
            figures.parity_plot(cv["y"], cv["mean"], std, target=str(y.name)),
            caption="Cross-validated predictions vs measured values, with 95% "
            "prediction intervals",
            raster=len(cv) > 2000,
        )
        report.figure(
            figures.residual_plot(cv["y"], cv["mean"], target=str(y.name)),
            caption="Residuals of the cross-validated predictions",
            raster=len(cv) > 2000,
        )


def coefficient_units(estimator: Any) -> str:
    """How to read an estimator's coefficients: ``''`` in the inputs' own units, else a
    sentence saying they are in coded units (a response surface fitted with ``coded``)."""
    inner = estimator
    while not hasattr(inner, "coded") and hasattr(inner, "estimator_"):  # through wrappers
        inner = inner.estimator_
    if getattr(inner, "coded", False):
        return (
            "in coded units: each input runs from -1 at its lowest to +1 at its highest "
            "setting in the data, so a coefficient is half the change of the response over "
            "that input's range"
        )
    return ""


def _coefficients_section(report: HtmlReport, model: Any) -> None:
    best = model.best_estimator_
    summary = getattr(best, "summary", None)
    if not callable(summary):
        return
    report.section("Coefficients")
    units = coefficient_units(best)
    if units:
        report.paragraph(f"The coefficients are {units}.", note=True)
    table = summary()
    dof = getattr(getattr(best, "estimator_", best), "dof_resid_", np.inf)
    if not dof >= MIN_RESIDUAL_DOF:
        report.paragraph(
            f"{len(table)} terms leave {dof:.2g} residual degrees of freedom: standard "
            "errors, p-values and intervals would mean nothing, so only the estimates are "
            "shown.",
            note=True,
        )
        report.table(table[["estimate"]], caption=f"{model.best_name_}: estimates")
    else:
        report.table(table, caption=f"{model.best_name_}: estimates with 95% confidence intervals")
    stats = getattr(best, "fit_statistics_", None)
    if stats:
        shown = {k: v for k, v in stats.items() if isinstance(v, int | float | np.floating)}
        report.table(
            pd.DataFrame({"value": pd.Series(shown, dtype=float)}), caption="Fit statistics"
        )


def _response_section(
    report: HtmlReport,
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    goodness: Callable[[np.ndarray], np.ndarray] | None = None,
    labels: Sequence[Any] | None = None,
) -> None:
    numeric = _numeric_inputs(X)
    if not numeric:
        return
    report.section("Response surface")
    importances = getattr(model, "importances_", None)
    order = numeric
    measured = importances is not None and importances["importance"].notna().any()
    if measured:
        ranked = [
            c for c in importances.sort_values("importance", ascending=False).index if c in numeric
        ]
        order = ranked + [c for c in numeric if c not in ranked]
    values = y.to_numpy(float)
    good = values if goodness is None else np.asarray(goodness(values), float)
    row = int(np.nanargmax(np.where(np.isnan(good), -np.inf, good)))
    base = X.iloc[row].copy()
    which = f"row {row} of the table, counting from 0" if labels is None else labels[row]
    dropped = getattr(model, "dropped_columns_", None)
    unused = set() if dropped is None else set(dropped["column"])
    held = ", ".join(
        f"{name} = {value:.4g}"
        if isinstance(value, int | float | np.number)
        else f"{name} = {value}"
        for name, value in base.items()
        if name not in unused
    )
    report.paragraph(
        f"Each plot varies the inputs on its axes; the others are held at the settings of "
        f"the experiment with the best {y.name} so far ({which}): {held}.",
        note=True,
    )

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.predict(frame[X.columns])

    def predict_std(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return model.predict(frame[X.columns], return_std=True)

    if len(order) >= 2:
        a, b = order[0], order[1]
        fig = figures.contour_plot(
            predict,
            base,
            a,
            b,
            (X[a].min(), X[a].max()),
            (X[b].min(), X[b].max()),
            target=str(y.name),
            points=X,
            goodness=goodness,
        )
        report.figure(
            fig,
            caption=f"Predicted {y.name} over the "
            + ("two most important inputs" if measured else "first two numeric inputs")
            + f" ({a}, {b}); star: predicted best, dots: experiments",
        )
    ranges = {c: (float(X[c].min()), float(X[c].max())) for c in order[:9]}
    report.figure(
        figures.profile_plots(predict_std, base, ranges, target=str(y.name)),
        caption="One-factor profiles with 95% bands for the mean prediction "
        "(dashed: the setting the others are held at)",
    )


def _importance_section(report: HtmlReport, model: Any) -> None:
    importances = getattr(model, "importances_", None)
    if importances is None or not len(importances):
        return
    report.section("Which inputs matter")
    if importances["importance"].isna().all():
        report.paragraph(
            "Not measured: the model was fitted with importance=False (AutoModel), which "
            "skips the permutation importance; refit without it to see which inputs matter.",
            note=True,
        )
        return
    if not importances["importance"].to_numpy(float).any():
        # the fold models predict the same whatever the inputs (a constant fit)
        report.paragraph(
            "Not measurable yet: the models fitted in cross-validation predict the same "
            "whatever the inputs (every permutation importance is 0), as with too few runs "
            "to tell an effect from the noise. This is not evidence that no input matters.",
            note=True,
        )
        return
    report.figure(
        figures.importance_plot(importances),
        caption="Cross-validated permutation importance (mean and standard deviation over folds)",
    )
    report.table(
        importances.sort_values("importance", ascending=False), caption="Permutation importance"
    )


def _network_section(report: HtmlReport, model: Any) -> None:
    networks = _find_networks(model.best_estimator_)
    if not networks:
        return
    net = networks[0]
    report.section("Neural network training")
    report.figure(
        figures.training_curve(net.loss_curve_, getattr(net, "validation_loss_curve_", None)),
        caption="Training loss per epoch (first network of the ensemble)",
    )
    report.figure(
        figures.gradient_norms_plot(net.gradient_norms_),
        caption="Per-layer weight-gradient norms: layers whose gradient is orders "
        "of magnitude below the others learn slowly (vanishing gradient)",
    )


def add_model_sections(
    report: HtmlReport,
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    goodness: Callable[[np.ndarray], np.ndarray] | None = None,
    labels: Sequence[Any] | None = None,
) -> None:
    """Append the sections describing a fitted :class:`~yieldlab.AutoModel` to ``report``.

    Parameters
    ----------
    report : HtmlReport
    model : AutoModel
        Fitted on ``X`` and ``y``.
    X : DataFrame of shape (n_samples, n_inputs)
    y : Series of shape (n_samples,)
    goodness : callable, optional
        Maps values of ``y`` to "larger is better" (an objective's ``score``); says which
        experiment and which predicted setting are the best. Default: larger ``y``.
    labels : sequence of str, optional
        What to call each row in the text (``'experiment 12'``, ``'line 7 of runs.csv'``);
        default its row number.
    """
    _data_section(report, X, y, model)
    _selection_section(report, model, y)
    _importance_section(report, model)
    _coefficients_section(report, model)
    _response_section(report, model, X, y, goodness, labels)
    _network_section(report, model)


def model_report(
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    title: str | None = None,
    labels: Sequence[Any] | None = None,
) -> HtmlReport:
    """A report of a fitted :class:`~yieldlab.AutoModel`: data, leaderboard, parity and
    residual plots, importances, coefficients, response surface and profiles, and the
    training curves of neural networks.

    Parameters
    ----------
    model : AutoModel
    X : DataFrame
    y : Series
    title : str, optional
    labels : sequence of str, optional
        What to call each row of ``X`` in the text (``'line 7 of runs.csv'``); default
        its row number.

    Returns
    -------
    HtmlReport
        Call ``.write(path)`` to save it.
    """
    report = HtmlReport(title or f"Model of {y.name}")
    add_model_sections(report, model, X, y, labels=labels)
    return report
