"""The Typer application, shared options, output helpers and the error policy (layer 6).

Exit codes: 0 on success, 1 on a user error (one line, no traceback), 2 on a usage error.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from .. import _files
from .._files import check_output_file
from ..exceptions import YieldlabError

app = typer.Typer(
    name="yieldlab",
    help="Fit models to experiment tables, predict with uncertainty, find the best settings "
    "and plan the next experiments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console()
if not console.is_terminal and "COLUMNS" not in os.environ:
    # NOTE: output to a file or a pipe has no width, and Rich would cut the cells of a wide
    # table at 80 columns ('temperat…'): the whole table is what a log or a script needs
    console = Console(width=240)

Seed = Annotated[int, typer.Option("--seed", help="Random seed, for reproducible runs.", min=0)]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class UserError(YieldlabError):
    """A problem with the command's input that the user can fix."""


def to_plain(value: Any) -> Any:
    """JSON-friendly version of NumPy/pandas values (NaN becomes None)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_plain(value.to_dict(orient="records"))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def shell(path: str | os.PathLike) -> str:
    """``path`` as typed in a command suggested to the user (quoted when it holds spaces).

    Examples
    --------
    >>> shell("my runs.db")
    "'my runs.db'"
    """
    return shlex.quote(str(path))


def shell_command(*words: object) -> str:
    """A command suggested to the user, each word quoted as the shell needs.

    Examples
    --------
    >>> shell_command("yieldlab", "correct", "my runs.db", 2, "yield=66.6")
    "yieldlab correct 'my runs.db' 2 yield=66.6"
    """
    return " ".join(shell(str(word)) for word in words)


def print_json(payload: Any) -> None:
    """Write ``payload`` as JSON on standard output."""
    typer.echo(json.dumps(to_plain(payload), indent=2))


def frame_table(
    frame: pd.DataFrame,
    title: str | None = None,
    index: bool = False,
    digits: int = 4,
    max_rows: int = 30,
) -> Table:
    """A Rich table of a DataFrame (floats with ``digits`` significant digits)."""
    table = Table(title=title, title_justify="left")
    shown = frame.head(max_rows)
    columns = ([str(shown.index.name or "")] if index else []) + [str(c) for c in shown.columns]
    for column in columns:
        table.add_column(column)
    for label, row in zip(shown.index, shown.itertuples(index=False), strict=True):
        cells = [str(label)] if index else []
        for value in row:
            if isinstance(value, float | np.floating):
                cells.append("" if np.isnan(value) else f"{value:.{digits}g}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    if len(frame) > max_rows:
        table.caption = f"... {len(frame) - max_rows} more rows"
    return table


def check_writable(path: Path, inputs: Sequence[Path] = (), suffix: str | None = None) -> None:
    """Refuse a file path in a missing folder, a folder, one of the ``inputs`` or a campaign
    file (:func:`~yieldlab._files.check_output_file`), with the fix (a name ending in
    ``suffix``, by default the path's own ending or ``.csv``)."""
    if path.parent and not path.parent.exists():
        raise UserError(f"{path}: the folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name such as {path / 'plan.csv'}")
    check_output_file(path, inputs, suffix or _own_suffix(path))


def _own_suffix(path: Path) -> str:
    """The ending to suggest instead of ``path``: its own, unless a database's."""
    own = path.suffix.lower()
    return own if own and own not in (".db", ".sqlite", ".sqlite3") else ".csv"


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, index: bool = False) -> Path:
    """Write a CSV atomically: a temporary file renamed into place."""

    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as file:
            frame.to_csv(file, index=index)

    return write_atomically(path, write)


def write_atomically(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Check ``path`` (:func:`check_writable`), then write it with
    :func:`~yieldlab._files.write_atomically`: ``write(temporary)`` on a temporary file
    beside it, renamed into place, so ``path`` is never half-written.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    UserError
        When the folder is missing or the path would destroy data.
    StoreError
        When the file cannot be written.
    """
    path = Path(path)
    check_writable(path)
    return _files.write_atomically(path, write)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as one line, ``warning: ...``, without Python's source location."""
    Console(stderr=True, soft_wrap=True).print(
        f"warning: {message}", style="yellow", highlight=False, markup=False
    )


# arguments of the Python API that the commands take as options: their messages say
# 'level=95.0 is invalid', which the command line calls '--level 95.0'
_OPTIONS = {"time_budget": "--time-budget", "level": "--level", "cv": "--cv"}


def main() -> None:
    """Entry point of the ``yieldlab`` console script.

    Usage errors are Click's (exit 2, with the usage line); errors in the user's input or
    files print one line and exit 1, without a traceback; Ctrl-C prints one line and exits
    130.
    """
    # importing registers the commands, in the order --help lists them (the loop first)
    from . import campaign_commands, record_commands, export_commands, demo, model_commands  # noqa: F401, I001

    warnings.showwarning = show_warning
    try:
        app()
    except SystemExit as exc:
        if exc.code == 130:  # Typer's exit on Ctrl-C, silent otherwise
            Console(stderr=True, soft_wrap=True).print(
                "interrupted: a campaign file changes in whole transactions, so it holds "
                "what the command completed and nothing half-written (see yieldlab status; "
                "yieldlab export --pending writes the sheet of pending experiments again)",
                style="red", highlight=False, markup=False,
            )  # fmt: skip
        raise
    except (YieldlabError, ValueError, TypeError, OSError, KeyError) as exc:
        text = str(exc).strip()
        if isinstance(exc, KeyError) and text.startswith("'"):
            text = text.strip("'")
        message = text.splitlines()[0] if text else type(exc).__name__
        for name, option in _OPTIONS.items():  # the Python API's names, in the command's
            message = re.sub(
                rf"(?<![\w'-]){name}=(\S+) is invalid", rf"{option} \1 is invalid", message
            )
        Console(stderr=True, soft_wrap=True).print(
            f"error: {message}", style="red", highlight=False, markup=False
        )
        sys.exit(1)
