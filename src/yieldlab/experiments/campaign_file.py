"""The campaign file's format: its tables, its creation and the checks made on opening it
(layer 4).

One file per campaign, written with the standard library's :mod:`sqlite3`:

* ``PRAGMA application_id`` marks it as a yieldlab campaign and ``PRAGMA user_version``
  holds the format version, so a foreign SQLite file, a newer format or a file that is not
  SQLite at all is refused with a one-line :class:`~yieldlab.exceptions.StoreError`;
* table ``meta`` holds the space, the objectives and the options as JSON;
* table ``candidates`` the allowed settings of a candidates campaign (with the user's row
  labels);
* table ``experiments`` one row per experiment: its settings and results as JSON, its status
  ``'pending'`` (suggested, not measured), ``'done'`` or ``'failed'`` (a NaN objective), its
  batch and where it came from, and (format 2) ``excluded``: why the experiment is left out
  of the models, or NULL;
* table ``revisions`` (format 2) the audit trail of every change made to an experiment after
  it was recorded: exclusions, inclusions and corrections, each with the values before and
  after, the reason given and the time. A file of format 1 is upgraded to format 2
  (:func:`upgrade`), in the same transaction, by the first such change; until then it is
  read as it is.

The file is created under a temporary name and renamed into place (:func:`create_file`), so
a half-created file never carries the campaign's name. :func:`open_file` checks what it
opens and switches it to WAL mode; reading and writing experiments is
:class:`~yieldlab.experiments.store.CampaignStore`'s.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from .._files import write_atomically
from ..exceptions import StoreError

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "connect",
    "create_file",
    "dumps",
    "initialize",
    "open_file",
    "plain",
    "upgrade",
]

APPLICATION_ID = 0x594C4142  # 'YLAB'
FORMAT_VERSION = 2
_MAGIC = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE candidates (
    row INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    settings TEXT NOT NULL
);
CREATE TABLE experiments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    settings TEXT NOT NULL,
    results TEXT,
    candidate INTEGER REFERENCES candidates(row),
    source TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX experiments_status ON experiments(status);
"""
# what format 2 adds to format 1 (run by create() and by the upgrade of a format-1 file)
_SCHEMA_2 = """
ALTER TABLE experiments ADD COLUMN excluded TEXT;
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment INTEGER NOT NULL REFERENCES experiments(id),
    action TEXT NOT NULL CHECK (action IN ('exclude', 'include', 'correct')),
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    reason TEXT NOT NULL,
    created TEXT NOT NULL
);
"""
_TABLES = {
    1: {"meta", "candidates", "experiments"},
    2: {"meta", "candidates", "experiments", "revisions"},
}


def plain(value: Any) -> Any:
    """A JSON-ready scalar: NumPy scalars to Python, NaN to None (a missing result)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def dumps(mapping: Mapping[str, Any]) -> str:
    """JSON text of a flat mapping of names to scalars (``inf`` written as ``Infinity``)."""
    return json.dumps({str(k): plain(v) for k, v in mapping.items()})


def connect(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits up to a minute
    for another process's write instead of failing."""
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
    return connection


def initialize(
    connection: sqlite3.Connection,
    meta: Mapping[str, Any],
    candidates: Sequence[tuple[Any, Mapping[str, Any]]],
) -> None:
    """Create the tables of the current format in an empty database and fill ``meta`` and
    ``candidates``, in one transaction."""
    connection.execute("BEGIN IMMEDIATE")
    for statement in (_SCHEMA + _SCHEMA_2).strip().split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [(key, json.dumps(value)) for key, value in meta.items()],
    )
    connection.executemany(
        "INSERT INTO candidates (row, label, settings) VALUES (?, ?, ?)",
        [(i, json.dumps(plain(label)), dumps(s)) for i, (label, s) in enumerate(candidates)],
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
    connection.execute("COMMIT")


def create_file(
    path: str | os.PathLike,
    meta: Mapping[str, Any],
    candidates: Sequence[tuple[Any, Mapping[str, Any]]] = (),
) -> str:
    """Write a new campaign file under a temporary name and rename it into place.

    Parameters
    ----------
    path : str or path-like
        The file to create; it must not exist, and its folder must.
    meta : mapping of str to JSON-serializable
    candidates : sequence of (label, settings)

    Returns
    -------
    str
        The path, as text.

    Raises
    ------
    StoreError
        When the path is not a file name, is a folder, exists, lies in a folder that does
        not exist, or cannot be written.
    """
    path = os.fspath(path)
    if path.strip() in ("", ":memory:") or path.startswith("file:"):
        raise StoreError(
            f"path={path!r} is not a file name; give one such as 'campaign.db', or "
            "path=None to keep the campaign in memory"
        )
    if os.path.isdir(path):
        raise StoreError(
            f"{path!r} is a folder; give a file name in it, such as "
            f"{os.path.join(path, 'campaign.db')!r}"
        )
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        raise StoreError(
            f"cannot create the campaign file {path!r}: the folder {folder!r} does not "
            "exist; create it first or choose another path"
        )
    exists = StoreError(
        f"campaign file {path!r} already exists; resume it with Campaign.open({path!r}) "
        "or choose another path"
    )
    if os.path.exists(path):
        with open(path, "rb") as file:
            database = file.read(16) == b"SQLite format 3\x00"
        if not database:  # a table, a sheet: not something to resume
            raise StoreError(
                f"{path!r} exists and is not a campaign file; give the campaign file another "
                "name (such as 'campaign.db')"
            )
        raise exists

    def build(temporary: str) -> None:
        # closed before the temporary file is removed, whatever fails (Windows cannot
        # remove a file SQLite holds open)
        with contextlib.closing(connect(temporary)) as connection:
            initialize(connection, meta, candidates)

    try:
        write_atomically(path, build, "the campaign file", replace=False)
    except FileExistsError:  # created by another process meanwhile: never replaced
        raise exists from None
    except sqlite3.Error as exc:
        raise StoreError(f"cannot create the campaign file {path!r}: {exc}") from None
    return path


def open_file(path: str | os.PathLike) -> tuple[sqlite3.Connection, str]:
    """Open an existing campaign file, checking that it is one, in WAL mode.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    connection : sqlite3.Connection
    path : str

    Raises
    ------
    TypeError
        When ``path`` is not a file name.
    StoreError
        When the file is missing, empty, not SQLite, another application's database, a
        newer format, or damaged.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path={path!r} has the wrong type; expected the campaign file's name, such "
            "as 'campaign.db'"
        )
    path = os.fspath(path)
    if os.path.isdir(path):
        raise StoreError(
            f"{path!r} is a folder, not a campaign file; give the campaign file in it "
            "(such as 'campaign.db')"
        )
    if not os.path.isfile(path):
        raise StoreError(f"campaign file {path!r} does not exist")
    with open(path, "rb") as handle:
        header = handle.read(len(_MAGIC))
    if not header:
        raise StoreError(f"{path!r} is empty; it is not a yieldlab campaign file")
    if header != _MAGIC:
        raise StoreError(
            f"{path!r} is not a yieldlab campaign file (it is not an SQLite database)"
        )
    try:
        connection = connect(path)
        _check(connection, path)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        folder = os.path.dirname(os.path.abspath(path))
        if "unable to open" in str(exc) and not os.access(folder, os.W_OK):
            raise StoreError(
                f"cannot open the campaign file {path!r}: its folder is not writable, and "
                "SQLite keeps a journal beside the file (-wal, -shm) even to read it; copy "
                "the file to a writable folder"
            ) from None
        raise StoreError(f"{path!r} is damaged or not a campaign file: {exc}") from None
    return connection, path


def _check(connection: sqlite3.Connection, path: str) -> None:
    application = connection.execute("PRAGMA application_id").fetchone()[0]
    if application != APPLICATION_ID:
        raise StoreError(
            f"{path!r} is an SQLite database of another application (application_id "
            f"{application:#x}), not a yieldlab campaign file"
        )
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > FORMAT_VERSION:
        raise StoreError(
            f"{path!r} has campaign format {version}, newer than this yieldlab reads "
            f"({FORMAT_VERSION}); upgrade yieldlab"
        )
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    missing = sorted(_TABLES[max(version, 1)] - tables)
    if missing:
        raise StoreError(f"{path!r} is damaged: the table(s) {missing} are missing")
    check = connection.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise StoreError(f"{path!r} is damaged: SQLite's integrity check says {check!r}")


def upgrade(connection: sqlite3.Connection) -> None:
    """Bring a format-1 file to format 2 inside the caller's open transaction (nothing to do
    for a file of format 2)."""
    if connection.execute("PRAGMA user_version").fetchone()[0] < 2:
        for statement in _SCHEMA_2.strip().split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("PRAGMA user_version = 2")
