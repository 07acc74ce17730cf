"""The report of an experiment campaign: what was run, what was found, what the model says
(layer 5)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import YieldlabError
from ..experiments.pareto import objective_matrix, pareto_mask
from ..experiments.recommendation import RANKING_COLUMNS, predicted_gain
from . import figures
from .html import HtmlReport
from .model_report import add_model_sections

__all__ = ["MIN_MODEL_RESULTS", "campaign_model", "campaign_report", "history_table"]

# results needed before the report fits a model (automatic modelling cross-validates in
# 5 folds)
MIN_MODEL_RESULTS = 5


def campaign_model(campaign: Any, random_state: Any = None) -> Any:
    """The report's model of the first objective on the campaign's results, or None.

    The campaign's parameters are declared, so their columns go in as declared: a
    categorical parameter as levels (dtype ``category``), never refused for looking like
    numbers with units nor left out for having a new level in every row, as the columns of
    a table of unknown origin may be.

    Parameters
    ----------
    campaign : Campaign
    random_state : None, int or numpy.random.Generator
        Seed of the automatic modelling.

    Returns
    -------
    AutoModel or None
        None with fewer than :data:`MIN_MODEL_RESULTS` results or all of one value (nothing
        for a model to learn), and, with a warning, when no model can be fitted.
    """
    from ..modelling.automodel import AutoModel

    data = campaign.data
    done = data[data["status"] == "done"]
    name = campaign.objectives[0].name
    if len(done) < MIN_MODEL_RESULTS or done[name].nunique() < 2:
        return None
    try:
        return AutoModel(random_state=random_state).fit(_inputs(campaign, done), done[name])
    except (ValueError, YieldlabError) as exc:
        warnings.warn(
            f"the report has no model of {name!r}: {str(exc).splitlines()[0]}",
            UserWarning,
            stacklevel=2,
        )
        return None


def _inputs(campaign: Any, done: pd.DataFrame) -> pd.DataFrame:
    """The settings of ``done`` as the campaign's model sees them: a categorical parameter
    as levels (dtype ``category``, even with levels 1, 2, 3 or True, False), the others as
    numbers; the report's profiles then vary only the numeric ones."""
    from ..experiments.levels import Categorical

    X = done[campaign.space.names].reset_index(drop=True)
    for parameter in campaign.space:
        if isinstance(parameter, Categorical):
            X[parameter.name] = pd.Categorical(X[parameter.name], categories=parameter.values)
    return X


def _done(campaign: Any) -> pd.DataFrame:
    """The experiments the models use: done or failed (not pending, not excluded)."""
    data = campaign.data
    return data[data["status"].isin(("done", "failed"))].reset_index(drop=True)


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "empty"
    if isinstance(value, float):  # every digit recorded, without a trailing '.0'
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The audit trail of a campaign (:meth:`~yieldlab.Campaign.history`) for people:
    ``experiment``, ``action``, ``change`` (``yield: 950 -> 95``), ``reason`` and ``when``
    (UTC, to the minute).

    Parameters
    ----------
    history : DataFrame
        As :meth:`~yieldlab.Campaign.history` returns it.

    Returns
    -------
    DataFrame
    """
    changes = []
    for action, before, after in zip(
        history["action"], history["before"], history["after"], strict=True
    ):
        if action == "correct":
            changes.append(
                "; ".join(f"{k}: {_shown(before.get(k))} -> {_shown(after[k])}" for k in after)
            )
        else:
            changes.append("left out of the models" if action == "exclude" else "used again")
    when = pd.to_datetime(history["created"], utc=True, format="ISO8601")
    return pd.DataFrame(
        {
            "experiment": history["experiment"].to_numpy(),
            "action": history["action"].to_numpy(),
            "change": changes,
            "reason": history["reason"].to_numpy(),
            "when": when.dt.strftime("%Y-%m-%d %H:%M UTC").to_numpy(),
        }
    )


def _history(report: HtmlReport, campaign: Any) -> None:
    history = campaign.history()
    if not len(history):
        return
    report.section("Changes to recorded experiments")
    excluded = campaign.data.query("status == 'excluded'")
    if len(excluded):
        report.paragraph(
            f"{len(excluded)} experiment(s) left out of the models and of the best result: "
            + ", ".join(str(int(e)) for e in excluded["experiment"])
            + ". They are still in the campaign file."
        )
    report.table(
        history_table(history),
        caption="Every exclusion and correction made after results were recorded, oldest first",
        index=False,
    )


def _overview(
    report: HtmlReport, campaign: Any, done: pd.DataFrame, optimum: dict[str, float] | None
) -> None:
    report.section("Overview")
    first = campaign.objectives[0]
    failed = int((done["status"] == "failed").sum())
    key = {"experiments run": str(len(done)), "rounds": str(int(done["batch"].nunique()))}
    if failed:
        key["failed runs"] = str(failed)
    excluded = int((campaign.data["status"] == "excluded").sum())
    if excluded:
        key["excluded"] = str(excluded)
    best = campaign.best() if (done["status"] == "done").any() else None
    if best is not None and len(best) and len(campaign.objectives) == 1:
        label = (
            f"{first.name} closest to {first.value:g}"
            if first.sense == "target"
            else f"best {first.name}"
        )
        key[label] = f"{float(best[first.name].iloc[0]):.4g}"
        if optimum and first.name in optimum:
            key["true optimum"] = f"{optimum[first.name]:.4g}"
    elif best is not None and len(best):
        # several objectives: the best experiment is the one of largest desirability, not
        # the best of any one objective (each has its own curve under Progress)
        key["best desirability"] = f"{float(best['desirability'].iloc[0]):.3g}"
    report.key_figures(key)
    goals = ", ".join(
        f"{o.sense} {o.name}" if o.sense != "target" else f"{o.name} close to {o.value}"
        for o in campaign.objectives
    )
    report.paragraph(f"Objectives: {goals}. Parameters: " + ", ".join(campaign.space.names) + ".")
    if best is not None and len(best):
        columns = ["experiment", *campaign.space.names, *[o.name for o in campaign.objectives]]
        if "candidate" in best:  # a screen: the label of the candidate (a plate's well)
            columns.insert(1, "candidate")
        several = len(campaign.objectives) > 1
        shown = _with_units(
            best[[*columns, "desirability"] if several else columns], campaign.space
        )
        caption = "Best experiment so far" + (" (largest desirability)" if several else "")
        report.table(shown, caption=caption, index=False)


def _progress(
    report: HtmlReport, campaign: Any, done: pd.DataFrame, optimum: dict[str, float] | None
) -> None:
    report.section("Progress")
    for objective in campaign.objectives:
        values = done[objective.name].to_numpy(float)
        maximize = objective.sense != "min"
        if objective.sense == "target":
            values = -np.abs(values - objective.value)
        starts = done.index[done["batch"].diff().fillna(0) != 0].to_numpy()
        fig = figures.best_so_far_plot(
            values,
            maximize=maximize,
            optimum=(optimum or {}).get(objective.name) if objective.sense != "target" else None,
            label=objective.name
            if objective.sense != "target"
            else f"-|{objective.name} - {objective.value}|",
            batches=starts,
        )
        report.figure(
            fig,
            caption=f"Best {objective.name} found against experiments run "
            "(vertical lines: rounds)",
        )


def _experiments(report: HtmlReport, campaign: Any, done: pd.DataFrame) -> None:
    report.section("Experiments")
    numeric = [p for p in campaign.space.numeric_names]
    first = campaign.objectives[0].name
    if numeric:
        failed = int(done[first].isna().sum())
        report.figure(
            figures.experiments_plot(done, numeric, color=first, log=_logged(campaign.space)),
            caption=f"Experiments in the space of the numeric settings, coloured by {first}"
            + (
                f"; grey crosses: the {failed} failed run(s), which have no result"
                if failed
                else ""
            ),
        )
    columns = [
        "experiment",
        "candidate",
        *campaign.space.names,
        *[o.name for o in campaign.objectives],
        "status",
        "batch",
        "source",
    ]
    shown = done[[c for c in columns if c in done]]
    history = campaign.history()
    corrected = set(history.loc[history["action"] == "correct", "experiment"].astype(int))
    if corrected:  # values changed after they were recorded: the history has the old ones
        shown = shown.assign(
            corrected=["yes" if int(e) in corrected else "" for e in shown["experiment"]]
        )
    shown = _with_units(shown, campaign.space)
    excluded = campaign.data.query("status == 'excluded'")
    caption = "All experiments run"
    if len(excluded):
        caption += (
            f" except the {len(excluded)} excluded from the models and the best result "
            "(experiment "
            + ", ".join(str(int(e)) for e in excluded["experiment"])
            + "; see Changes to recorded experiments)"
        )
    if corrected:
        caption += "; corrected: values changed after recording (see the changes below)"
    report.table(shown, caption=caption, index=False)


def _logged(space: Any) -> list[str]:
    """The parameters declared with ``log=True``: every figure draws them on a log axis."""
    return [p.name for p in space if bool(getattr(p, "log", False))]


def _with_units(frame: pd.DataFrame, space: Any) -> pd.DataFrame:
    """``frame`` with each parameter's unit in its column header (``temperature [C]``)."""
    units = {p.name: getattr(p, "unit", None) for p in space}
    return frame.rename(columns={k: f"{k} [{u}]" for k, u in units.items() if u})


def _pending(report: HtmlReport, campaign: Any) -> None:
    data = campaign.data
    pending = data[data["status"] == "pending"]
    if not len(pending):
        return
    report.section("Planned, not yet run")
    columns = ["experiment", *campaign.space.names, "batch", "source"]
    if "candidate" in pending:
        columns.insert(1, "candidate")
    report.table(
        _with_units(pending[columns], campaign.space),
        caption=f"{len(pending)} experiments planned and waiting for results",
        index=False,
    )


def _model_best(report: HtmlReport, campaign: Any, finished: pd.DataFrame) -> None:
    """The best settings by the models' predicted means (:meth:`Campaign.best_predicted`)."""
    if len(finished) < max(2, campaign.options["n_initial"]):
        return
    names = [*campaign.space.names, *(o.name for o in campaign.objectives)]
    if set(names) & set(RANKING_COLUMNS):  # a file from before the names were reserved
        return
    ranked = campaign.best_predicted(3)
    optimum = campaign.best_predicted(among="space")
    report.section("Best settings according to the model")
    names = ", ".join(o.name for o in campaign.objectives)
    report.paragraph(
        "Measured results scatter, and the best measurement is often a lucky one. The model "
        f"predicts the mean {names} of the process at each setting from every result near "
        "it, so its ranking averages the noise out; the columns ending in '_mean' and "
        "'_std' are the predicted mean and its standard deviation, the measurement noise not "
        "included."
    )
    report.table(
        _with_units(ranked, campaign.space),
        caption="The best settings run, by predicted mean (measured: the average of the runs)",
        index=False,
    )
    if campaign.candidates is not None:
        optimum = optimum.rename_axis("candidate").reset_index()
    caption = "The predicted optimum: already run"
    if not optimum["run"].iloc[0]:
        gain = predicted_gain(campaign.objectives, optimum, ranked)
        caption = (
            f"The predicted optimum: not run, predicted {gain[0]:.3g} better than the best "
            f"settings run, within its standard deviation ({gain[1]:.3g})"
            if gain is not None and gain[0] < gain[1]
            else "The predicted optimum: not run yet, a prediction to confirm by running it"
        )
    report.table(
        _with_units(optimum.drop(columns="run"), campaign.space), caption=caption, index=False
    )
    beyond = _beyond_measured(campaign.objectives, optimum, finished)
    if beyond:
        report.paragraph(
            "Beyond every result measured: " + "; ".join(beyond) + ". The model extrapolates "
            "there; run the setting before relying on it (an objective that cannot go below "
            "0, such as a cost, is not known to the model as such).",
            note=True,
        )


def _beyond_measured(objectives: list, optimum: pd.DataFrame, finished: pd.DataFrame) -> list:
    """For each objective whose predicted mean at the optimum lies beyond the range of its
    measured results by more than a quarter of that range, a phrase saying so (a cost
    predicted at -4.0 when the costs measured run from 1.4 to 4.8). A little beyond the
    best result is what an optimum is predicted to be; this far, it is an extrapolation."""
    out = []
    for o in objectives:
        column = f"{o.name}_mean"
        measured = pd.to_numeric(finished.get(o.name), errors="coerce").dropna()
        if column not in optimum or measured.empty:
            continue
        value, low, high = float(optimum[column].iloc[0]), measured.min(), measured.max()
        margin = 0.25 * (high - low)
        if value < low - margin or value > high + margin:
            side = (
                f"below the lowest, {low:.4g}" if value < low else f"above the highest, {high:.4g}"
            )
            out.append(f"{o.name} is predicted at {value:.4g}, {side}")
    return out


def _pareto(report: HtmlReport, campaign: Any, done: pd.DataFrame) -> None:
    objectives = campaign.objectives
    if len(objectives) < 2:
        return
    finished = done[done["status"] == "done"]
    if len(finished) < 2:
        return
    report.section("Pareto front")
    first, second = objectives[0], objectives[1]
    Y = objective_matrix([first, second], finished)  # larger is better in every column
    front = pareto_mask(Y)
    fig = figures.pareto_plot(
        finished[[first.name, second.name]].to_numpy(float), front, [first.name, second.name]
    )
    report.figure(
        fig,
        caption=f"{first.name} against {second.name}: the experiments no other "
        "experiment beats on both",
    )
    report.table(
        _with_units(campaign.pareto(), campaign.space),
        caption="Non-dominated experiments",
        index=False,
    )


def campaign_report(
    campaign: Any,
    model: Any | None = None,
    optimum: dict[str, float] | None = None,
    title: str | None = None,
) -> HtmlReport:
    """A report of a :class:`~yieldlab.Campaign`: overview, best-so-far curves, the
    experiments in the space, the Pareto front (several objectives), the best settings
    according to the campaign's models (once they have taken over), and the sections of a
    model report for the first objective when ``model`` is given.

    Parameters
    ----------
    campaign : Campaign
    model : AutoModel, optional
        Fitted on the campaign's finished experiments (settings -> first objective).
    optimum : dict, optional
        Known best value per objective (e.g. a simulator's), drawn as a reference line.
    title : str, optional

    Returns
    -------
    HtmlReport
    """
    done = _done(campaign)
    report = HtmlReport(title or "Experiment campaign")
    _overview(report, campaign, done, optimum)
    if len(done):
        _progress(report, campaign, done, optimum)
        _experiments(report, campaign, done)
        _pareto(report, campaign, done)
    finished = done[done["status"] == "done"]
    _model_best(report, campaign, finished)
    _pending(report, campaign)
    _history(report, campaign)
    first = campaign.objectives[0]
    if model is not None:
        others = [o.name for o in campaign.objectives[1:]]
        report.section(f"A model of {first.name}")
        report.paragraph(
            f"The sections below describe a model of {first.name} chosen by automatic model "
            f"selection on the {len(finished)} results, to show how well {first.name} can be "
            "predicted, which settings matter and how it responds to them. The suggestions "
            "and the best settings according to the model above come from the campaign's "
            "own models (one per objective, built to find the optimum), which can differ "
            "from it."
            + (
                f" {', '.join(others)} {'is' if len(others) == 1 else 'are'} not described "
                "here: the campaign models every objective, this report shows the first."
                if others
                else ""
            ),
            note=True,
        )
        add_model_sections(
            report,
            model,
            _inputs(campaign, finished),
            finished[first.name].reset_index(drop=True).rename(first.name),
            goodness=first.score,
            labels=[f"experiment {i}" for i in finished["experiment"]],
            best_text=(
                f"{first.name} closest to {first.value:g}" if first.sense == "target" else None
            ),
            log=_logged(campaign.space),
            allowed=campaign.candidates,
        )
    elif len(finished) < MIN_MODEL_RESULTS:
        report.section("Model")
        report.paragraph(
            f"The model of {first.name} is fitted from {MIN_MODEL_RESULTS} results on; "
            f"this campaign has {len(finished)}.",
            note=True,
        )
    elif finished[first.name].nunique() < 2:
        report.section("Model")
        report.paragraph(
            f"No model of {first.name}: every one of the {len(finished)} results is "
            f"{finished[first.name].iloc[0]:g}, so there is nothing for a model to learn "
            "yet (no setting has shown an effect). Try settings farther apart, or check "
            "that the measurement responds.",
            note=True,
        )
    return report
