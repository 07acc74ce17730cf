"""The campaign's experiments, read and written safely in its SQLite file (layer 4).

The file's tables, its creation and the checks made on opening it are
:mod:`.campaign_file`'s, and the changes to recorded experiments (the audit trail) are
written by :mod:`.audit`. Here: reading the experiments, their revisions and the metadata,
and every change. It runs in WAL mode with a busy timeout, and every change
(:meth:`CampaignStore.add_pending`, :meth:`CampaignStore.record`,
:meth:`CampaignStore.cancel`, :meth:`CampaignStore.revise`) is one ``BEGIN IMMEDIATE``
transaction: two processes adding results at once are serialized and both land, and a
process killed in the middle leaves the file as it was before the change (SQLite's
write-ahead log guarantees it). After each change the log is copied into the file itself (a
passive checkpoint), so a copy of the file alone holds every experiment recorded. Pending
rows are written only if no experiment was recorded since the caller read the file
(:meth:`CampaignStore.last_id`, :class:`StaleSnapshot`), so two processes suggesting at once
are never given the same setting.

Without a path the same tables live in memory (``':memory:'``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..exceptions import CampaignError, StoreError
from .audit import ACTIONS, write_revisions
from .campaign_file import (
    APPLICATION_ID,
    FORMAT_VERSION,
    connect,
    create_file,
    dumps,
    initialize,
    open_file,
    upgrade,
)

__all__ = [
    "ACTIONS",
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "STATUSES",
    "CampaignStore",
    "StaleSnapshot",
]

STATUSES = ("pending", "done", "failed")

_INSERT_RESULT = (
    "INSERT INTO experiments (batch, status, settings, results, candidate, source, created, "
    "updated) VALUES (?, ?, ?, ?, ?, 'user', ?, ?)"
)
_UPDATE_RESULT = (
    "UPDATE experiments SET status = ?, settings = ?, results = ?, "
    "candidate = COALESCE(?, candidate), updated = ? WHERE id = ? AND status = 'pending'"
)


class StaleSnapshot(CampaignError):
    """Experiments were recorded or changed by another process since the caller read the
    campaign."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _write_row(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> int:
    """Execute one row's write inside the open transaction; returns the row id."""
    return connection.execute(sql, parameters).lastrowid


class CampaignStore:
    """A campaign's persistent state in one SQLite file (or in memory).

    Create with :meth:`create`, reopen with :meth:`open`; the constructor is internal.
    """

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._connection = connection
        self.path = path

    # -- opening and creating --------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike | None,
        meta: Mapping[str, Any],
        candidates: Sequence[tuple[Any, Mapping[str, Any]]] = (),
    ) -> CampaignStore:
        """A new campaign file holding ``meta`` (JSON values) and the candidate rows.

        Parameters
        ----------
        path : str, path or None
            The file to create (must not exist); ``None`` keeps the campaign in memory.
        meta : mapping of str to JSON-serializable
            ``'space'``, ``'objectives'``, ``'options'``...
        candidates : sequence of (label, settings)
            The allowed settings of a candidates campaign.

        Raises
        ------
        StoreError
            When the file exists or cannot be written.
        """
        if path is None:
            connection = connect(":memory:")
            initialize(connection, meta, candidates)
            return cls(connection, ":memory:")
        return cls.open(create_file(path, meta, candidates))

    @classmethod
    def open(cls, path: str | os.PathLike) -> CampaignStore:
        """Open an existing campaign file, checking that it is one.

        Raises
        ------
        StoreError
            When the file is missing, empty, not SQLite, another application's database, a
            newer format, or damaged.
        """
        return cls(*open_file(path))

    def close(self) -> None:
        """Close the connection (the file stays consistent whether or not this is called)."""
        self._connection.close()

    # -- reading -----------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """The stored metadata, JSON-decoded."""
        rows = self._read("SELECT key, value FROM meta")
        return {
            key: self._decode(value, f"the entry {key!r} of table meta") for key, value in rows
        }

    def candidates(self) -> tuple[list[Any], list[dict[str, Any]]]:
        """Labels and settings of the candidate rows, in order."""
        rows = self._read("SELECT row, label, settings FROM candidates ORDER BY row")
        where = "candidate row {}".format
        return (
            [self._decode(r[1], where(r[0])) for r in rows],
            [self._decode(r[2], where(r[0])) for r in rows],
        )

    def format(self) -> int:
        """The file's format version (1 until the first revision of an experiment upgrades a
        file written by an earlier yieldlab; 2 for files created now)."""
        return int(self._read("PRAGMA user_version")[0][0])

    def experiments(self) -> pd.DataFrame:
        """One row per experiment: ``id, batch, status, source, candidate, created, updated,
        excluded`` (the reason it is left out, or None) and the JSON ``settings`` and
        ``results`` decoded into dicts."""
        columns = ["id", "batch", "status", "source", "candidate", "created", "updated"]
        columns += ["excluded", "settings", "results"]
        selected = (
            columns if self.format() >= 2 else [c.replace("excluded", "NULL") for c in columns]
        )
        rows = self._read(f"SELECT {', '.join(selected)} FROM experiments ORDER BY id")
        decoded = [
            (
                *r[:-2],
                self._decode(r[-2], f"the settings of experiment {r[0]}", dict),
                self._results(r[-1], r[0]) if r[-1] else {},
            )
            for r in rows
        ]
        return pd.DataFrame(decoded, columns=columns)

    def repeats(
        self, settings: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]
    ) -> list[int | None]:
        """For each (settings, results) pair, the first experiment recorded (done or failed)
        with exactly the same settings and results, else None (one indexed-free query per
        pair, in SQLite: no decoding of the whole history)."""
        query = (
            "SELECT id FROM experiments WHERE status != 'pending' AND settings = ? AND "
            "results = ? ORDER BY id LIMIT 1"
        )
        found: list[int | None] = []
        for s, r in zip(settings, results, strict=True):
            rows = self._read_with(query, (dumps(s), dumps(r)))
            found.append(int(rows[0][0]) if rows else None)
        return found

    def revisions(self) -> pd.DataFrame:
        """The audit trail: one row per change made to a recorded experiment, in order:
        ``revision, experiment, action, before, after, reason, created`` (``before`` and
        ``after`` decoded into dicts of the values changed)."""
        columns = ["revision", "experiment", "action", "before", "after", "reason", "created"]
        if self.format() < 2:
            return pd.DataFrame(columns=columns)
        rows = self._read(
            "SELECT id, experiment, action, before, after, reason, created FROM revisions "
            "ORDER BY id"
        )
        where = "the {} of revision {}".format
        decoded = [
            (
                *r[:3],
                self._decode(r[3], where("values before", r[0]), dict),
                self._decode(r[4], where("values after", r[0]), dict),
                *r[5:],
            )
            for r in rows
        ]
        return pd.DataFrame(decoded, columns=columns)

    def last_revision(self) -> int:
        """The id of the latest revision (0 before the first): it changes with every
        exclusion, inclusion or correction, by any process."""
        try:
            return self._last_revision(self._connection)
        except sqlite3.ProgrammingError:
            raise self._closed() from None
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the campaign file {self.path!r}: {exc}") from None

    @staticmethod
    def _last_revision(connection: sqlite3.Connection) -> int:
        if connection.execute("PRAGMA user_version").fetchone()[0] < 2:
            return 0
        return int(connection.execute("SELECT COALESCE(MAX(id), 0) FROM revisions").fetchone()[0])

    def _read_with(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        try:
            return self._connection.execute(sql, parameters).fetchall()
        except sqlite3.ProgrammingError:
            raise self._closed() from None
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the campaign file {self.path!r}: {exc}") from None

    def _results(self, text: Any, experiment: int) -> dict[str, Any]:
        """The results of one experiment: a JSON object of numbers (null: not measured)."""
        results = self._decode(text, f"the results of experiment {experiment}", dict)
        for name, value in results.items():
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise StoreError(
                    f"{self.path!r} is damaged: the result {name!r} of experiment "
                    f"{experiment} is {value!r}, not a number"
                )
        return results

    def _decode(self, text: Any, what: str, kind: type | None = None) -> Any:
        """JSON ``text`` read from the file (of type ``kind`` when given); a StoreError
        naming ``what`` if it is not."""
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            raise StoreError(
                f"{self.path!r} is damaged: {what} is not valid JSON ({str(text)[:40]!r})"
            ) from None
        if kind is not None and not isinstance(value, kind):
            raise StoreError(
                f"{self.path!r} is damaged: {what} should be a JSON "
                f"{'object' if kind is dict else kind.__name__}, not {str(text)[:40]!r}"
            )
        return value

    def _read(self, sql: str) -> list[tuple]:
        try:
            return self._connection.execute(sql).fetchall()
        except sqlite3.ProgrammingError:
            raise self._closed() from None
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the campaign file {self.path!r}: {exc}") from None

    def _unwritable(self, exc: sqlite3.Error) -> StoreError:
        if "readonly" in str(exc):
            return StoreError(
                f"cannot write the campaign file {self.path!r}: it is read-only; nothing was "
                "written. Make the file (and its folder) writable, or work on a copy"
            )
        return StoreError(f"cannot write the campaign file {self.path!r}: {exc}")

    def _closed(self) -> StoreError:
        if self.path == ":memory:":
            return StoreError("the campaign was closed; an in-memory campaign cannot be resumed")
        return StoreError(
            f"the campaign file {self.path!r} was closed; resume it with "
            f"Campaign.open({self.path!r})"
        )

    def last_id(self) -> int:
        """The largest experiment id ever given (0 before the first); it grows with every
        experiment recorded, by any process, and never comes back (``AUTOINCREMENT``)."""
        try:
            return self._last_id(self._connection)
        except sqlite3.ProgrammingError:
            raise self._closed() from None

    @staticmethod
    def _last_id(connection: sqlite3.Connection) -> int:
        row = connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'experiments'"
        ).fetchone()
        return 0 if row is None else int(row[0])

    # -- writing (each call one transaction) ---------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self):
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.ProgrammingError:
            raise self._closed() from None
        except sqlite3.Error as exc:
            raise self._unwritable(exc) from None
        try:
            yield connection
        except sqlite3.Error as exc:  # a read-only file, a full disk: nothing was written
            connection.execute("ROLLBACK")
            raise self._unwritable(exc) from None
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            connection.execute("ROLLBACK")
            raise self._unwritable(exc) from None
        if self.path != ":memory:":
            # copy the change from the write-ahead log into the file itself, so a copy of
            # the file alone (sent by e-mail, backed up while a notebook holds it open) has
            # every experiment; PASSIVE never waits for other processes
            with contextlib.suppress(sqlite3.Error):
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def add_pending(
        self,
        settings: Sequence[Mapping[str, Any]],
        source: str,
        candidates: Sequence[int | None] | None = None,
        *,
        last_id: int | None = None,
        last_revision: int | None = None,
    ) -> list[int]:
        """Record suggested experiments as pending, as one new batch; returns their ids.

        With ``last_id`` (:meth:`last_id` when the caller read the campaign), raises
        :class:`StaleSnapshot`, writing nothing, if any experiment was recorded since: the
        settings were chosen without knowing it (two processes would be given the same).
        ``last_revision`` (:meth:`last_revision`) does the same for a correction or
        exclusion made since (a corrected experiment may have moved to a candidate row).
        """
        rows = candidates if candidates is not None else [None] * len(settings)
        with self._transaction() as connection:
            if (last_id is not None and self._last_id(connection) != last_id) or (
                last_revision is not None and self._last_revision(connection) != last_revision
            ):
                raise StaleSnapshot(
                    "experiments were recorded or changed by another process while the batch "
                    "was chosen"
                )
            batch = self._next_batch(connection)
            now = _now()
            return [
                _write_row(
                    connection,
                    "INSERT INTO experiments (batch, status, settings, candidate, source, "
                    "created, updated) VALUES (?, 'pending', ?, ?, ?, ?, ?)",
                    (batch, dumps(s), row, source, now, now),
                )
                for s, row in zip(settings, rows, strict=True)
            ]

    @staticmethod
    def _next_batch(connection: sqlite3.Connection) -> int:
        return connection.execute(
            "SELECT COALESCE(MAX(batch), -1) + 1 FROM experiments"
        ).fetchone()[0]

    def record(
        self,
        settings: Sequence[Mapping[str, Any]],
        results: Sequence[Mapping[str, Any]],
        failed: Sequence[bool],
        match: Callable[[pd.DataFrame], Sequence[int | None]],
        candidates: Sequence[int | None] | None = None,
    ) -> list[int]:
        """Store measured results, all or nothing.

        ``match(pending)`` is called inside the transaction with the pending experiments
        (columns ``id``, ``settings``, ``candidate``) and returns, per result, the id of the
        pending experiment it completes or ``None`` for a new one (a new batch).

        Returns
        -------
        list of int
            The experiment id of every result.
        """
        rows = candidates if candidates is not None else [None] * len(settings)
        with self._transaction() as connection:
            found = connection.execute(
                "SELECT id, settings, candidate FROM experiments WHERE status = 'pending' "
                "ORDER BY id"
            ).fetchall()
            pending = pd.DataFrame(
                [(i, json.loads(s), c) for i, s, c in found],
                columns=["id", "settings", "candidate"],
            )
            targets = list(match(pending))
            batch, now, ids = self._next_batch(connection), _now(), []
            for s, r, bad, row, target in zip(
                settings, results, failed, rows, targets, strict=True
            ):
                values = ("failed" if bad else "done", dumps(s), dumps(r))
                if target is None:
                    ids.append(
                        _write_row(connection, _INSERT_RESULT, (batch, *values, row, now, now))
                    )
                    continue
                # the candidate row follows the settings measured (the lab may have run
                # another well than the one planned; the planned one is then free again)
                _write_row(connection, _UPDATE_RESULT, (*values, row, now, int(target)))
                if connection.execute("SELECT changes()").fetchone()[0] != 1:
                    raise CampaignError(
                        f"experiment {int(target)} is no longer pending (another process "
                        "recorded it); nothing was recorded"
                    )
                ids.append(int(target))
            return ids

    def cancel(self, ids: Sequence[int] | None = None) -> int:
        """Delete pending experiments (all when ``ids`` is None); returns how many.

        Raises
        ------
        CampaignError
            When one of ``ids`` is not a pending experiment (nothing is deleted).
        """
        with self._transaction() as connection:
            pending = {
                r[0]: r[1:]
                for r in connection.execute(
                    "SELECT id, batch, settings FROM experiments WHERE status = 'pending'"
                )
            }
            ids = sorted(pending) if ids is None else list(dict.fromkeys(int(i) for i in ids))
            missing = [i for i in ids if i not in pending]
            if missing:
                raise CampaignError(
                    f"experiment {missing[0]} is not pending (unknown, or already recorded); "
                    "nothing was cancelled"
                )
            cursor = connection.executemany(
                "DELETE FROM experiments WHERE id = ? AND status = 'pending'",
                [(int(i),) for i in ids],
            )
            # NOTE: the ids stay known (meta 'cancelled'), so a result recorded under one
            # later is refused with the fix, and Campaign.cancelled() lists them
            row = connection.execute("SELECT value FROM meta WHERE key = 'cancelled'").fetchone()
            known = [] if row is None else json.loads(row[0])
            now = _now()
            known += [
                {"experiment": int(i), "batch": pending[i][0],
                 "settings": json.loads(pending[i][1]), "created": now}
                for i in ids
            ]  # fmt: skip
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('cancelled', ?)",
                (json.dumps(known),),
            )
            return cursor.rowcount

    def revise(
        self,
        action: str,
        ids: Sequence[int],
        reason: str,
        change: Callable[[int, dict, dict], tuple[dict, dict, bool, int | None]] | None = None,
        meta: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> list[int]:
        """Change recorded experiments, all or none, and write each change to the audit
        trail (table ``revisions``), upgrading a format-1 file first.

        Parameters
        ----------
        action : {'exclude', 'include', 'correct'}
            Leave the experiments out of the models (``excluded`` set to ``reason``), take
            them back in, or replace their settings and results with those ``change``
            returns.
        ids : sequence of int
            Experiments done or failed (not pending); to include, excluded ones; to exclude,
            ones not excluded.
        reason : str
            Why; kept in the audit trail (and as ``excluded`` for an exclusion).
        change : callable, optional
            For ``'correct'``: ``change(id, settings, results)`` returns the new
            ``(settings, results, failed, candidate row)``; it may raise to refuse.
        meta : mapping of str to callable, optional
            Metadata entries that the change makes stale: ``{key: update}`` writes
            ``update(value)`` (``None`` for an absent entry) in the same transaction, so no
            other process's write falls between the change and the update.

        Returns
        -------
        list of int
            The ids of the experiments changed (those where the correction changed nothing
            are left out and get no revision).

        Raises
        ------
        CampaignError
            When an experiment is unknown, pending, or (to exclude or include) already in
            that state; nothing is changed.
        ValueError
            When a correction changes nothing at all (the file is left as it was).
        """
        if action not in ACTIONS:
            raise ValueError(f"action={action!r} is not one of {list(ACTIONS)}")
        with self._transaction() as connection:
            upgrade(connection)
            return write_revisions(connection, action, ids, reason, change, meta, _now())

    def set_meta(self, key: str, value: Any) -> None:
        """Replace one metadata entry (one transaction)."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )
