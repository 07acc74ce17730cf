"""``yieldlab fit``, ``predict``, ``optimize`` and ``report`` (layer 6)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from .._validation import closest_name
from ..exceptions import YieldlabError
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
)
from .sheets import write_sheet

DataPath = Annotated[Path, typer.Argument(help="Table of experiments: .csv, .xlsx or .parquet.")]
ModelPath = Annotated[Path, typer.Argument(help="A model file written by 'yieldlab fit'.")]
SQLITE_MAGIC = b"SQLite format 3\x00"


def _load_model(path: Path):
    from ..modelling.persistence import load

    if not path.exists():
        raise UserError(f"{path}: file not found; check the path of the model file")
    return load(path)


def _warn_outside(model, inputs: pd.DataFrame, data: Path, what: str = "") -> None:
    """Warn when rows lie outside the range of a numeric input the model was fitted on:
    their predictions extrapolate, and their intervals were not calibrated there. With
    ``what`` (one row that is not from a file, such as the best settings found), the
    warning names it instead of the file's rows."""
    from ..modelling.tables import line_of

    training = getattr(model, "training_inputs_", None)
    if training is None:
        return
    outside = np.zeros(len(inputs), dtype=bool)
    first = None
    for column in inputs.columns:
        if column not in training or not pd.api.types.is_numeric_dtype(training[column]):
            continue
        low, high = training[column].min(), training[column].max()
        values = pd.to_numeric(inputs[column], errors="coerce").to_numpy(dtype=float)
        beyond = (values < low) | (values > high)
        if beyond.any() and first is None:
            row = int(np.flatnonzero(beyond)[0])
            side = (
                f"above {high:g}, the largest"
                if values[row] > high
                else f"below {low:g}, the smallest"
            )
            first = f"{column}={values[row]:g}, {side} fitted"
            if not what:
                first = f"line {line_of(inputs, row)}: {first}"
        outside |= beyond
    if outside.any() and what:
        warnings.warn(
            f"{data}: {what} lie outside the settings the model was fitted on ({first}); the "
            "prediction extrapolates and its interval may not hold: narrow the space to the "
            "data, or run the setting to check",
            UserWarning,
            stacklevel=2,
        )
    elif outside.any():
        warnings.warn(
            f"{data}: {int(outside.sum())} row(s) lie outside the settings the model was "
            f"fitted on ({first}); their predictions extrapolate and their intervals may "
            "not hold",
            UserWarning,
            stacklevel=2,
        )


def _inputs(model, frame: pd.DataFrame) -> pd.DataFrame:
    names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    source = frame.attrs.get("source", "the table")
    unused = {name for name, _ in getattr(getattr(model, "encoder_", None), "dropped_", [])}
    training = getattr(model, "training_inputs_", None)
    for column in [c for c in names if c not in frame.columns and c in unused]:
        # a column the model left out (constant at fit): its value then, as it does not matter
        value = training[column].dropna() if training is not None else pd.Series(dtype=object)
        frame = frame.assign(**{column: value.iloc[0] if len(value) else float("nan")})
    missing = [c for c in names if c not in frame.columns]
    if missing:
        hint = closest_name(missing[0], [str(c) for c in frame.columns])
        extra = f"; did you mean {hint!r}?" if hint else ""
        raise UserError(f"{source} has no column {missing[0]!r}, an input of the model{extra}")
    return frame[names]


@app.command()
def fit(
    data: DataPath,
    target: Annotated[str, typer.Option("--target", "-t", help="Column to model.")],
    formula: Annotated[
        str | None,
        typer.Option("--formula", help='Also try your own law, e.g. "y = a*(1 - exp(-k*time))".'),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Model file to write (default: DATA with .ylm)."),
    ] = None,
    cv: Annotated[int, typer.Option("--cv", help="Folds of cross-validation.")] = 5,
    time_budget: Annotated[
        float | None, typer.Option("--time-budget", help="Seconds for the whole fit (soft limit).")
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="COLUMN",
            help="Column to leave out of the model, such as a sample code, a date or notes "
            "(repeat for several).",
        ),
    ] = None,
    seed: Seed = 0,
    as_json: AsJson = False,
) -> None:
    """Fit models to a table, pick the one that fits best, save it.

    Every other column of the table is an input, unless left out with --ignore. Prints
    the leaderboard (cross-validated RMSE of every candidate), the winner's coefficients
    (linear, response-surface and formula models) and which inputs matter.

    Example: yieldlab fit runs.csv --target yield --ignore sample --out runs.ylm
    """
    from ..modelling.automodel import AutoModel
    from ..modelling.persistence import check_model_path, save
    from ..modelling.tables import check_numeric_columns, line_of, read_table, require_column
    from ..models.formula import FormulaModel
    from ..report.model_report import coefficient_units

    frame = read_table(data, columns=[target])  # of a workbook, the sheet with the target
    require_column(frame, target)
    for column in ignore or []:
        require_column(frame, column, what="--ignore")
        if column == target:
            raise UserError(f"--ignore {column}: {column!r} is the --target; leave out another")
    frame = frame.drop(columns=list(dict.fromkeys(ignore or [])))
    check_numeric_columns(frame, required=(target,))
    out = out or data.with_suffix(".ylm")
    check_writable(out, inputs=[data], suffix=".ylm")
    check_model_path(out)  # before the fit, not after
    if formula is not None:
        _check_formula(formula, frame, target, data)
    _check_empty_cells(frame, target, data)
    candidates = "auto" if formula is None else ["auto", FormulaModel(formula)]
    model = AutoModel(candidates=candidates, cv=cv, time_budget=time_budget, random_state=seed)
    with console.status(f"fitting models of {target!r} to {len(frame)} experiments ..."):
        try:
            model.fit(frame.drop(columns=[target]), frame[target])
        except ValueError as exc:  # the Python API's wording, in the command's terms
            text = re.sub(r"\bcv=(\d+)", r"--cv \1", str(exc))
            raise UserError(f"{data}: {re.sub(r'^X has', 'the table has', text)}") from None
    # for the report to name a run by its line of the file
    model.source_rows_ = [f"line {line_of(frame, r)} of {data.name}" for r in range(len(frame))]
    save(model, out)
    board = model.leaderboard_[
        ["name", "rmse", "rmse_se", "r2", "fit_seconds", "status", "selected"]
    ]
    if as_json:
        summary = getattr(model.best_estimator_, "summary", None)
        print_json(
            {
                "model": str(out),
                "target": target,
                "selected": model.best_name_,
                "leaderboard": board,
                "importances": model.importances_.reset_index(),
                "coefficients": summary().reset_index() if callable(summary) else None,
                "not_used": model.dropped_columns_,
            }
        )
        return
    console.print(frame_table(board, title=f"Leaderboard for {target!r} (cross-validated)"))
    console.print(f"Selected: {model.best_name_}", highlight=False)
    for column, reason in model.dropped_columns_.itertuples(index=False):
        console.print(f"Not used: {column!r}, {reason}", highlight=False, markup=False)
    summary = getattr(model.best_estimator_, "summary", None)
    if callable(summary):
        units = coefficient_units(model.best_estimator_)
        title = f"Coefficients ({units})" if units else "Coefficients"
        table, notes = _coefficients(model.best_estimator_, summary())
        console.print(frame_table(table, title=title, index=True))
        for note in notes:
            console.print(note, highlight=False, markup=False)
    console.print(frame_table(model.importances_, title="Which inputs matter", index=True))
    console.print(f"Model saved to {out}", highlight=False)


def _coefficients(estimator, table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The coefficient table as ``yieldlab report`` shows it, and the notes that go with
    it: a ridge penalty (the estimates are shrunk, unlike those of an ordinary
    least-squares tool such as JMP or Minitab), aliased terms, and too few residual degrees
    of freedom for standard errors, p-values and intervals (only the estimates are kept)."""
    from ..report.model_report import MIN_RESIDUAL_DOF

    inner = estimator
    for _ in range(4):  # the least-squares fit inside a wrapper (the ridge response surface)
        if hasattr(inner, "dof_resid_") or getattr(inner, "estimator_", None) is None:
            break
        inner = inner.estimator_
    notes = []
    alpha = getattr(inner, "alpha", 0.0)
    dof = getattr(inner, "dof_resid_", np.inf)
    if isinstance(alpha, int | float | np.number) and alpha > 0:
        notes.append(
            f"The coefficients are ridge-shrunk (alpha = {float(alpha):.3g}): biased towards "
            "0, so they differ from an ordinary least-squares fit (JMP, Minitab), and their "
            "standard errors and p-values are approximate"
            + (f" (effective residual degrees of freedom {dof:.3g})" if np.isfinite(dof) else "")
            + "."
        )
    aliased = [str(t) for t in table.attrs.get("aliased", [])]
    if aliased:
        notes.append(f"Aliased, not separately estimable (see the warning): {', '.join(aliased)}.")
    if not dof >= MIN_RESIDUAL_DOF:
        notes.append(
            f"{len(table)} terms leave {dof:.2g} residual degrees of freedom: standard "
            "errors, p-values and intervals would mean nothing, so only the estimates are "
            "shown; add runs, or fit a smaller model."
        )
        table = table[["estimate"]]
    return table, notes


def _check_empty_cells(frame: pd.DataFrame, target: str, data: Path) -> None:
    """Name the empty cells of the target and of every input that is not empty throughout
    (such a column is left out of the model anyway), by their lines in the file, all in one
    message; then the infinite numbers."""
    columns = [target, *[c for c in frame.columns if c != target]]
    kept = [c for c in columns if c == target or not frame[c].isna().all()]
    _check_cells(frame, kept, data, "fill it in or delete the row", target=target)


def _check_cells(
    frame: pd.DataFrame, columns: list, data: Path, fix: str, target: str | None = None
) -> None:
    """Refuse empty cells (every such column named in one message, each with the line of
    its first empty cell) and infinite numbers in ``columns`` of ``frame``."""
    from ..modelling.tables import line_of

    def what(column) -> str:
        if target is None:
            return ""
        return " (the target)" if column == target else " (an input)"

    empty = []
    for column in columns:
        blank = frame[column].isna().to_numpy()
        if blank.any():
            empty.append((column, line_of(frame, int(np.flatnonzero(blank)[0])), blank.sum()))
    if len(empty) == 1:
        column, line, count = empty[0]
        raise UserError(
            f"{data}, line {line}, column {column!r}{what(column)} is empty ({count} empty "
            f"cell(s) in that column); {fix}"
        )
    if empty:
        cells = "; ".join(
            f"line {line}, column {column!r}{what(column)}: {count} empty cell(s)"
            for column, line, count in empty
        )
        raise UserError(
            f"{data}: {len(empty)} columns have empty cells (the first of each named): "
            f"{cells}; fill them in or delete the rows"
        )
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=float)
        infinite = np.isinf(values)
        if infinite.any():
            row = int(np.flatnonzero(infinite)[0])
            raise UserError(
                f"{data}, line {line_of(frame, row)}, column {column!r}: '{values[row]:g}' is "
                f"not a finite number ({int(infinite.sum())} such cell(s) in that column); "
                "replace it with the measured value, or delete the row"
            )


def _check_formula(formula: str, frame: pd.DataFrame, target: str, data: Path) -> None:
    """Refuse a formula that does not parse, does not model ``target`` or names a column
    with a typo (which would silently become a fitted parameter), before the search."""
    from ..exceptions import FormulaError
    from ..models.formula import parse_formula

    try:
        parsed = parse_formula(formula)
    except FormulaError as exc:
        raise UserError(f"--formula: {str(exc).splitlines()[0]}") from None
    left = parsed.left.symbols()
    # 'y' (or no '=' at all) stands for the target, as in 'y = a*(1 - exp(-k*time))'
    if "=" in formula and target not in left and left != ["y"]:
        raise UserError(
            f"--formula models {', '.join(left)}, but --target is {target!r}; write the "
            f"formula as '{target} = ...'"
        )
    columns = [str(c) for c in frame.columns if c != target]
    symbols = parsed.right.symbols()
    if not set(symbols) & set(columns):
        raise UserError(
            f"--formula names no column of {data}: {', '.join(map(repr, symbols)) or 'nothing'} "
            f"would all be fitted as parameters, a constant; write the law in the columns "
            f"{columns}"
        )
    for name in symbols:
        hint = None if name in columns else closest_name(name, columns, cutoff=0.8)
        if hint is not None:  # a typo, or a parameter named after a column ('time0')
            warnings.warn(
                f"--formula: {name!r} is not a column of {data}, so the fit estimates it as a "
                f"parameter; if you meant the column {hint!r}, correct the formula",
                UserWarning,
                stacklevel=2,
            )


@app.command()
def predict(
    model_path: ModelPath,
    data: DataPath,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV or .xlsx to write (default: print).")
    ] = None,
    level: Annotated[float, typer.Option("--level", help="Interval level.")] = 0.95,
    as_json: AsJson = False,
) -> None:
    """Predict with a saved model, with standard deviation and interval.

    Example: yieldlab predict runs.ylm new_settings.csv --out predictions.csv
    """
    from ..modelling.tables import line_of, read_table

    if out is not None:
        check_writable(out, inputs=[model_path, data])
        _check_predictions_out(out)
    model = _load_model(model_path)
    frame = read_table(data)
    if getattr(model, "impute", None) is None:  # a model fitted by 'yieldlab fit'
        unused = {name for name, _ in getattr(getattr(model, "encoder_", None), "dropped_", [])}
        used = [c for c in _inputs(model, frame).columns if c not in unused]
        _check_cells(frame, used, data, "fill it in: the model needs every input")
    try:
        mean, std = model.predict(_inputs(model, frame), return_std=True)
        bounds = model.predict_interval(_inputs(model, frame), level=level)
    except ValueError as exc:  # rows of X are lines of the file
        found = re.match(r"X, row (\d+)(.*)", str(exc), flags=re.DOTALL)
        if not found:
            raise
        line = line_of(frame, int(found.group(1)))
        raise UserError(f"{data}, line {line}{found.group(2)}") from None
    _warn_outside(model, _inputs(model, frame), data)
    target = getattr(model, "target_name_", None) or "prediction"
    result = frame.copy()
    result[f"{target}_mean"], result[f"{target}_std"] = mean, std
    result[f"{target}_low"], result[f"{target}_high"] = bounds[:, 0], bounds[:, 1]
    if out is not None:
        write_sheet(result, out)  # .xlsx: a workbook, else CSV
        console.print(f"{len(result)} predictions written to {out}", highlight=False)
    elif as_json:
        print_json(result)
    else:
        console.print(frame_table(result, title=f"Predictions ({100 * level:g}% intervals)"))


def _check_predictions_out(out: Path) -> None:
    """Predictions go to a new .csv or .xlsx file, or over an earlier table of predictions;
    never over another table (it would be lost) or under another ending."""
    from ..modelling.tables import read_table

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(
            f"--out {out}: predictions are written as .csv or .xlsx; give a name such as "
            f"{out.with_suffix('.csv')}"
        )
    if not out.is_file():
        return
    try:
        columns = list(read_table(out).columns)
    except (YieldlabError, ValueError, OSError):
        columns = []
    if not any(str(c).endswith("_mean") for c in columns) or not any(
        str(c).endswith("_high") for c in columns
    ):
        raise UserError(
            f"--out {out} exists and is not a table of predictions; the predictions would "
            "replace it: give another name, or move the file away"
        )


@app.command()
def optimize(
    model_path: ModelPath,
    maximize: Annotated[
        str | None, typer.Option("--maximize", help="Response to maximise (the model's target).")
    ] = None,
    minimize: Annotated[
        str | None, typer.Option("--minimize", help="Response to minimise (the model's target).")
    ] = None,
    space: Annotated[
        Path | None,
        typer.Option(
            "--space", help="YAML space file (default: the ranges of the training data)."
        ),
    ] = None,
    seed: Seed = 0,
    as_json: AsJson = False,
) -> None:
    """The best settings according to a saved model, with the predicted value.

    Example: yieldlab optimize runs.ylm --maximize yield
    """
    from ..experiments.optimum import find_optimum
    from ..experiments.space import Space
    from ..experiments.spacefile import read_space_file

    if (maximize is None) == (minimize is None):
        raise typer.BadParameter("give exactly one of --maximize COL or --minimize COL")
    response = maximize or minimize
    model = _load_model(model_path)
    target = getattr(model, "target_name_", None)
    if target is not None and response != target:
        raise UserError(
            f"the model predicts {target!r}, not {response!r}; use "
            f"--{'maximize' if maximize else 'minimize'} {shell(target)}"
        )
    inputs = [str(c) for c in model.feature_names_in_]
    # columns 'fit' left out (constant, an identifier): not settings to optimize
    unused = dict(getattr(getattr(model, "encoder_", None), "dropped_", []))
    used = [c for c in inputs if c not in unused]
    if space is not None:
        search_space = read_space_file(space)[0]
        for name in search_space.names:
            if name in unused:
                raise UserError(
                    f"{space}: the parameter {name!r} is not used by the model ({unused[name]}"
                    "); leave it out of the space file"
                )
            if name not in inputs:
                hint = closest_name(name, used)
                did_you_mean = f"; did you mean {hint!r}?" if hint else ""
                raise UserError(
                    f"{space}: the parameter {name!r} is not an input of the model"
                    f"{did_you_mean} (the model's inputs: {', '.join(used)})"
                )
        _check_space_kinds(search_space, model.training_inputs_, space)
    else:
        search_space = Space.from_candidates(model.training_inputs_[used])
    fixed = {
        column: _typical(model.training_inputs_[column])
        for column in inputs
        if column not in search_space.names
    }

    def complete(settings: pd.DataFrame) -> pd.DataFrame:
        return settings.assign(**fixed).reindex(columns=inputs)

    def predict_std(settings: pd.DataFrame):
        return model.predict(complete(settings), return_std=True)

    best = find_optimum(predict_std, search_space, maximize=maximize is not None, rng=seed)
    settings = _on_bounds(best.settings, search_space)
    chosen = complete(pd.DataFrame([settings]))
    # the same calibrated interval as 'yieldlab predict' gives at these settings
    low, high = model.predict_interval(chosen, level=0.95)[0]
    if space is not None:
        _warn_outside(model, chosen, space, what="the best settings found")
    shown = {k: v for k, v in fixed.items() if k not in unused}  # held, and used
    if as_json:
        print_json(
            {
                "settings": settings,
                "fixed": shown,
                "mean": best.mean,
                "std": best.std,
                "low": float(low),
                "high": float(high),
                "response": response,
            }
        )
        return
    table = pd.DataFrame(
        {"setting": list(settings.values())},
        index=pd.Index(list(settings), name="parameter"),
    )
    console.print(frame_table(table, title="Best settings", index=True))
    if shown:
        held = ", ".join(
            f"{k} = {v:.4g}" if _is_number(v) else f"{k} = {v}" for k, v in shown.items()
        )
        console.print(
            f"held fixed (not in {space}): {held} (the median, or the commonest level, of "
            "the training data)",
            highlight=False,
        )
    console.print(
        f"predicted {response}: {best.mean:.4g} (standard deviation {best.std:.2g}; "
        f"95% interval {low:.4g} to {high:.4g})",
        highlight=False,
    )


def _on_bounds(settings: dict, search_space) -> dict:
    """Settings within a millionth of its range of a numeric parameter's bound, on it (an
    optimizer stops at 5e-06 for a bound of 0)."""
    snapped = dict(settings)
    for parameter in search_space:
        low, high = getattr(parameter, "low", None), getattr(parameter, "high", None)
        value = snapped.get(parameter.name)
        if low is None or not _is_number(value):
            continue
        for bound in (low, high):
            if abs(float(value) - bound) <= 1e-6 * (high - low):
                snapped[parameter.name] = type(value)(bound) if isinstance(value, int) else bound
    return snapped


def _check_space_kinds(search_space, training: pd.DataFrame, path: Path) -> None:
    """Each parameter of the space file must be of its input's kind, with levels the model
    has seen: it cannot predict a catalyst it was never fitted on."""
    for parameter in search_space:
        column = training[parameter.name]
        numeric_input = pd.api.types.is_numeric_dtype(column)
        if parameter.is_numeric and not numeric_input:
            levels = sorted(map(str, column.dropna().unique()))
            raise UserError(
                f"{path}: {parameter.name!r} is numeric here, but the model's input is "
                f"categorical (levels {levels}); declare it 'categorical' with those levels"
            )
        if not parameter.is_numeric:
            seen = {str(v) for v in column.dropna().unique()}
            unseen = [v for v in parameter.values if str(v) not in seen]
            if unseen:
                raise UserError(
                    f"{path}: the level {unseen[0]!r} of {parameter.name!r} is not in the data "
                    f"the model was fitted on ({sorted(seen)}); the model cannot predict it: "
                    "leave it out"
                )


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typical(column: pd.Series):
    """The median of a numeric training column, the commonest level of another."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return float(column.median())
    return column.mode().iloc[0]


@app.command()
def report(
    source: Annotated[Path, typer.Argument(help="A model file (.ylm) or a campaign file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    seed: Seed = 0,
) -> None:
    """Write a self-contained HTML report of a model or a campaign.

    Example: yieldlab report runs.ylm --out report.html
    """
    from ..experiments.campaign import Campaign
    from ..report.campaign_report import campaign_model, campaign_report
    from ..report.model_report import model_report

    if not source.exists():
        raise UserError(f"{source}: file not found")
    if source.is_dir():
        raise UserError(f"{source} is a folder; give a model file (.ylm) or a campaign file in it")
    check_writable(out, inputs=[source], suffix=".html")
    with open(source, "rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        campaign = Campaign.open(source)
        try:
            model = campaign_model(campaign, random_state=seed)
            document = campaign_report(campaign, model, title=f"Campaign {source.name}")
        finally:
            campaign.close()
    else:
        model = _load_model(source)
        X = model.training_inputs_
        y = pd.Series(model.training_target_, name=model.target_name_ or "target")
        document = model_report(
            model,
            X,
            y,
            title=f"Model of {y.name} ({source.name})",
            labels=getattr(model, "source_rows_", None),
        )
    path = document.write(out)
    console.print(f"Report written to {path}", highlight=False)
