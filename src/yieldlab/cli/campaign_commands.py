"""The experiment loop on a campaign file: ``init``, ``design``, ``suggest``, ``record`` and
``best`` (layer 6); what is in the record and changes to it are in :mod:`.record_commands`.

Each step that plans experiments writes a sheet the lab fills in (CSV, or Excel for an
``--out`` ending in ``.xlsx``): the experiment id, the settings, and an empty column per
objective; ``record`` reads it back. A sheet never replaces a file holding results not
recorded in the campaign.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
import typer

from ..exceptions import StoreError, YieldlabError
from .app import (
    AsJson,
    Seed,
    UserError,
    app,
    check_writable,
    console,
    frame_table,
    print_json,
    shell,
    shell_command,
)
from .sheets import (
    check_sheet,
    check_sheet_name,
    check_unrecorded,
    default_name,
    lab_sheet,
    warn_unused_columns,
    write_sheet,
)

if TYPE_CHECKING:
    from ..experiments.campaign import Campaign

CallSeed = Annotated[
    int | None,
    typer.Option(
        "--seed", help="Random seed for this call (default: the one fixed at init).", min=0
    ),
]
CampaignPath = Annotated[Path, typer.Argument(help="The campaign file (SQLite).")]
Count = Annotated[int, typer.Option("-n", "--n", help="Number of experiments.", min=1)]
OutCsv = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Sheet for the lab, .csv or .xlsx (default: a new CSV next to the campaign file).",
    ),
]


def _repeated(flag: str, help: str) -> object:
    """A command-line option that may be given several times (a list of texts)."""
    return Annotated[list[str] | None, typer.Option(flag, help=help)]


HeldFix = _repeated(
    "--fix",
    "Hold a parameter at one value for this batch, as NAME=VALUE (repeat for several), e.g. "
    "--fix temperature=80.",
)
OnlyFix = _repeated(
    "--fix",
    "Only settings with this value, as NAME=VALUE (repeat for several), e.g. --fix catalyst=Pd.",
)
Share = _repeated(
    "--share",
    "A parameter the whole batch runs at one value, chosen for the batch (a plate at one "
    "temperature); repeat for several, e.g. --share temperature.",
)
METHODS = ["random", "lhs", "sobol", "factorial", "fractional", "ccd", "box-behnken", "d-optimal"]
# designs with a size of their own (the others plan 8 runs unless -n says otherwise)
STRUCTURED = {"factorial", "fractional", "ccd", "box-behnken"}


def open_campaign(path: Path):
    from ..experiments.campaign import Campaign

    if not path.exists():
        raise UserError(
            f"{path}: file not found; create it with: yieldlab init {shell(path)} "
            "--space space.yaml"
        )
    return Campaign.open(path)


@app.command()
def init(
    campaign_path: CampaignPath,
    space: Annotated[
        Path, typer.Option("--space", help="YAML file: parameters, objectives, constraints.")
    ],
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates", help="Table of allowed settings (e.g. the wells of a plate)."
        ),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels",
            help="Column of the candidates table naming each row (e.g. the well); it goes "
            "into every sheet.",
        ),
    ] = None,
    seed: Seed = 0,
) -> None:
    """Create a campaign file from a space file.

    Example: yieldlab init reactor.db --space space.yaml
    """
    from ..experiments.campaign import Campaign
    from ..experiments.spacefile import read_space_file
    from ..modelling.tables import read_table

    if campaign_path.exists():
        raise UserError(f"{campaign_path} already exists; choose another name or delete it")
    if not space.exists():
        raise UserError(f"{space}: file not found; write the space file first")
    parameters, objectives = read_space_file(space)
    if not objectives:
        raise UserError(
            f"{space} has no 'objectives' section; add e.g. 'objectives: {{yield: maximize}}'"
        )
    table = (
        read_table(candidates, text_columns=_categorical(parameters))
        if candidates is not None
        else None
    )
    if labels is not None:
        if table is None:
            raise UserError("--labels names a column of the candidates table; give --candidates")
        if labels not in table.columns:
            raise UserError(
                f"{candidates}: no column {labels!r} for --labels; the columns are "
                f"{list(table.columns)}"
            )
        names = table[labels]
        if labels in parameters.names:
            raise UserError(
                f"--labels {labels}: {labels!r} is a parameter; name the rows by another "
                "column (e.g. the well)"
            )
        if names.isna().any():
            line = int(np.flatnonzero(names.isna().to_numpy())[0]) + 2
            raise UserError(f"{candidates}, line {line}: the --labels column {labels!r} is empty")
        if names.duplicated().any():
            twice = names[names.duplicated()].iloc[0]
            raise UserError(
                f"{candidates}: the --labels column {labels!r} has {twice!s} twice; each row "
                "needs its own label"
            )
        table = table.set_index(labels)
    if table is not None:
        warn_unused_columns(table, parameters, objectives, candidates, labels, campaign_path)
    try:
        campaign = Campaign(
            parameters, objectives, candidates=table, path=campaign_path, random_state=seed
        )
    except (YieldlabError, ValueError) as exc:
        if table is None or not str(exc).startswith("candidates"):
            raise
        raise UserError(_in_file(str(exc), candidates, table="candidates")) from None
    campaign.close()
    console.print(
        f"Campaign {campaign_path} created: {len(parameters.names)} parameters, "
        f"{len(objectives)} objective(s). Next: yieldlab design {shell(campaign_path)} "
        "-n 8",
        highlight=False,
    )


@app.command()
def design(
    campaign_path: CampaignPath,
    n: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--n",
            help="Number of experiments (default: the natural size of factorial, fractional, "
            "ccd and box-behnken designs; the model's terms plus 4 for d-optimal; 8 for the "
            "others).",
            min=1,
        ),
    ] = None,
    method: Annotated[str, typer.Option("--method", help=f"One of {', '.join(METHODS)}.")] = "lhs",
    out: OutCsv = None,
    seed: CallSeed = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="For --method d-optimal: the model the design is built for, linear, "
            "interaction or quadratic (default).",
        ),
    ] = None,
) -> None:
    """Plan the first experiments (an initial design) and write them to a sheet (.csv, .xlsx).

    Example: yieldlab design reactor.db -n 12 --method lhs
    """
    from ..experiments.d_optimal import MODELS

    if method not in METHODS:
        raise typer.BadParameter(f"--method {method!r} is not one of {METHODS}")
    if model is not None and method != "d-optimal":
        raise UserError(f"--model applies to --method d-optimal, not {method}; leave it out")
    if model is not None and model not in MODELS:
        raise UserError(f"--model {model!r} is not one of {', '.join(MODELS)}")
    if n is None and method not in (*STRUCTURED, "d-optimal"):
        n = 8
    options = {} if model is None else {"model": model}

    def plan(campaign: Campaign) -> pd.DataFrame:
        try:
            return campaign.design(n, method=method, **options)
        except ValueError as exc:  # the Python API's wording, in the command's terms
            text = re.sub(r"\bn=", "-n ", str(exc).replace("Use n=None", "Leave out -n"))
            text = re.sub(r"model='(\w+)'", r"--model \1", text)
            raise UserError(text.replace("method='d-optimal'", "--method d-optimal")) from None

    _plan(campaign_path, "design", out, f"experiments ({method})", plan, seed)


@app.command()
def suggest(
    campaign_path: CampaignPath,
    n: Count = 1,
    out: OutCsv = None,
    seed: CallSeed = None,
    fix: HeldFix = None,
    share: Share = None,
) -> None:
    """Suggest the next experiments, with predicted mean and standard deviation.

    Example: yieldlab suggest reactor.db -n 4 --fix catalyst=Pd --share temperature
    """

    def choose(campaign: Campaign) -> pd.DataFrame:
        fixed = name_values(campaign, fix, "--fix") if fix else None
        with console.status("fitting the model and choosing the next experiments ..."):
            try:
                return campaign.suggest(n, fixed=fixed, shared=share)
            except (ValueError, YieldlabError) as exc:
                text = _option_terms(str(exc))
                if text == str(exc):
                    raise
                raise UserError(text) from None

    _plan(campaign_path, "suggest", out, "suggested experiments", choose, seed)


def _plan(campaign_path: Path, kind: str, out: Path | None, what: str, make, seed) -> None:
    """Plan experiments with ``make(campaign)`` (with ``seed`` for this call instead of
    the campaign's, when given), write the sheet the lab fills in, and say what to do
    next. When the sheet cannot be written, the planned experiments are cancelled.

    An ``out`` given is written as its ending says (.csv or .xlsx), and not over a file
    holding results the campaign has not recorded; without it, the sheet is a CSV under a
    name no file has yet."""
    if out is not None:  # before anything is planned
        check_writable(out, inputs=[campaign_path])
        check_sheet_name(out)
    campaign = open_campaign(campaign_path)
    try:
        if out is not None:
            check_unrecorded(out, campaign, campaign_path)
        if seed is not None:
            campaign.options["seed"] = seed
        planned = make(campaign)
        try:
            path = write_sheet(
                lab_sheet(campaign, planned), out or default_name(campaign_path, kind, campaign)
            )
        except BaseException:
            campaign.cancel(planned["experiment"])
            raise
    finally:
        campaign.close()
    explored = planned.attrs.get("explored", [])
    predicted = [c for c in planned.columns if c.endswith("_mean")]
    if kind == "suggest" and predicted and planned[predicted].isna().all().all():
        planned = planned.dropna(axis=1, how="all")
        what += (
            f" (space-filling: the model is fitted once {campaign.options['n_initial']} "
            "experiments have results)"
        )
    console.print(frame_table(planned, title=f"{len(planned)} {what}"))
    for experiment in explored:
        console.print(
            f"Experiment {experiment} explores: the best setting under one draw from the "
            "model's uncertainty (a Thompson draw), not the highest expected improvement, so "
            "an option written off on a few unlucky runs still gets a chance.",
            highlight=False,
        )
    console.print(
        f"Written to {path}: fill in the results, then yieldlab record "
        f"{shell(campaign_path)} {shell(path)}",
        highlight=False,
    )


def _in_file(
    message: str, path: Path, lines: list[int] | None = None, table: str = "results"
) -> str:
    """``message`` about the ``table`` (results or candidates) read from ``path``: the file
    named instead, and for a row the line of the file (``lines``: the line of each row; by
    default the header is line 1 and rows follow)."""

    def line_of(row: int) -> int:
        return lines[row] if lines is not None and row < len(lines) else row + 2

    found = re.match(rf"{table}, row (\d+)\b", message)
    if found:
        rest = re.sub(
            r"\(also row (\d+)\)",
            lambda other: f"(also line {line_of(int(other.group(1)))})",
            message[found.end() :],
        )
        return f"{path}, line {line_of(int(found.group(1)))}{rest}"
    for separator in (": ", ", ", " "):
        if message.startswith(table + separator):
            return f"{path}{separator}{message.removeprefix(table + separator)}"
    return f"{path}: {message}"


@app.command()
def record(
    campaign_path: CampaignPath,
    results: Annotated[Path, typer.Argument(help="CSV (or .xlsx) with settings and results.")],
) -> None:
    """Record measured results (all rows or none; an empty result is a failed run).

    Example: yieldlab record reactor.db reactor-suggest-1.csv
    """
    from ..experiments.objectives import RangeWarning
    from ..experiments.results import NearMatchWarning, RepeatWarning
    from ..modelling.tables import read_table

    campaign = open_campaign(campaign_path)
    try:
        table = read_table(
            results, text_columns=_categorical(campaign.space), columns=campaign.space.names
        )
        check_sheet(table, campaign, results, campaign_path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                recorded = campaign.add(table)
            except (YieldlabError, ValueError, TypeError) as exc:
                if isinstance(exc, StoreError):
                    raise
                raise UserError(_in_file(str(exc), results, table.attrs.get("lines"))) from None
        best = campaign.best() if (campaign.data["status"] == "done").any() else None
    finally:
        campaign.close()
    lines = table.attrs.get("lines")
    for warning in caught:
        near = warning.message
        if isinstance(near, NearMatchWarning):
            line = lines[near.row] if lines is not None else near.row + 2
            text = (
                f"{results}, line {line}: no 'experiment' id, and settings close to but not "
                f"equal to those of the pending experiment(s) {near.pending}: recorded as new "
                "experiments. Keep the 'experiment' column of the sheet yieldlab wrote, or "
                f"drop the planned ones with: yieldlab cancel {shell(campaign_path)} "
                + " ".join(map(str, near.pending))
            )
        elif isinstance(near, RepeatWarning):
            text = _in_file(str(near), results, lines).replace(
                f"exclude({near.copies}, reason='recorded twice')",
                f"yieldlab exclude {shell(campaign_path)} {' '.join(map(str, near.copies))} "
                "--reason 'recorded twice'",
            )
        elif isinstance(near, RangeWarning):
            text = _in_file(str(near), results, lines)
            fix = shell_command(
                "yieldlab", "correct", campaign_path, near.experiment,
                f"{near.objective.name}=VALUE", "--reason", "REASON",
            )  # fmt: skip
            text = (
                text[: text.index(" If it is a typo")]
                + f" If it is a typo, replace it with: {fix}"
            )
        else:
            text = _in_file(str(near), results, lines)
        warnings.warn(text, UserWarning, stacklevel=1)
    console.print(f"{len(recorded)} results recorded in {campaign_path}.", highlight=False)
    failed = recorded[recorded["status"] == "failed"]
    if len(failed):
        names = [o.name for o in campaign.objectives]
        empty = [
            f"{int(row['experiment'])} ({', '.join(n for n in names if pd.isna(row[n]))})"
            for row in failed.to_dict("records")
        ]
        console.print(
            f"{len(failed)} recorded as failed runs (an empty result): experiment "
            + "; ".join(empty),
            highlight=False,
        )
    if best is not None and len(best):
        console.print(frame_table(best, title="Best so far"))


def _categorical(space) -> list[str]:
    """Names of the categorical parameters with text levels: their cells are read as
    written (a level called ``None`` or ``NA`` is not a missing value). Numeric levels are
    read as numbers, so a cell ``1.0`` is the level 1."""
    from ..experiments.levels import Categorical

    return [
        p.name
        for p in space
        if isinstance(p, Categorical) and all(isinstance(v, str) for v in p.values)
    ]


def name_values(campaign, values: list[str], option: str = "") -> dict:
    """``NAME=VALUE`` arguments as a mapping, numbers read as numbers (the levels of a
    categorical parameter with text levels stay text); messages start with ``option``
    (``'--fix'``) when given."""
    from ..experiments.levels import Categorical

    where = f"{option} " if option else ""

    parsed: dict = {}
    parameters = {p.name: p for p in campaign.space}
    for item in values:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise UserError(
                f"{where}{item!r}: give each value as NAME=VALUE, such as 'temperature=80' or "
                "'yield=95'"
            )
        if name in parsed:
            raise UserError(f"{where}{name!r} is given twice; give each name once")
        text = text.strip()
        parameter = parameters.get(name)
        textual = isinstance(parameter, Categorical) and any(
            isinstance(v, str) for v in parameter.values
        )
        if isinstance(parameter, Categorical) and not textual:
            # numeric or true/false levels: the level whose text this is
            same = [v for v in parameter.values if str(v).casefold() == text.casefold()]
            if same:
                parsed[name] = same[0]
                continue
        if textual or (parameter is None and name not in campaign.names):
            parsed[name] = text  # a level, or an unknown name Campaign.correct names
        elif text == "" and name in campaign.names:
            parsed[name] = None
        else:
            try:
                if "_" in text:  # float() reads '1_000'; a sheet would not
                    raise ValueError(text)
                number = float(text)
            except ValueError:
                failed = f", or '{name}=' for a failed run" if name in campaign.names else ""
                example = getattr(parameter, "low", 95)
                raise UserError(
                    f"{where}{item!r}: {text!r} is not a number; give one such as "
                    f"'{name}={example:g}'" + failed
                ) from None
            parsed[name] = int(number) if number.is_integer() else number
    return parsed


@app.command()
def best(
    campaign_path: CampaignPath,
    n: Annotated[
        int, typer.Option("-n", "--n", help="Number of settings, best first.", min=1)
    ] = 1,
    anywhere: Annotated[
        bool,
        typer.Option(
            "--anywhere",
            help="The predicted optimum anywhere in the space (every candidate row), run or "
            "not; without it, the settings already run.",
        ),
    ] = False,
    fix: OnlyFix = None,
    as_json: AsJson = False,
) -> None:
    """The best settings according to the campaign's model: the measurement noise averaged
    out, so the luckiest result does not win.

    Example: yieldlab best reactor.db -n 3
    """
    try:
        campaign = open_campaign(campaign_path)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    from ..experiments.recommendation import predicted_gain

    gain = None
    try:
        fixed = name_values(campaign, fix, "--fix") if fix else None
        with console.status("fitting the model ..."):
            table = campaign.best_predicted(n, "space" if anywhere else "run", fixed)
        if anywhere and not as_json and not table["run"].iloc[0]:
            # the note on an optimum not run compares it with the best settings run
            with contextlib.suppress(YieldlabError):  # none run with the held values
                gain = predicted_gain(campaign.objectives, table, campaign.best_predicted())
    except (YieldlabError, ValueError) as exc:
        raise UserError(_best_error(str(exc), campaign_path)) from None
    finally:
        campaign.close()
    if campaign.candidates is not None and anywhere:
        table = table.rename_axis("candidate").reset_index()
    if as_json:
        print_json({"campaign": str(campaign_path), "best": table})
        return
    title = (
        "Predicted optimum (mean and std of the process, noise not included)"
        if anywhere
        else "Best settings run, by the model's predicted mean (noise averaged out)"
    )
    console.print(frame_table(table, title=title))
    if anywhere and not table["run"].iloc[0]:
        record = (
            f"run them and record the results to confirm (yieldlab record {shell(campaign_path)} "
            "results.csv)."
        )
        if gain is not None and gain[0] < 0:  # held values cost more than the std
            note = (
                f"With {' '.join(fix or [])}, the model expects {-gain[0]:.3g} less than at the "
                f"best settings run (std {gain[1]:.3g}); {record}"
            )
        elif gain is not None and gain[0] < gain[1]:
            note = (
                f"The optimum is predicted {gain[0]:.3g} better than the best settings run, "
                f"within its standard deviation ({gain[1]:.3g}): the best settings run are as "
                "good as the model can tell."
            )
        else:
            note = "Settings not run yet (run = False) are predictions: " + record
        console.print(note, highlight=False)


def _best_error(text: str, campaign_path: Path) -> str:
    """An error of best_predicted in the words of the command line."""
    text = re.sub(r"best_predicted\(n=(\d+), among='space'\)", r"-n \1 --anywhere", text)
    text = text.replace("use n=1, or among='run'", "leave out -n, or leave out --anywhere")
    text = text.replace("among='space'", "--anywhere").replace("best_predicted: ", "")
    text = text.replace(
        "add results before best_predicted()",
        f"record results first (yieldlab record {shell(campaign_path)} results.csv)",
    )
    text = text.replace(
        "(include() takes them back)", f"(yieldlab include {shell(campaign_path)} ID)"
    )
    return _option_terms(text)


def _option_terms(text: str) -> str:
    """A message about the arguments ``fixed`` and ``shared`` in the words of --fix and
    --share."""
    text = re.sub(r"^fixed=\{.*?\}: no setting with these", "no setting with the --fix", text)
    text = re.sub(r"^fixed: ", "--fix: ", text)
    if text.startswith("shared: "):
        text = "--share: " + text.removeprefix("shared: ")
        text = text.replace("also held by fixed", "also given to --fix")
    return text
