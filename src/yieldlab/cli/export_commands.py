"""``export``: a campaign's experiments written to a table (layer 6), every one with its
status, or the sheet of the pending ones again (the one design or suggest wrote, for a
sheet lost or never written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .app import UserError, app, check_writable, console, shell
from .campaign_commands import CampaignPath, open_campaign
from .sheets import check_sheet_name, check_unrecorded, write_sheet


@app.command()
def export(
    campaign_path: CampaignPath,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The table to write, .csv or .xlsx (Excel).")
    ],
    pending: Annotated[
        bool,
        typer.Option(
            "--pending",
            help="Only the pending experiments, as the sheet design and suggest write (to "
            "fill in and record).",
        ),
    ] = False,
) -> None:
    """Write every experiment of a campaign, with its status, to a table; or, with
    --pending, the sheet of the pending experiments again.

    Example: yieldlab export reactor.db --out runs.xlsx
    """
    check_writable(out, inputs=[campaign_path])
    check_sheet_name(out)
    campaign = open_campaign(campaign_path)
    try:
        check_unrecorded(out, campaign, campaign_path)
        data = campaign.data
        table = pending_sheet(campaign, data) if pending else data
        if pending and not len(table):
            raise UserError(
                f"no experiment is pending in {campaign_path}; plan some with yieldlab suggest "
                f"{shell(campaign_path)} -n 4"
            )
        path = write_sheet(table, out)
    finally:
        campaign.close()
    if pending:
        console.print(
            f"{len(table)} pending experiment(s) written to {path}: fill in the results, then "
            f"yieldlab record {shell(campaign_path)} {shell(path)}",
            highlight=False,
        )
    else:
        counts = ", ".join(f"{v} {k}" for k, v in data["status"].value_counts().items())
        console.print(
            f"{len(data)} experiment(s) written to {path}" + (f" ({counts})" if counts else ""),
            highlight=False,
        )


def pending_sheet(campaign, data: pd.DataFrame) -> pd.DataFrame:
    """The sheet of the pending experiments, as design and suggest write it: the id, the
    candidate row's label (a screen), the settings and an empty column per objective (no
    predictions: no model is fitted here).

    Parameters
    ----------
    campaign : Campaign
    data : DataFrame
        Its experiments (``campaign.data``).

    Returns
    -------
    DataFrame
    """
    columns = ["experiment"]
    if campaign.candidates is not None and "candidate" in data:
        columns.append("candidate")
    rows = data[data["status"] == "pending"]
    sheet = rows[[*columns, *campaign.space.names]].reset_index(drop=True)
    for name in campaign.names:
        sheet[name] = pd.NA
    return sheet
