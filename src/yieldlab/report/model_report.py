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
    board = _leaderboard(model)
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
    report.paragraph(_params_note(board, model.best_name_), note=True)
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
        repeats = int(cv["repeat"].nunique()) if "repeat" in cv else 1
        runs = _per_run(cv)
        each = (
            f"one point per run: its out-of-fold predictions averaged over the {repeats} "
            "repeats of cross-validation (in each, a model fitted without the run predicted it)"
            if repeats > 1
            else "one point per run, predicted by a model fitted without it"
        )
        calibrated = {"lower", "upper"} <= set(runs.columns)
        interval = (
            "bars: its calibrated 95% interval for a new measurement (as yieldlab predict "
            "gives it; the calibration was fitted on these same residuals, so about 95% of "
            "the runs inside is expected by construction)"
            if calibrated
            else "bars: mean -/+ 1.96 predictive standard deviations"
        )
        report.figure(
            figures.parity_plot(
                runs["y"],
                runs["mean"],
                runs.get("std"),
                target=str(y.name),
                lower=runs.get("lower"),
                upper=runs.get("upper"),
            ),
            caption=f"Cross-validated predictions vs measured values: {each}; {interval}",
            raster=len(runs) > 2000,
        )
        report.figure(
            figures.residual_plot(runs["y"], runs["mean"], target=str(y.name)),
            caption=f"Residuals of the cross-validated predictions: {each}",
            raster=len(runs) > 2000,
        )


def _leaderboard(model: Any) -> pd.DataFrame:
    """The leaderboard whose selected row describes the model used (also for a model saved
    before the leaderboard did so: the blend's weights were then those chosen most often
    within the cross-validation splits)."""
    from ..modelling.automodel import describe_refit

    board = model.leaderboard_.copy()
    board["params"] = [dict(p) if isinstance(p, dict) else p for p in board["params"]]
    for row in board.index[board["name"] == "blend"]:
        params = board.at[row, "params"]
        if isinstance(params, dict) and "fold_weights" not in params:
            board.at[row, "params"] = {"fold_weights": params.get("weights", {})}
    describe_refit(board, model.best_name_, model.best_estimator_)
    return board


def _per_run(cv: pd.DataFrame) -> pd.DataFrame:
    """The out-of-fold predictions of each run averaged over the repeats of
    cross-validation (one row per run, in the order of the table)."""
    columns = [c for c in ("y", "mean", "std", "lower", "upper") if c in cv]
    return cv[columns].groupby(level=0, sort=True).mean()


def _params_note(board: pd.DataFrame, selected: str) -> str:
    """What the leaderboard's ``params`` are."""
    text = "params: the hyper-parameters chosen most often within the cross-validation splits"
    if selected != "blend":
        text += (
            f", but for the selected {selected!r}, those of its refit on all the runs (the "
            "model used in the rest of this report)"
        )
    text += "."
    if "blend" in set(board["name"]):
        text += (
            " For the blend, 'weights' are those of the blend refitted on all the runs"
            + (" (the model used)" if selected == "blend" else "")
            + ", chosen on every out-of-fold prediction; 'fold_weights' are those chosen "
            "most often within the cross-validation splits, the blends its RMSE measures."
        )
    return text


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
    inner = _fitted_least_squares(best)
    dof = getattr(inner, "dof_resid_", np.inf)
    alpha = getattr(inner, "alpha", 0.0)
    if isinstance(alpha, int | float | np.number) and alpha > 0:
        report.paragraph(
            f"The fit is ridge-penalised (alpha = {float(alpha):.3g}): the "
            "estimates are shrunk towards 0, so they are biased, and their standard errors, "
            "p-values and intervals are approximate, not those of ordinary least squares"
            + (
                f"; the residual degrees of freedom are the effective {dof:.3g}"
                if np.isfinite(dof)
                else ""
            )
            + ".",
            note=True,
        )
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
    stats = getattr(inner, "fit_statistics_", None)
    if stats:
        shown = {
            k: v
            for k, v in stats.items()
            if isinstance(v, int | float | np.number) and not isinstance(v, bool)
        }
        report.table(
            pd.DataFrame({"value": pd.Series(shown, dtype=float)}), caption="Fit statistics"
        )


def _fitted_least_squares(estimator: Any) -> Any:
    """The fitted model holding the coefficient table's statistics: ``estimator`` itself or
    the one it wraps (``estimator_``: a ridge response surface, a formula model in
    :class:`~yieldlab.modelling.uncertainty.PredictiveStd`)."""
    inner = estimator
    for _ in range(4):
        if hasattr(inner, "fit_statistics_") or hasattr(inner, "dof_resid_"):
            return inner
        inner = getattr(inner, "estimator_", None)
    return estimator


def _response_section(
    report: HtmlReport,
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    goodness: Callable[[np.ndarray], np.ndarray] | None = None,
    labels: Sequence[Any] | None = None,
    best_text: str | None = None,
    log: Sequence[str] | None = None,
    allowed: pd.DataFrame | None = None,
) -> None:
    numeric = _numeric_inputs(X)
    if not numeric:
        return
    report.section("Response surface")
    importances = getattr(model, "importances_", None)
    order = numeric
    measured = importances is not None and importances["importance"].notna().any()
    top_two: list[str] = []
    if measured:
        ranking = importances.sort_values("importance", ascending=False).index
        ranked = [c for c in ranking if c in numeric]
        order = ranked + [c for c in numeric if c not in ranked]
        top_two = [str(c) for c in ranking[:2]]
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
        f"the experiment with {best_text or f'the best {y.name} so far'} ({which}): {held}.",
        note=True,
    )

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.predict(frame[X.columns])

    interval = callable(getattr(model, "predict_interval", None))

    def predict_band(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
        if not interval:
            return model.predict(frame[X.columns], return_std=True)
        bounds = np.asarray(model.predict_interval(frame[X.columns], level=0.95), float)
        return model.predict(frame[X.columns]), bounds[:, 0], bounds[:, 1]

    if len(order) >= 2:
        a, b = order[0], order[1]
        if not measured:
            inputs = "first two numeric inputs"
        elif sorted(top_two) == sorted([a, b]):
            inputs = "two most important inputs"
        else:
            inputs = "two most important numeric inputs"
        fig, caption = _contour(predict, X, y, base, (a, b), unused, goodness, log, allowed)
        report.figure(
            fig,
            caption=f"Predicted {y.name} over the {inputs} ({a}, {b}), the other inputs held "
            f"at the settings above. {caption}",
        )
    ranges = {c: (float(X[c].min()), float(X[c].max())) for c in order[:9]}
    band = (
        "95% interval for a new measurement (calibrated, as yieldlab predict gives)"
        if interval
        else "band of the prediction -/+ 1.96 predictive standard deviations (a new "
        "measurement, not calibrated)"
    )
    report.figure(
        figures.profile_plots(predict_band, base, ranges, target=str(y.name), log=log),
        caption=f"One-factor profiles with the {band}; the panels share their {y.name} axis "
        "(dashed: the setting the others are held at)",
    )


def _contour(
    predict: Callable[[pd.DataFrame], np.ndarray],
    X: pd.DataFrame,
    y: pd.Series,
    base: pd.Series,
    axes: tuple[str, str],
    unused: set,
    goodness: Callable[[np.ndarray], np.ndarray] | None,
    log: Sequence[str] | None,
    allowed: pd.DataFrame | None,
) -> tuple[Any, str]:
    """The contour of the response over the inputs ``axes`` (the others held at ``base``)
    and what its star and dots are."""
    a, b = axes
    ranges = [(X[name].min(), X[name].max()) for name in axes]
    points, dots = _points_at_held_levels(X, base, _numeric_inputs(X), unused)
    star = (
        "Star: the best predicted point of this two-input slice, with the other inputs at "
        "those settings (not the predicted optimum over all inputs)."
    )
    wells = None if allowed is None else _allowed_at(allowed, X, base, axes, unused)
    inside = np.ones(0, bool)
    if wells is not None:
        inside = np.ones(len(wells), bool)
        for name, (low, high) in zip(axes, ranges, strict=True):
            inside &= ((wells[name] >= low) & (wells[name] <= high)).to_numpy()
    if inside.any():  # a screen: the star is one of its rows, which can be run
        star = (
            f"Star: the best predicted of the {int(inside.sum())} candidate rows in this "
            "slice (at the settings above, within the range drawn), the only settings of it "
            "that can be run (not the predicted optimum over all inputs)."
        )
        if not inside.all():
            star += (
                f" The {int((~inside).sum())} other rows of the slice lie beyond the runs' "
                "range drawn and are not compared."
            )
    fig = figures.contour_plot(
        predict, base, a, b, *ranges, target=str(y.name), points=points,
        goodness=goodness, log=log, allowed=wells,
    )  # fmt: skip
    return fig, f"{star} Dots: {dots}"


def _allowed_at(
    allowed: pd.DataFrame, X: pd.DataFrame, base: pd.Series, axes: tuple[str, str], unused: set
) -> pd.DataFrame:
    """The rows of ``allowed`` (a screen's candidates) at the settings ``base`` holds every
    input at but those of ``axes`` (the inputs left out of the model do not count), typed as
    the model's inputs ``X``."""
    rows = allowed[list(X.columns)].reset_index(drop=True)
    keep = np.ones(len(rows), bool)
    for name in X.columns:
        if name in axes or name in unused:
            continue
        if pd.api.types.is_numeric_dtype(X[name]):  # a value read back may differ at 1e-16
            keep &= np.isclose(rows[name].to_numpy(float), float(base[name]), rtol=1e-9)
        else:
            keep &= (rows[name].astype(object) == base[name]).to_numpy()
    return rows[keep].astype(X.dtypes.to_dict()).reset_index(drop=True)


def _points_at_held_levels(
    X: pd.DataFrame, base: pd.Series, numeric: list[str], unused: set
) -> tuple[pd.DataFrame, str]:
    """The experiments to draw on a contour slice: those at the held levels of the
    categorical inputs, and how to say so."""
    levels = [c for c in X.columns if c not in numeric and c not in unused and X[c].nunique() > 1]
    keep = np.ones(len(X), bool)
    for name in levels:
        keep &= (X[name].astype(object) == base[name]).to_numpy()
    if not levels:
        return X, f"all {len(X)} experiments, whatever their other settings"
    held = ", ".join(f"{name} = {base[name]}" for name in levels)
    text = f"the {int(keep.sum())} experiments run at {held}, whatever their other "
    text += "numeric settings"
    others = len(X) - int(keep.sum())
    if others:
        text += f" (the {others} at other levels are not drawn)"
    return X[keep], text


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
    which = "first network of the ensemble"
    for item in getattr(model.best_estimator_, "members_", None) or []:
        if not (isinstance(item, tuple) and len(item) == 3):  # not a blend's member
            continue
        name, member, weight = item
        if any(found is net for found in _find_networks(member)):
            which += f" {name!r}, which carries a weight of {float(weight):.3g} in the blend"
            break
    report.figure(
        figures.training_curve(net.loss_curve_, getattr(net, "validation_loss_curve_", None)),
        caption=f"Training loss per epoch ({which})",
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
    best_text: str | None = None,
    log: Sequence[str] | None = None,
    allowed: pd.DataFrame | None = None,
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
    best_text : str, optional
        What the best experiment is, after "the experiment with" (``'yield closest to
        40'``); default ``'the best <y> so far'``.
    log : sequence of str, optional
        Inputs varied on a logarithmic scale (drawn on a log axis in every figure that
        puts them on an axis).
    allowed : DataFrame, optional
        The only settings that can be run (a screen's candidate rows, a column per input):
        the contour's star marks the best of them, not a point between them.
    """
    _data_section(report, X, y, model)
    _selection_section(report, model, y)
    _importance_section(report, model)
    _coefficients_section(report, model)
    _response_section(report, model, X, y, goodness, labels, best_text, log, allowed)
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
