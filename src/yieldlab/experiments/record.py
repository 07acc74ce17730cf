"""The record of a campaign's experiments: what was run, what it found, every change (layer 4).

:class:`CampaignRecord` is the part of a :class:`~.campaign.Campaign` that needs no model:
it reads the campaign from its :class:`~.store.CampaignStore` (a SQLite file, or memory),
shows the experiments (:attr:`~CampaignRecord.data`), records results
(:meth:`~CampaignRecord.add`, checked by :mod:`.results`), changes the record with a
reason kept in the audit trail (:meth:`~CampaignRecord.exclude`,
:meth:`~CampaignRecord.include`, :meth:`~CampaignRecord.correct`, checked by
:mod:`.revisions`), and answers what was measured best (:meth:`~CampaignRecord.best`,
:meth:`~CampaignRecord.pareto`). :class:`~.predictions.CampaignPredictions` adds what the
models predict, and :class:`~.campaign.Campaign` what to run next.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import pandas as pd

from .._files import check_output_file
from ..exceptions import CampaignError, SpaceError, StoreError, YieldlabError
from .desirability import Desirability
from .objectives import RangeWarning
from .pareto import objective_matrix
from .pareto import pareto_mask as _pareto_mask
from .results import (
    NearMatchWarning,
    PendingMatcher,
    check_results,
    experiment_ids,
    experiment_table,
    measured,
    warn_repeats,
    write_csv,
)
from .revisions import check_correction, check_reason, correction, given_ids, warn_rerun
from .screen import candidate_index, candidate_rows, check_candidate_column
from .sheet_results import unrecorded_results
from .space import Space
from .specs import objective_from_dict
from .store import CampaignStore

__all__ = ["CampaignRecord"]

# the options every campaign file holds
_OPTIONS = ("acquisition", "multi_objective", "surrogate", "beta", "n_initial", "seed")
# file name endings export() refuses: CSV text under them would not open
_NOT_CSV = {
    ".xlsx": "Excel", ".xls": "Excel", ".ods": "OpenDocument", ".json": "JSON",
    ".parquet": "Parquet", ".db": "SQLite", ".sqlite": "SQLite", ".html": "HTML",
}  # fmt: skip


class CampaignRecord:
    """The experiments of a campaign, kept in its file: the base of :class:`~.campaign.Campaign`.

    Create a campaign with :class:`~.campaign.Campaign`; ``CampaignRecord.open(path)``
    reads one without the models (to show, add, correct or export results).

    Attributes
    ----------
    space : Space
        The allowed settings.
    objectives : list of Objective
        What is optimized.
    options : dict
        The campaign's options (acquisition, multi_objective, surrogate, beta, n_initial,
        explore, seed).
    candidates : DataFrame or None
        The allowed settings of a screen, indexed by their labels.
    """

    def _attach(self, store: CampaignStore) -> dict[str, Any]:
        """Read the campaign kept in ``store``: its space, objectives, options and
        candidate rows (a StoreError, and the file closed, when they are damaged); returns
        the file's metadata, for what a subclass keeps there."""
        self._store = store
        meta = store.meta()
        try:
            self.space = Space.from_dict(meta["space"])
            self.objectives = [objective_from_dict(o) for o in meta["objectives"]]
            self.options = {"explore": True, **meta["options"]}  # files from before the option
            missing = [key for key in _OPTIONS if key not in self.options]
            if missing:
                raise KeyError(f"options.{missing[0]}")
        except KeyError as exc:
            store.close()
            raise StoreError(
                f"{store.path!r} is damaged: its description of the campaign lacks {exc.args[0]!r}"
            ) from None
        except (TypeError, ValueError, YieldlabError) as exc:
            store.close()
            raise StoreError(f"{store.path!r} is damaged: {exc}") from None
        self.candidates, self._Zc, self._index = None, None, {}
        if meta.get("candidates"):
            labels, settings = store.candidates()
            frame = pd.DataFrame(settings, columns=self.space.names)
            self.candidates = self.space.validate(frame).set_axis(pd.Index(labels), axis=0)
            self._Zc = self.space.encode(self.candidates)
            self._index = candidate_index(self._Zc)
        return meta

    @classmethod
    def open(cls, path: str | os.PathLike) -> Self:
        """Resume the campaign kept in ``path`` (raises StoreError for a foreign file)."""
        campaign = cls.__new__(cls)
        campaign._attach(CampaignStore.open(path))
        return campaign

    def close(self) -> None:
        """Close the campaign file."""
        self._store.close()

    def __repr__(self) -> str:
        where = self._store.path
        return (
            f"{type(self).__name__}({len(self.space)} parameters, {self.names}, "
            f"{len(self._store.experiments())} experiments, {where!r})"
        )

    @property
    def names(self) -> list[str]:
        """Objective names."""
        return [o.name for o in self.objectives]

    @property
    def data(self) -> pd.DataFrame:
        """All experiments: ``experiment``, the settings, the objectives, ``status`` (pending,
        done, failed, or excluded: left out by :meth:`exclude`), ``batch``, ``source``
        (design, suggest or user) and, with candidates, the ``candidate`` row label."""
        labels = None if self.candidates is None else self.candidates.index
        return experiment_table(self._store.experiments(), self.space, self.names, labels)

    def _split(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        data = self.data
        run = data[data["status"].isin(("done", "failed"))].reset_index(drop=True)
        pending = data[data["status"] == "pending"].reset_index(drop=True)
        return run, self._stored(run), self._stored(pending)

    def _stored(self, experiments: pd.DataFrame) -> np.ndarray:
        """The encoded settings of experiments read from the file; settings the space does
        not allow (the file edited by hand) are a StoreError naming the experiment."""
        try:
            return self.space.encode(experiments)
        except SpaceError as exc:
            found = re.match(r"row (\d+), (.*)", str(exc), flags=re.DOTALL)
            if not found:
                raise StoreError(f"{self._store.path!r} is damaged: {exc}") from None
            experiment = experiments["experiment"].iloc[int(found.group(1))]
            raise StoreError(
                f"{self._store.path!r} is damaged: the settings of experiment {experiment}, "
                f"{found.group(2)}"
            ) from None

    def add(self, results: pd.DataFrame) -> pd.DataFrame:
        """Record measured results (one transaction: all rows or none).

        Parameters
        ----------
        results : DataFrame
            The settings and one column per objective (empty or NaN for a failed run, which is
            recorded as failed). An ``experiment`` column (from
            :meth:`~.campaign.Campaign.design` or :meth:`~.campaign.Campaign.suggest`) says
            which pending experiment a row completes; without it a row completes the first
            pending experiment with the same settings, or is new.

        Returns
        -------
        DataFrame
            The recorded rows as in :attr:`data`.

        Raises
        ------
        SpaceError, DataError, CampaignError
            For unknown or missing columns, settings outside the space or not among the
            candidates, text in an objective, an unknown or finished experiment id.
        """
        frame = check_results(results, self.space, self.names)
        settings, Y = measured(frame, self.space, self.objectives, "results")
        Z = self.space.encode(settings)
        rows = None if self._Zc is None else candidate_rows(self.space, self._index, settings)
        if rows is not None and "candidate" in frame:
            check_candidate_column(frame["candidate"], rows, self.candidates.index)
        ids = experiment_ids(frame)
        cancelled = {e["experiment"] for e in self._store.meta().get("cancelled", [])}
        kept = self._kept(ids, Y, cancelled)  # the row in ``results`` of each kept row
        if not len(kept):
            return self.data.iloc[:0]
        settings, Y, Z, ids = settings.iloc[kept], Y[kept], Z[kept], [ids[r] for r in kept]
        rows = None if rows is None else [rows[r] for r in kept]
        stored_settings = [
            dict(zip(self.space.names, r, strict=True)) for r in settings.itertuples(index=False)
        ]
        stored_results = [dict(zip(self.names, y, strict=True)) for y in Y]
        repeats = self._repeats(stored_settings, stored_results, ids)
        matcher = PendingMatcher(self.space, Z, ids, cancelled)
        recorded = self._store.record(
            stored_settings, stored_results, np.isnan(Y).any(axis=1), matcher, rows
        )
        self._changed()
        if matcher.near:
            pending = sorted({p for _, p in matcher.near})
            warnings.warn(
                NearMatchWarning(int(kept[matcher.near[0][0]]), pending, len(matcher.near)),
                stacklevel=2,
            )
        for j, o in enumerate(self.objectives):
            for row in np.flatnonzero(o.far_outside(Y[:, j])):
                far = RangeWarning(int(kept[row]), int(recorded[row]), o, float(Y[row, j]))
                warnings.warn(far, stacklevel=2)
        data = self.data
        if repeats:
            warn_repeats(
                [(int(kept[row]), e) for row, e in repeats],
                data,
                [int(recorded[row]) for row, _ in repeats],
            )
        return data.set_index("experiment").loc[recorded].reset_index()

    @staticmethod
    def _kept(ids: list[int | None], Y: np.ndarray, cancelled: set[int]) -> np.ndarray:
        """The rows to record: all but those naming a cancelled experiment with no result
        (the sheet's row of an experiment dropped before it was run), skipped with a
        warning. A result under a cancelled id is refused later, by the matcher."""
        skipped = [row for row, i in enumerate(ids) if i in cancelled and np.isnan(Y[row]).all()]
        if skipped:
            warnings.warn(
                f"results, row {skipped[0]}: experiment(s) "
                f"{', '.join(str(ids[row]) for row in skipped)} were cancelled and have no "
                "result; their row(s) were skipped",
                UserWarning,
                stacklevel=3,
            )
        return np.setdiff1d(np.arange(len(ids)), skipped)

    def _repeats(self, settings: list, results: list, ids: list[int | None]) -> list:
        """``(row, experiment)`` for each result without an id whose settings and results
        are exactly those of an experiment recorded before (the same table added twice?)."""
        missing = [row for row, i in enumerate(ids) if i is None]
        if not missing:
            return []
        found = self._store.repeats(
            [settings[row] for row in missing], [results[row] for row in missing]
        )
        return [(row, e) for row, e in zip(missing, found, strict=True) if e is not None]

    def cancel(self, experiments: Any = None) -> int:
        """Forget pending experiments (all by default); returns how many were dropped.

        The campaign keeps their ids: a result recorded later under one of them is refused
        with the fix (clear the id to record it as a new experiment), a row under one with
        no result (the sheet's row of the run never made) is skipped by :meth:`add`, and
        :meth:`cancelled` lists them.

        Parameters
        ----------
        experiments : int, sequence of int or DataFrame, optional
            Experiment ids, or the table :meth:`~.campaign.Campaign.design` or
            :meth:`~.campaign.Campaign.suggest` returned.

        Raises
        ------
        CampaignError
            When one of them is not pending (unknown or recorded); nothing is cancelled.
        """
        ids = None if experiments is None else given_ids(experiments)
        self._changed()
        return self._store.cancel(ids)

    def exclude(self, experiments: Any, reason: str) -> pd.DataFrame:
        """Leave recorded experiments out of the models, :meth:`best` and :meth:`pareto`
        (a contaminated sample, a failed sensor), keeping them in the file.

        Their ``status`` in :attr:`data` becomes ``'excluded'``; :meth:`include` takes them
        back in. With candidates, an excluded experiment's row counts as not run, so it may
        be suggested again. Every exclusion is kept, with its reason, in :meth:`history`.

        Parameters
        ----------
        experiments : int, sequence of int or DataFrame
            Ids of experiments done or failed (the ``experiment`` column of :attr:`data`).
        reason : str
            Why they are left out (for the audit trail and the report).

        Returns
        -------
        DataFrame
            The excluded rows of :attr:`data`.

        Raises
        ------
        CampaignError
            When one of them is unknown, pending, or already excluded; nothing is changed.
        """
        return self._revise("exclude", given_ids(experiments), reason)

    def include(self, experiments: Any, reason: str = "included again") -> pd.DataFrame:
        """Take excluded experiments back into the models (undoes :meth:`exclude`).

        Parameters
        ----------
        experiments : int, sequence of int or DataFrame
            Ids of excluded experiments.
        reason : str, default='included again'
            Kept in :meth:`history`.

        Returns
        -------
        DataFrame
            Their rows of :attr:`data` (done or failed again).

        Raises
        ------
        CampaignError
            When one of them is unknown or not excluded; nothing is changed.
        """
        return self._revise("include", given_ids(experiments), reason)

    def correct(self, experiment: int, values: Mapping[str, Any], reason: str) -> pd.DataFrame:
        """Replace wrongly recorded values of one experiment (a typing error, the setting
        actually run), keeping the old values in :meth:`history`.

        Parameters
        ----------
        experiment : int
            Id of an experiment done, failed or excluded.
        values : mapping of str to value
            New values of parameters and objectives, by name; the others stay as recorded.
            NaN or None for an objective makes the run a failed one; a value for every
            objective of a failed run makes it done.
        reason : str
            Why (for the audit trail and the report).

        Returns
        -------
        DataFrame
            The experiment's row of :attr:`data` after the correction.

        Raises
        ------
        ValueError
            For a name that is neither a parameter nor an objective, or values equal to
            those recorded (nothing to correct).
        SpaceError, DataError
            When the corrected settings are outside the space (or, with candidates, not a
            candidate row), or a result is not a measurement.
        CampaignError
            When the experiment is unknown or pending; nothing is changed.
        """
        ids = check_correction(experiment, values, [*self.space.names, *self.names])
        return self._revise("correct", ids, reason, values)

    def _revise(self, action: str, ids: list[int], reason: Any, values=None) -> pd.DataFrame:
        reason = check_reason(reason)
        if not ids:
            raise ValueError(f"{action}: no experiment given; give experiment ids")
        ids = list(dict.fromkeys(ids))  # an id given twice is changed once
        change = None
        if action == "correct":
            index = None if self._Zc is None else self._index
            change = correction(self.space, self.objectives, values, index)
        from .surrogate import reselected  # the memory's format; no model is fitted here

        # the model class kept in the file was chosen on the results before the change
        stale = {"surrogate": lambda state: reselected(state or {})}
        changed = self._store.revise(action, ids, reason, change, meta=stale)
        self._changed(revised=True)
        data = self.data.set_index("experiment")
        if action == "include" and self.candidates is not None:
            warn_rerun(data, changed)
        return data.loc[changed].reset_index()

    def _changed(self, revised: bool = False) -> None:
        """Called after experiments were recorded, cancelled or (``revised``) excluded,
        included or corrected; :class:`~.campaign.Campaign` forgets its fitted models (and
        after a revision reads the model choice the file now holds)."""

    def _excluded_note(self) -> str:
        excluded = self.data.query("status == 'excluded'")["experiment"].tolist()
        if not excluded:
            return ""
        return f" in use: experiment(s) {excluded} are excluded (include() takes them back)"

    def history(self) -> pd.DataFrame:
        """Every change made to recorded experiments, oldest first: the audit trail.

        Returns
        -------
        DataFrame
            ``revision``, ``experiment``, ``action`` (exclude, include or correct),
            ``before`` and ``after`` (dicts of the values changed; for an exclusion, the
            ``excluded`` reason), ``reason`` and ``created`` (UTC time).
        """
        return self._store.revisions()

    def cancelled(self) -> pd.DataFrame:
        """The experiments planned and then cancelled (:meth:`cancel`), oldest first.

        Returns
        -------
        DataFrame
            ``experiment``, ``batch``, the settings planned, and ``cancelled`` (UTC time;
            ``cancelled (time)`` in a file from before that name was reserved that has a
            parameter called ``cancelled``).
        """
        entries = self._store.meta().get("cancelled", [])
        when = "cancelled (time)" if "cancelled" in self.space.names else "cancelled"
        rows = [
            {"experiment": e["experiment"], "batch": e["batch"], **e["settings"],
             when: e["created"]}
            for e in entries
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=["experiment", "batch", *self.space.names, when])

    def best(self) -> pd.DataFrame:
        """The best experiment measured so far (one row of :attr:`data`).

        The largest score of a single objective; for several objectives the largest
        desirability (added as column ``desirability``), and while every result has
        desirability 0 (a bound no result has reached), the one closest to acceptable
        (:meth:`~.desirability.Desirability.ranking`: a result at least as good in every
        objective is never passed over for another). Raises CampaignError without results.
        """
        done = self.data.query("status == 'done'").reset_index(drop=True)
        if len(done) == 0:
            every = " for every objective" if len(self.objectives) > 1 else ""
            raise CampaignError(
                f"no experiment has a result{every} yet (a run missing one is recorded as "
                f"failed){self._excluded_note()}"
            )
        if len(self.objectives) == 1:
            score = self.objectives[0].score(done)
        else:
            combined = Desirability(self.objectives)
            done["desirability"] = combined.score(done)
            score = combined.ranking(done)
        return done.iloc[[int(np.nanargmax(np.where(np.isnan(score), -np.inf, score)))]]

    def pareto(self) -> pd.DataFrame:
        """The experiments on the Pareto front of the objectives (rows of :attr:`data`)."""
        done = self.data.query("status == 'done'")
        return done[_pareto_mask(objective_matrix(self.objectives, done))]

    def export(self, path: str | os.PathLike) -> None:
        """Write :attr:`data` as a CSV file (atomically: never half-written).

        An existing file is replaced only when it is a table of this campaign (an earlier
        export, or a sheet) whose every result the campaign has recorded: never a sheet
        holding results typed in but not added yet, nor any other file.

        Parameters
        ----------
        path : str or path
            A name ending in ``.csv``.

        Raises
        ------
        StoreError
            When ``path`` does not end in ``.csv`` (for ``.xlsx`` use
            ``campaign.data.to_excel``), is the campaign file, holds results not recorded
            or is not a table of the campaign, or cannot be written.
        """
        where = os.fspath(path)
        suffix = os.path.splitext(where)[1].lower()
        if suffix != ".csv":
            kind = f"not {_NOT_CSV[suffix]} " if suffix in _NOT_CSV else ""
            raise StoreError(
                f"export writes CSV {kind}({where!r}): give a name ending in .csv, or write "
                "campaign.data with pandas (e.g. to_excel)"
            )
        check_output_file(path)  # the campaign file, or SQLite's files beside it
        data = self.data
        at_risk = unrecorded_results(
            path, data, self.names, self.space.names, self.history(),
            self.cancelled()["experiment"],
        )  # fmt: skip
        if not at_risk.sheet:
            raise StoreError(
                f"{where!r} exists and is not a table of this campaign (no 'experiment' "
                "column): export replaces only its own earlier exports; give another name or "
                "move the file away"
            )
        if at_risk:
            raise StoreError(
                f"{where!r} holds results not recorded in this campaign: "
                f"{at_risk.described()}; add them first (campaign.add(pd.read_csv(...))), "
                "correct the values recorded (campaign.correct(...)), or export under another "
                "name"
            )
        write_csv(data, path)
