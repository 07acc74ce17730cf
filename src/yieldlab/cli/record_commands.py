"""What is in a campaign's record, and changes to it: ``status``, ``cancel``, ``exclude``,
``include`` and ``correct`` (layer 6).

Every change to recorded experiments takes a reason, kept in the campaign's history and
shown in its report and by ``status``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..exceptions import StoreError
from .app import AsJson, UserError, app, console, frame_table, print_json, shell_command
from .campaign_commands import CampaignPath, name_values, open_campaign
from .sheets import id_ranges


@app.command()
def cancel(
    campaign_path: CampaignPath,
    experiments: Annotated[
        list[int] | None,
        typer.Argument(help="Experiment ids to cancel."),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Cancel every pending experiment.")] = False,
) -> None:
    """Drop planned experiments that will not be run (their ids stay known: 'status'
    counts them, and a result recorded under one later is refused with the fix).

    Example: yieldlab cancel reactor.db 9 10
    """
    if every and experiments:
        raise UserError("give experiment ids or --all, not both")
    campaign = open_campaign(campaign_path)
    try:
        if not (every or experiments):
            pending = campaign.data.query("status == 'pending'")["experiment"].tolist()
            raise UserError(
                f"name the experiments to cancel (pending: "
                f"{', '.join(map(str, pending)) or 'none'}), or give --all to cancel every "
                "pending one"
            )
        dropped = campaign.cancel(experiments or None)
    finally:
        campaign.close()
    console.print(
        f"{dropped} pending experiment(s) cancelled in {campaign_path}.", highlight=False
    )


Reason = Annotated[
    str,
    typer.Option("--reason", help="Why (kept in the campaign's history and shown in its report)."),
]
RecordedIds = Annotated[list[int], typer.Argument(help="Experiment ids.")]


@app.command()
def exclude(campaign_path: CampaignPath, experiments: RecordedIds, reason: Reason) -> None:
    """Leave recorded experiments out of the models and the best result (they stay in
    the file, marked excluded; 'include' takes them back).

    Example: yieldlab exclude reactor.db 12 --reason "thermocouple failed"
    """
    _revise(campaign_path, "exclude", experiments, reason)


@app.command()
def include(
    campaign_path: CampaignPath,
    experiments: RecordedIds,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (kept in the campaign's history).")
    ] = "included again",
) -> None:
    """Take excluded experiments back into the models.

    Example: yieldlab include reactor.db 12
    """
    _revise(campaign_path, "include", experiments, reason)


@app.command()
def correct(
    campaign_path: CampaignPath,
    experiment: Annotated[int, typer.Argument(help="The experiment id.")],
    values: Annotated[
        list[str],
        typer.Argument(
            help="New values as NAME=VALUE (a parameter or an objective); an empty VALUE "
            "makes the run a failed one."
        ),
    ],
    reason: Reason,
) -> None:
    """Replace wrongly recorded values of an experiment; the old ones stay in its history.

    Example: yieldlab correct reactor.db 12 yield=95 --reason "typed 950"
    """
    campaign = open_campaign(campaign_path)
    try:
        check_revisable(campaign, [experiment], "correct", campaign_path)
        parsed = name_values(campaign, values)
        changed = campaign.correct(experiment, parsed, reason)
    finally:
        campaign.close()
    console.print(f"Experiment {experiment} corrected in {campaign_path}.", highlight=False)
    console.print(frame_table(changed.drop(columns=["acquisition"], errors="ignore")))


def _revise(campaign_path: Path, action: str, experiments: list[int], reason: str) -> None:
    campaign = open_campaign(campaign_path)
    try:
        check_revisable(campaign, experiments, action, campaign_path)
        changed = getattr(campaign, action)(experiments, reason)
    finally:
        campaign.close()
    done = "excluded from" if action == "exclude" else "included again in"
    console.print(
        f"{len(changed)} experiment(s) {done} the models of {campaign_path}: "
        + ", ".join(str(int(i)) for i in changed["experiment"]),
        highlight=False,
    )


def check_revisable(campaign, experiments: list[int], action: str, campaign_path: Path) -> None:
    """Refuse to ``action`` (correct, exclude or include) an experiment cancelled, pending or
    unknown, in the words of the command line: what became of it and what to do instead.

    Raises
    ------
    UserError
        Naming the first such experiment.
    """
    data = campaign.data
    status = dict(zip(data["experiment"].astype(int), data["status"], strict=True))
    cancelled = {int(i) for i in campaign.cancelled()["experiment"]}
    record = shell_command("yieldlab", "record", campaign_path, "SHEET")
    for experiment in experiments:
        if experiment in cancelled:
            raise UserError(
                f"experiment {experiment} was cancelled, so it has no result to {action}; to "
                "record a result for it all the same, record a row with its settings and "
                f"result and an empty 'experiment' cell ({record}): it becomes a new "
                "experiment. Nothing was changed"
            )
        if status.get(experiment) == "pending":
            cancel = shell_command("yieldlab", "cancel", campaign_path, experiment)
            raise UserError(
                f"experiment {experiment} is pending: it has no result to {action} yet; record "
                f"its result with {record} (the sheet design or suggest wrote), or, if it will "
                f"not be run, cancel it ({cancel}). Nothing was changed"
            )
        if experiment not in status:
            held = f"its experiments are {id_ranges(status)}" if status else "it has none yet"
            raise UserError(
                f"there is no experiment {experiment} in {campaign_path} ({held}; "
                f"{shell_command('yieldlab', 'status', campaign_path)} lists them). Nothing "
                "was changed"
            )


@app.command()
def status(campaign_path: CampaignPath, as_json: AsJson = False) -> None:
    """Show what has been run, what is pending, and the best result so far.

    Example: yieldlab status reactor.db --json
    """
    try:
        campaign = open_campaign(campaign_path)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        data = campaign.data
        counts = data["status"].value_counts().to_dict() if len(data) else {}
        best = campaign.best() if counts.get("done") else pd.DataFrame()
        pending = data[data["status"] == "pending"]
        history = campaign.history()
        cancelled = campaign.cancelled()
    finally:
        campaign.close()
    if len(cancelled):
        counts["cancelled"] = len(cancelled)
    if as_json:
        print_json(
            {
                "campaign": str(campaign_path),
                "counts": counts,
                "objectives": [o.to_dict() for o in campaign.objectives],
                "best": best,
                "pending": pending,
                "history": history,
                "cancelled": cancelled,
            }
        )
        return
    summary = ", ".join(f"{v} {k}" for k, v in counts.items()) or "no experiments yet"
    console.print(f"{campaign_path}: {summary}", highlight=False)
    if len(best):
        console.print(frame_table(best, title="Best so far"))
    if len(pending):
        console.print(frame_table(pending, title="Pending experiments"))
    if len(history):
        from ..report.campaign_report import history_table

        console.print(frame_table(history_table(history), title="Changes to recorded experiments"))
