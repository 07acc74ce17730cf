"""Changing a campaign's record: which experiments, why, and what the new values are (layer 4).

:meth:`~.campaign.Campaign.exclude`, :meth:`~.campaign.Campaign.include` and
:meth:`~.campaign.Campaign.correct` change recorded experiments, and the store keeps every
change with its reason (the audit trail). This module checks what they are given
(:func:`given_ids`, :func:`check_reason`, :func:`check_correction`), builds the store's
callback that checks a corrected experiment as :meth:`~.campaign.Campaign.add` checks results
(:func:`correction`), and warns when an experiment taken back in shares its candidate row
with one run while it was out (:func:`warn_rerun`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import did_you_mean
from ..exceptions import CampaignError, DataError, SpaceError
from .results import is_whole, measured, one_setting
from .screen import candidate_rows
from .sheet_results import plain
from .space import Space

__all__ = ["check_correction", "check_reason", "correction", "given_ids", "warn_rerun"]


def given_ids(experiments: Any) -> list[int]:
    """Experiment ids from an int, a sequence of ints or a table with ``experiment``.

    Parameters
    ----------
    experiments : int, sequence of int or DataFrame
        What the user gave: an id, ids, or the table ``design()`` or ``suggest()`` returned.

    Returns
    -------
    list of int

    Raises
    ------
    TypeError
        For text, a mapping or anything not iterable.
    ValueError
        For a table without an ``experiment`` column, or a value that is not a whole number.

    Examples
    --------
    >>> given_ids(3), given_ids([4, 5.0]), given_ids(pd.DataFrame({"experiment": [7]}))
    ([3], [4, 5], [7])
    """
    if isinstance(experiments, pd.DataFrame):
        if "experiment" not in experiments:
            raise ValueError(
                "experiments is a table without an 'experiment' column; give the table "
                "design() or suggest() returned, or a list of experiment ids"
            )
        experiments = experiments["experiment"]
    if np.ndim(experiments) == 0 and is_whole(np.asarray(experiments).item()):
        experiments = [np.asarray(experiments).item()]
    if isinstance(experiments, str | bytes | Mapping) or not np.iterable(experiments):
        raise TypeError(
            f"experiments={experiments!r} has the wrong type; expected an experiment id, a "
            "list of them, or the table design() or suggest() returned"
        )
    ids = []
    for value in experiments:
        if not is_whole(value):
            raise ValueError(
                f"experiments: {value!r} is not an experiment id (a whole number from the "
                "'experiment' column)"
            )
        ids.append(int(value))
    return ids


def check_reason(reason: Any) -> str:
    """The reason for a change, stripped of surrounding blanks.

    Parameters
    ----------
    reason : str
        Why experiments are excluded, included or corrected.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When ``reason`` is not text or is blank.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(
            f"reason={reason!r}: give a reason in words (it is kept in the campaign's "
            "history and shown in its report), such as 'sensor failed'"
        )
    return reason.strip()


def check_correction(experiment: Any, values: Any, known: list[str]) -> list[int]:
    """The one experiment id of a correction, with ``values`` checked to be a non-empty
    mapping of ``known`` names (parameters and objectives).

    Parameters
    ----------
    experiment : int
        The experiment to correct.
    values : mapping of str to value
        The new values by name.
    known : list of str
        The campaign's parameter and objective names.

    Returns
    -------
    list of int
        ``[experiment]``.

    Raises
    ------
    TypeError
        For several experiments, or values that are not a mapping.
    ValueError
        For no values, or a name that is neither a parameter nor an objective.
    """
    ids = given_ids(experiment)
    if len(ids) != 1:
        raise TypeError(
            f"experiment={experiment!r}: correct() changes one experiment at a time; give its id"
        )
    if not isinstance(values, Mapping):
        raise TypeError(
            f"values={values!r} has the wrong type; expected a mapping of parameter and "
            "objective names to new values, such as {'yield': 95.0}"
        )
    if not values:
        raise ValueError("values is empty; give the new values by name, such as {'yield': 95.0}")
    for name in values:
        if name not in known:
            raise ValueError(
                f"values: {name!r} is neither a parameter nor an objective of this "
                f"campaign{did_you_mean(name, known)}; the names are {known}"
            )
    return ids


def correction(
    space: Space,
    objectives: list[Any],
    values: Mapping[str, Any],
    index: dict[bytes, int] | None = None,
) -> Callable:
    """The store's ``change`` callback for a correction: the new settings and results of an
    experiment, checked as :meth:`~.campaign.Campaign.add` checks them.

    Parameters
    ----------
    space : Space
        The campaign's space.
    objectives : list of Objective
        The campaign's objectives.
    values : mapping of str to value
        The new values, by name; the others stay as recorded.
    index : dict, optional
        The lookup of a screen's candidate rows (:func:`~.screen.candidate_index`): the
        corrected settings must be one of them.

    Returns
    -------
    callable
        ``change(experiment, settings, results)`` returning the new settings, the new
        results, whether the run failed (a NaN result) and the candidate row (or None).
    """
    names = [o.name for o in objectives]

    def change(experiment: int, settings: dict, results: dict):
        row = {**settings, **{n: results.get(n) for n in names}, **values}
        frame = pd.DataFrame([row], columns=[*space.names, *names], dtype=object)
        where = f"correct(experiment {experiment})"
        try:
            valid, Y = measured(frame, space, objectives, where)
        except (SpaceError, DataError) as exc:
            raise type(exc)(one_setting(str(exc), where)) from None
        new_row = None
        if index is not None:
            try:
                new_row = int(candidate_rows(space, index, valid)[0])
            except CampaignError:
                shown = plain({k: row[k] for k in space.names})
                raise CampaignError(
                    f"{where}: the settings {shown!r} are not a row of the candidates; "
                    "give the settings of the candidate row that was run"
                ) from None
        new_settings = dict(zip(space.names, next(valid.itertuples(index=False)), strict=True))
        new_results = dict(zip(names, Y[0], strict=True))
        return new_settings, new_results, bool(np.isnan(Y).any()), new_row

    return change


def warn_rerun(data: pd.DataFrame, included: list[int]) -> None:
    """Warn when an included experiment's candidate row was given to another experiment
    while it was excluded (the row is then run twice).

    Parameters
    ----------
    data : DataFrame
        The campaign's table of experiments, indexed by ``experiment``.
    included : list of int
        The experiments just taken back in.
    """
    for experiment in included:
        label = data.loc[experiment, "candidate"]
        others = data.index[
            (data["candidate"] == label)
            & (data.index != experiment)
            & (data["status"] != "excluded")
        ].tolist()
        if others:
            warnings.warn(
                f"experiment {experiment} is included again, but its candidate row "
                f"{plain(label)!r} was run or planned again while it was excluded (experiment(s) "
                f"{others}); the row now counts twice (cancel a pending one if it is not "
                "needed)",
                UserWarning,
                stacklevel=4,
            )
