"""The audit trail: changes to recorded experiments, written in the campaign file (layer 4).

:meth:`.store.CampaignStore.revise` opens the transaction; :func:`write_revisions` makes
the changes inside it, an exclusion, an inclusion or a correction per experiment, each with
a row in the table ``revisions`` (the values before and after, the reason, the time), and
updates the metadata the change makes stale. Any error leaves the transaction to roll back,
so a revision is written whole or not at all. What the changes may be is checked before, by
:mod:`.revisions`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..exceptions import CampaignError
from .campaign_file import dumps, plain

__all__ = ["ACTIONS", "write_revisions"]

# what a revision of a recorded experiment does
ACTIONS = ("exclude", "include", "correct")


def write_revisions(
    connection: sqlite3.Connection,
    action: str,
    ids: Sequence[int],
    reason: str,
    change: Callable[[int, dict, dict], tuple[dict, dict, bool, int | None]] | None,
    meta: Mapping[str, Callable[[Any], Any]] | None,
    now: str,
) -> list[int]:
    """Change the experiments ``ids`` inside the open transaction of ``connection`` and
    write each change to the table ``revisions``.

    Parameters are those of :meth:`.store.CampaignStore.revise`, plus ``now``, the time
    written with each change (ISO 8601, UTC).

    Returns
    -------
    list of int
        The ids of the experiments changed (a correction that changes nothing at one of
        them leaves it out).

    Raises
    ------
    CampaignError
        When an experiment is unknown, pending, or already in the state ``action`` asks
        for.
    ValueError
        When a correction changes nothing at all.
    """
    changed = []
    for experiment in ids:
        row = _revisable(connection, experiment, action)
        if action == "correct":
            values = _correct(connection, int(experiment), row, change, now)
            if values is None:  # the correction changes nothing here
                continue
        else:
            after = reason if action == "exclude" else None
            connection.execute(
                "UPDATE experiments SET excluded = ?, updated = ? WHERE id = ?",
                (after, now, int(experiment)),
            )
            values = {"excluded": row[4]}, {"excluded": after}
        connection.execute(
            "INSERT INTO revisions (experiment, action, before, after, reason, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (int(experiment), action, dumps(values[0]), dumps(values[1]), reason, now),
        )
        changed.append(int(experiment))
    if not changed:
        # nothing to write: the transaction rolls back (a format-1 file stays format 1)
        raise ValueError(
            f"the values given are those already recorded for experiment "
            f"{', '.join(map(str, ids))}; nothing was corrected"
        )
    for key, update in (meta or {}).items():
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        value = update(None if row is None else json.loads(row[0]))
        connection.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (key, json.dumps(value)),
        )
    return changed


def _revisable(connection: sqlite3.Connection, experiment: int, action: str) -> tuple:
    """The row ``(status, settings, results, candidate, excluded)`` of an experiment that
    ``action`` may change; a CampaignError (nothing changed) when it is unknown, pending, or
    already in the state ``action`` asks for."""
    row = None
    if 0 < experiment < 2**63:  # SQLite's integers
        row = connection.execute(
            "SELECT status, settings, results, candidate, excluded FROM experiments WHERE id = ?",
            (int(experiment),),
        ).fetchone()
    if row is None:
        raise CampaignError(
            f"there is no experiment {experiment} in this campaign; nothing was "
            "changed (the ids are in the 'experiment' column of data)"
        )
    excluded = row[4]
    if row[0] == "pending":
        raise CampaignError(
            f"experiment {experiment} is pending (it has no results yet); cancel "
            "it instead. Nothing was changed"
        )
    if action == "exclude" and excluded is not None:
        raise CampaignError(
            f"experiment {experiment} is already excluded ({excluded!r}); nothing was changed"
        )
    if action == "include" and excluded is None:
        raise CampaignError(f"experiment {experiment} is not excluded; nothing was changed")
    return row


def _correct(
    connection: sqlite3.Connection, experiment: int, row: tuple, change: Callable, now: str
) -> tuple[dict, dict] | None:
    """Write the settings and results ``change`` returns for ``experiment`` (its ``row`` as
    :func:`_revisable` read it); the values before and after, of the names that changed,
    or None when none did (nothing written)."""
    _, settings, results, candidate, _ = row
    old_settings = json.loads(settings)
    old_results = json.loads(results) if results else {}
    new_settings, new_results, failed, new_row = change(experiment, old_settings, old_results)
    old = {**old_settings, **old_results}
    new = {**new_settings, **new_results}
    keys = [k for k in new if json.dumps(plain(new[k])) != json.dumps(old.get(k))]
    if not keys:
        return None
    connection.execute(
        "UPDATE experiments SET status = ?, settings = ?, results = ?, candidate = ?, "
        "updated = ? WHERE id = ?",
        (
            "failed" if failed else "done",
            dumps(new_settings),
            dumps(new_results),
            candidate if new_row is None else new_row,
            now,
            experiment,
        ),
    )
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}
