"""Campaigns: the experiment loop of design, suggest, run and add (layer 4).

A :class:`Campaign` ties the pieces together and keeps every experiment in a
:class:`~.store.CampaignStore` (a SQLite file, or memory): the space of settings
(:mod:`.space`), the objectives (:mod:`.objectives`), the first design (:mod:`.design`), the
surrogate models (:mod:`.surrogate`) and the next batch (:mod:`.planning`). Suggested
experiments are recorded as *pending*, so the next batch knows them (they are fantasized like
the batch itself), and :meth:`Campaign.add` completes them (:mod:`.results`). Several
processes may share a campaign file: results are never lost, and a batch chosen while
another process recorded experiments is chosen again before it is recorded.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import (
    check_bool,
    check_choice,
    check_positive,
    check_rng,
    did_you_mean,
)
from ..exceptions import CampaignError, DataError, SpaceError, StoreError, YieldlabError
from .acquisition import ACQUISITIONS
from .design import make_design
from .desirability import Desirability, as_objectives
from .optimizer import NoSettingLeft
from .pareto import objective_matrix
from .pareto import pareto_mask as _pareto_mask
from .planning import optimized_batch, prediction_table, space_filling
from .recommendation import RANKING_COLUMNS, matching, predicted_optimum, ranked_runs
from .results import (
    META_COLUMNS,
    NearMatchWarning,
    PendingMatcher,
    candidate_index,
    candidate_rows,
    check_measurements,
    check_results,
    experiment_ids,
    experiment_table,
    first_duplicate,
    is_whole,
    write_csv,
)
from .space import Space
from .specs import objective_from_dict
from .store import CampaignStore, StaleSnapshot
from .surrogate import MODELS, Surrogate, model_inputs

__all__ = ["MULTI_OBJECTIVE", "Campaign"]

MULTI_OBJECTIVE = ("desirability", "pareto", "parego")
# NOTE: another process recording pending experiments between our read and our write makes
# the batch stale; it is recomputed (each attempt sees the other's rows as pending).
_ATTEMPTS = 5
# file name endings export() refuses: CSV text under them would not open
_NOT_CSV = {
    ".xlsx": "Excel", ".xls": "Excel", ".ods": "OpenDocument", ".json": "JSON",
    ".parquet": "Parquet", ".db": "SQLite", ".sqlite": "SQLite", ".html": "HTML",
}  # fmt: skip
# the keyword options of make_design that design() passes on
_DESIGN_OPTIONS = ("model", "levels", "n_center", "generator", "face", "categorical")
# the options every campaign file holds
_OPTIONS = ("acquisition", "multi_objective", "surrogate", "beta", "n_initial", "seed")
# single suggestions whose values of the shared parameters are compared (suggest(shared=))
_SHARED_OPTIONS = 4


def _values(settings: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """The first row's values of ``names`` as plain Python values."""
    row = settings[names].iloc[0]
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}


def _count(name: str, n: Any) -> int:
    return int(check_positive(name, n, strict=False, integer=True))


def _experiment_ids(experiments: Any) -> list[int]:
    """Experiment ids from an int, a sequence of ints or a table with ``experiment``."""
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


def _one_setting(text: str, where: str) -> str:
    """A message about a table of settings, reworded for the one setting of ``where``
    (no row numbers, no counts over rows)."""
    text = re.sub(r"^(results, )?(correct\(experiment \d+\))?,? ?(row 0)?[,:]? ?", "", text)
    text = re.sub(r";? ?\(?\b1 (row|value)\(s\) [^;()]*in all\)?", "", text)
    return f"{where}: {text.strip()}"


def _check_names(space: Space, objectives: list[Any]) -> None:
    """Refuse parameter and objective names that clash with each other or with a column a
    campaign adds to its tables (``experiment``, ``status``, ``<objective>_mean``...)."""
    added = {name: "a column yieldlab adds" for name in (*META_COLUMNS, "desirability")}
    added.update({name: "a column best_predicted() adds" for name in RANKING_COLUMNS})
    for o in objectives:
        for kind in ("mean", "std"):
            added[f"{o.name}_{kind}"] = f"the column of the predicted {kind} of {o.name!r}"
    for name in space.names:
        if name in added:
            raise ValueError(
                f"parameter {name!r} has the name of {added[name]} to suggestions and data; "
                f"rename it (e.g. {name + '_setting'!r})"
            )
    for o in objectives:
        if o.name in space.names:
            raise ValueError(f"objective {o.name!r} has the name of a parameter; rename one")
        if o.name in added:
            raise ValueError(
                f"objective {o.name!r} has the name of {added[o.name]} to suggestions and "
                f"data; rename it (e.g. {o.name + '_measured'!r})"
            )


def _label_text(value: Any) -> str:
    """A candidate label as text, so ``5``, ``5.0``, ``'5'`` and ``'005'`` (a label read back
    from a CSV, which turns ``'005'`` into 5) compare equal."""
    text = str(value).strip()
    if isinstance(value, bool):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isfinite(number) and number.is_integer():
        return str(int(number))
    return repr(number) if math.isfinite(number) else text


def _check_candidate_column(given: pd.Series, rows: list[int], labels: pd.Index) -> None:
    """Refuse results whose ``candidate`` label is unknown or names another row than their
    settings (a mix-up between wells, say); an empty label is left to the settings."""
    known = {_label_text(label) for label in labels}
    for i, (value, row) in enumerate(zip(given, rows, strict=True)):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        text, actual = _label_text(value), _label_text(labels[row])
        if text == actual:
            continue
        where = f"results, row {i}: candidate {value!r}"
        if text not in known:
            raise CampaignError(
                f"{where} is not a row of the candidates table; correct it, or leave the "
                "candidate empty and the settings say which row it is"
            )
        raise CampaignError(
            f"{where} does not match the settings, which are those of candidate "
            f"{labels[row]!r}; correct the settings or the candidate label"
        )


def _candidate_labels(index: pd.Index) -> None:
    """Refuse candidate row labels the campaign file cannot keep or tell apart."""
    fix = "give the table a plain index, e.g. candidates.reset_index()"
    if isinstance(index, pd.MultiIndex):
        raise ValueError(f"candidates has a MultiIndex of row labels; {fix}")
    if index.hasnans:
        raise ValueError(f"candidates has a missing row label; {fix}")
    if index.has_duplicates:
        label = index[index.duplicated()][0]
        raise ValueError(f"candidates has the row label {label!r} twice; {fix}")
    for label in index:
        plain = label.item() if isinstance(label, np.generic) else label
        if not isinstance(plain, str | int | float) or isinstance(plain, bool):
            raise TypeError(
                f"candidates has the row label {label!r} of type {type(label).__name__}; "
                f"labels must be text or numbers: {fix}, or candidates.set_axis(...) with text"
            )


class Campaign:
    """An optimization campaign: which experiments to run next, and what they found.

    Parameters
    ----------
    space : Space
        The allowed settings.
    objectives : Objective or sequence of Objective
        What to optimize (columns of the results).
    candidates : DataFrame, optional
        Allowed settings, one per row (e.g. the wells of a plate); suggestions then come only
        from rows not yet run or pending. Its index labels identify the rows.
    path : str or path, optional
        A new SQLite file for the campaign (resume it with :meth:`open`); default in memory.
    random_state : None, int or numpy.random.Generator
        Seed; the same seed and the same results give the same suggestions.
    acquisition : {'ei', 'nei', 'ucb', 'thompson'}, default='ei'
        Log expected improvement over the best result measured, the same over the best
        posterior mean at the settings run (noisy-EI plug-in, not inflated by a lucky
        measurement but prone to stay in the first basin found; see
        :mod:`.acquisition`), upper confidence bound or Thompson sampling.
    multi_objective : {'desirability', 'pareto', 'parego'}, default='desirability'
        How several objectives combine: expected improvement of the Derringer-Suich
        desirability (one compromise); ``'pareto'``, the whole Pareto front by expected
        hypervolume improvement (with ``acquisition='ucb'`` or ``'thompson'``, which need
        one score, by ParEGO), counted from :func:`~.pareto.reference_point` (give
        ``Maximize(low=)``/``Minimize(high=)`` to say what is not worth having); or
        ``'parego'``, a random Chebyshev scalarization per suggestion (Knowles 2006).
    surrogate : {'auto', 'gp'}, default='auto'
        Model choice (see :class:`~.surrogate.Surrogate`).
    beta : float, default=2.0
        UCB's weight of the standard deviation.
    n_initial : int, default=5
        Results needed before the models take over from the space-filling design (the
        priors of the GP make five enough; more wastes batches on a small screen).
    explore : bool, default=True
        With ``'ei'`` or ``'nei'``, a batch of three or more gives its last pick to a
        Thompson draw (the best setting under one draw from the model's posterior) instead
        of expected improvement, so a catalyst or region written off on a few unlucky runs
        still gets a chance in proportion to its probability of being the best
        (:func:`~.acquisition.select_batch`). Batches of one or two, the Pareto modes (whose
        batches already spread along the front) and ``explore=False`` are pure expected
        (hypervolume) improvement.

    Examples
    --------
    >>> from yieldlab.experiments.ranges import Real
    >>> from yieldlab.experiments.objectives import Maximize
    >>> campaign = Campaign(Space([Real("x", 0, 1)]), Maximize("y"), random_state=0)
    >>> first = campaign.design(5)
    >>> campaign.add(first.assign(y=-(first["x"] - 0.3) ** 2)).shape[0]
    5
    >>> for _ in range(4):
    ...     batch = campaign.suggest(1)
    ...     _ = campaign.add(batch.assign(y=-(batch["x"] - 0.3) ** 2))
    >>> round(float(campaign.best()["x"].iloc[0]), 2)
    0.3
    """

    def __init__(
        self,
        space: Space,
        objectives: Any,
        candidates: pd.DataFrame | None = None,
        path: str | os.PathLike | None = None,
        random_state: Any = None,
        *,
        acquisition: str = "ei",
        multi_objective: str = "desirability",
        surrogate: str = "auto",
        beta: float = 2.0,
        n_initial: int = 5,
        explore: bool = True,
    ) -> None:
        if not isinstance(space, Space):
            raise TypeError(f"space={space!r} has the wrong type; expected a Space")
        objectives = as_objectives(objectives)
        _check_names(space, objectives)
        options = {
            "acquisition": check_choice("acquisition", acquisition, ACQUISITIONS),
            "multi_objective": check_choice("multi_objective", multi_objective, MULTI_OBJECTIVE),
            "surrogate": check_choice("surrogate", surrogate, MODELS),
            "beta": float(check_positive("beta", beta, strict=False)),
            "n_initial": _count("n_initial", n_initial),
            "explore": check_bool("explore", explore),
            "seed": int(check_rng(random_state).integers(2**63 - 1)),
        }
        rows = []
        if candidates is not None:
            if not isinstance(candidates, pd.DataFrame):
                raise TypeError("candidates must be a pandas DataFrame of allowed settings")
            if len(candidates) == 0:
                raise ValueError("candidates has no rows; give the table of allowed settings")
            _candidate_labels(candidates.index)
            valid = space.validate(candidates, where="candidates", allow_extra=True)
            twice = first_duplicate(space.encode(valid))
            if twice is not None:
                first, second = (candidates.index[k] for k in twice)
                raise ValueError(
                    f"candidates: the rows {first!r} and {second!r} have the same settings; "
                    "a campaign cannot tell them apart (results are matched to rows by their "
                    "settings): keep one, and record replicates as repeated results"
                )
            rows = [
                (label, dict(zip(space.names, values, strict=True)))
                for label, values in zip(
                    candidates.index, valid.itertuples(index=False), strict=True
                )
            ]
        meta = {
            "format": "yieldlab campaign",
            "space": space.to_dict(),
            "objectives": [o.to_dict() for o in objectives],
            "options": options,
            "candidates": candidates is not None,
        }
        self._attach(CampaignStore.create(path, meta, rows))

    def _attach(self, store: CampaignStore) -> None:
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
        self._state = meta.get("surrogate", {})
        self.candidates, self._Zc, self._index = None, None, {}
        if meta.get("candidates"):
            labels, settings = store.candidates()
            frame = pd.DataFrame(settings, columns=self.space.names)
            self.candidates = self.space.validate(frame).set_axis(pd.Index(labels), axis=0)
            self._Zc = self.space.encode(self.candidates)
            self._index = candidate_index(self._Zc)
        self._fitted = None

    @classmethod
    def open(cls, path: str | os.PathLike) -> Campaign:
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
            f"Campaign({len(self.space)} parameters, {self.names}, "
            f"{len(self._store.experiments())} experiments, {where!r})"
        )

    @property
    def names(self) -> list[str]:
        """Objective names."""
        return [o.name for o in self.objectives]

    # -- the table of experiments --------------------------------------------------------------

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

    def _rng(self, salt: int, count: int | None = None) -> np.random.Generator:
        count = len(self._store.experiments()) if count is None else count
        return np.random.default_rng([self.options["seed"], salt, count])

    # -- what to run -------------------------------------------------------------------------

    def design(self, n: int | None, method: str = "lhs", **options: Any) -> pd.DataFrame:
        """The first experiments to run, recorded as pending.

        Parameters
        ----------
        n : int or None
            Number of runs; ``None`` for the natural size of a structured design (factorial,
            fractional, central composite, Box-Behnken). With candidates, at most the rows
            left (a warning says when fewer are planned).
        method : str, default='lhs'
            Any method of :func:`~.design.make_design`; further ``options`` go there too.

        Returns
        -------
        DataFrame
            ``experiment`` (its id) and the settings; with candidates, indexed by their labels.
        """
        n = None if n is None else _count("n", n)
        for key in options:
            if key not in _DESIGN_OPTIONS:
                raise TypeError(
                    f"design() has no option {key!r}{did_you_mean(key, _DESIGN_OPTIONS)}; the "
                    f"options are {list(_DESIGN_OPTIONS)} (see make_design)"
                )
        if self.candidates is not None:
            left = self._available(n or 1, len(self._remaining()), "design")
            n = None if n is None else left

        def plan() -> tuple[pd.DataFrame, None]:
            rng = self._rng(1)
            if self.candidates is None:
                return make_design(self.space, n, method, rng, **options), None
            rest = self._remaining()
            size = None if n is None else min(n, len(rest))
            design = make_design(self.space, size, method, rng, candidates=rest, **options)
            return design, None

        return self._propose(plan, "design")

    def _available(self, n: int, left: int, what: str) -> int:
        """``n``, or the ``left`` candidate rows when fewer (with a warning; none: error)."""
        if left == 0:
            raise CampaignError(
                f"no candidate is left to {what}: all {len(self.candidates)} rows have been "
                "run or are pending (cancel() pending experiments to free theirs)"
            )
        if left < n:
            warnings.warn(
                f"{what}: only {left} candidate rows are left (not run, not pending); "
                f"returning {left} instead of {n}",
                UserWarning,
                stacklevel=3,
            )
        return min(n, left)

    def _remaining(self, fixed: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """The candidate rows not run and not pending (with ``fixed`` values only)."""
        experiments = self._store.experiments()
        # an excluded experiment does not count as run: its candidate is free again
        used = experiments.loc[experiments["excluded"].isna(), "candidate"].dropna().astype(int)
        keep = matching(self.candidates, self.space, fixed or {})
        keep[used.to_numpy()] = False
        return self.candidates[keep]

    def _fixed(self, fixed: Any) -> dict[str, Any]:
        """``fixed`` checked against the space: canonical values by parameter name."""
        if fixed is None:
            return {}
        if not isinstance(fixed, Mapping):
            raise TypeError(
                f"fixed={fixed!r} has the wrong type; expected a mapping of parameter names "
                "to the value each is held at, such as {'temperature': 80}"
            )
        out = {}
        for name, value in fixed.items():
            if name not in self.space:
                raise ValueError(
                    f"fixed: {name!r} is not a parameter{did_you_mean(name, self.space.names)}; "
                    f"the parameters are {self.space.names}"
                )
            if np.ndim(value) != 0:
                given = (
                    f"{len(value)} values ({type(value).__name__})"
                    if hasattr(value, "__len__")
                    else repr(value)
                )
                raise TypeError(
                    f"fixed: {name!r} is given {given}; give the one value it is held at"
                )
            try:
                out[name] = self.space[name].validate([value])[0]
            except SpaceError as exc:
                raise SpaceError(_one_setting(str(exc), "fixed")) from None
            if isinstance(out[name], np.generic):
                out[name] = out[name].item()
        restricted = out and self.candidates is None and self.space.has_restrictions
        if restricted and not len(self.space.sample(1, 0, fixed=out, fewer_ok=True)):
            raise SpaceError(
                f"fixed={out!r}: no setting with these values that satisfies the space's "
                "constraints and exclusions was found; hold fewer parameters or other "
                "values"
            )
        return out

    def _no_row(self, fixed: dict[str, Any]) -> str:
        """Why no candidate row has the ``fixed`` values: the first value no row has, with
        the values the rows have, or else the combination."""
        for name, value in fixed.items():
            if not matching(self.candidates, self.space, {name: value}).any():
                present = set(self.candidates[name].tolist())
                present = sorted(present, key=float if self.space[name].is_numeric else str)
                shown = ", ".join(map(str, present[:10])) + (", ..." if len(present) > 10 else "")
                return f"no candidate row has {name}={value} (the rows have {shown})"
        return f"no candidate row has {fixed}"

    def _propose(self, plan, source: str) -> pd.DataFrame:
        """Compute settings with ``plan()`` and record them as pending, recomputing when
        another process recorded experiments in between (so no two processes are given the
        same setting)."""
        for _ in range(_ATTEMPTS):
            last = (self._store.last_id(), self._store.last_revision())
            settings, extra = plan()
            try:
                return self._record_pending(settings, source, extra, last)
            except StaleSnapshot:
                self._fitted = None
        raise CampaignError(
            f"other processes recorded experiments during each of {_ATTEMPTS} attempts to "
            f"{source} a batch; try again"
        )

    def _record_pending(self, settings, source, extra, last) -> pd.DataFrame:
        settings = self.space.validate(settings[self.space.names])
        rows = candidate_rows(self.space, self._index, settings) if self._Zc is not None else None
        ids = self._store.add_pending(
            [
                dict(zip(self.space.names, r, strict=True))
                for r in settings.itertuples(index=False)
            ],
            source,
            rows,
            last_id=last[0],
            last_revision=last[1],
        )
        out = pd.concat(
            [
                pd.DataFrame({"experiment": ids}, index=settings.index),
                settings,
                extra.set_axis(settings.index) if extra is not None else None,
            ],
            axis=1,
        )
        self._fitted = None
        return out

    def suggest(
        self, n: int = 1, fixed: Mapping[str, Any] | None = None, shared: Any = None
    ) -> pd.DataFrame:
        """The next ``n`` experiments, recorded as pending.

        With fewer than ``n_initial`` results, a space-filling design (greedy maximin distance
        to the experiments run and pending). Otherwise the surrogate models are fitted
        and the acquisition maximized, batch and pending experiments fantasized
        (:func:`~.acquisition.select_batch`). Safe with several processes suggesting from
        the same file: a batch computed while another process recorded experiments is
        recomputed, so no setting is given out twice. With candidates, at most the rows left
        (not run, not pending): fewer than ``n`` with a warning, a CampaignError when none.

        Parameters
        ----------
        n : int, default=1
            Number of experiments.
        fixed : mapping of str to value, optional
            Parameters held at one value for this batch (the oven is at 80 C this week, only
            the palladium is in stock): ``{"temperature": 80}``. The others are chosen as
            usual, by the models fitted to every result; with candidates, only rows with
            these values are suggested.
        shared : str or list of str, optional
            Parameters that take one value across the batch, chosen by the campaign (a
            plate runs at one temperature, a batch uses one lot of catalyst): JMP's
            hard-to-change factors. The value is the best for the batch as a whole: the
            batches at the values the best few single suggestions have are compared by
            their summed acquisition. Before the models take over, the value of the first
            space-filling setting.

        Returns
        -------
        DataFrame
            ``experiment``, the settings, ``<objective>_mean`` and ``<objective>_std`` (the
            prediction of a new measurement) and ``acquisition`` (expected improvement of the
            score for ``'ei'`` and ``'nei'``, the bound for ``'ucb'``, the drawn score for
            ``'thompson'``; with ``explore``, the last row of a batch of three or more is
            the Thompson pick, whose expected improvement is usually the lowest);
            with candidates, indexed by their labels.
        """
        n = _count("n", n)
        fixed = self._fixed(fixed)
        shared = self._shared(shared, fixed)
        with_fixed = f" with {fixed}" if fixed else ""
        if n == 0:
            return pd.DataFrame(columns=["experiment", *self.space.names])
        if self.candidates is not None:
            left = len(self._remaining(fixed))
            if fixed and left == 0:
                some = matching(self.candidates, self.space, fixed).any()
                raise CampaignError(
                    (
                        f"suggest: every candidate row{with_fixed} has been run or is pending"
                        if some
                        else f"suggest: {self._no_row(fixed)}"
                    )
                    + "; hold other values, or none"
                )
            n = self._available(n, left, "suggest" + with_fixed)
        out = self._propose(lambda: self._plan(n, fixed, shared), "suggest")
        if len(out) == n:
            return out
        # settings run count as taken until the models take over; after, a setting run may
        # be suggested again (a replicate) and only pending ones are taken
        modelled = self._modelled(self._split()[0])
        if len(out) == 0:
            taken = "is pending" if modelled else "has been run or is pending"
            raise CampaignError(
                f"suggest: no new setting{with_fixed} is left; every such setting of the space "
                f"{taken} (cancel() pending experiments to free theirs, or widen the space)"
            )
        if shared:  # the batch is short at the value chosen for it
            with_fixed = f" with {fixed | _values(out, shared)}"
        warnings.warn(
            f"suggest: only {len(out)} distinct new settings{with_fixed} are left in the "
            f"space (not {'' if modelled else 'run, not '}pending); returning {len(out)} "
            f"instead of {n}"
            + (f" (shared {shared}: the value with the best batch)" if shared else ""),
            UserWarning,
            stacklevel=2,
        )
        return out

    def _plan(
        self, n: int, fixed: dict[str, Any], shared: list[str] = ()
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self.candidates is not None:
            n = min(n, len(self._remaining(fixed)))
        run, Z, Zp = self._split()
        if not self._modelled(run):
            taken = np.vstack([Z, Zp])
            if shared:  # the shared values of the plan's next setting
                values = _values(self._space_filling(1, taken, fixed)[0], shared)
                fixed = {**fixed, **values}
                # the other parameters spread as if every experiment had these values, so
                # the batch goes on with the plan instead of repeating the last one's
                mask, row = self.space.encoded_values(values)
                taken = np.where(mask, row, taken)
            return self._space_filling(n, taken, fixed)
        # NOTE: the matrices are small; BLAS threads only contend with each other here
        with threadpool_limits(1):
            if shared and n > 1:
                return self._shared_batch(n, run, Z, Zp, fixed, shared)
            return self._optimize(n, run, Z, Zp, fixed)

    def _shared_batch(self, n, run, Z, Zp, fixed, shared) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The batch of ``n`` whose ``shared`` parameters take one value: of the values the
        best few single suggestions have (values within 0.1% of a parameter's range count
        as one; in a screen also the value with the most rows left), the one whose batch has
        the largest summed acquisition (a full batch before a smaller one)."""
        options = self._optimize(_SHARED_OPTIONS, run, Z, Zp, fixed)[0][shared]
        if self.candidates is not None:
            left = self._remaining(fixed).groupby(shared, sort=False).size()
            if len(left):
                most = left.idxmax() if len(shared) > 1 else (left.idxmax(),)
                options = pd.concat([options, pd.DataFrame([most], columns=shared)])
        encoded = np.hstack([self.space[name].encode(options[name].tolist()) for name in shared])
        _, first = np.unique(np.round(encoded, 3), axis=0, return_index=True)
        best, best_key = None, None
        for row in sorted(first):
            held = {**fixed, **_values(options.iloc[[row]], shared)}
            batch = self._optimize(n, run, Z, Zp, held)
            key = (len(batch[0]), float(np.nansum(batch[1]["acquisition"])))
            if best_key is None or key > best_key:
                best, best_key = batch, key
        return best if best is not None else self._optimize(n, run, Z, Zp, fixed)

    def _shared(self, shared: Any, fixed: dict[str, Any]) -> list[str]:
        """``shared`` checked against the space: a list of parameter names."""
        if shared is None:
            return []
        names = [shared] if isinstance(shared, str) else shared
        wrong = isinstance(names, Mapping | bytes) or not np.iterable(names)
        if wrong or not all(isinstance(name, str) for name in names):
            raise TypeError(
                f"shared={shared!r} has the wrong type; expected a parameter name or a list "
                "of them, such as ['temperature']"
            )
        out = []
        for name in names:
            if name not in self.space:
                raise ValueError(
                    f"shared: {name!r} is not a parameter"
                    f"{did_you_mean(name, self.space.names)}; the parameters are "
                    f"{self.space.names}"
                )
            if name in fixed:
                raise ValueError(
                    f"shared: {name!r} is also held by fixed; a held value is shared by the "
                    "batch already, give it in one of the two"
                )
            if name not in out:
                out.append(name)
        return out

    def _modelled(self, run: pd.DataFrame) -> bool:
        """Whether the models plan the next batch (enough results), not a space-filling
        design."""
        done = int((run["status"] == "done").sum())
        return done > 0 and done >= self.options["n_initial"]

    def _optimize(self, n, run, Z, Zp, fixed=None) -> tuple[pd.DataFrame, pd.DataFrame]:
        posterior = self._posterior(run, Z)
        try:
            picks, values = self._batch(posterior, n, run, Z, Zp, fixed)
        except NoSettingLeft:  # suggest() says so
            picks, values = np.zeros((0, self.space.n_encoded)), np.zeros(0)
        settings = self.space.decode(picks)
        if fixed and self._Zc is None:
            # the held values as given, not as decoded (0.30000000000000004 for 0.3)
            settings = settings.assign(**fixed)
        if self._Zc is not None:  # the rows' own values (2.3, not 2.2999999999999994)
            rows = candidate_rows(self.space, self._index, settings)
            settings = self.candidates.iloc[rows][self.space.names]
        extra = prediction_table(posterior, picks, self.names)
        expected = self.options["acquisition"] in ("ei", "nei")
        extra["acquisition"] = np.exp(values) if expected else values
        return settings, extra

    def _batch(self, posterior, n, run, Z, Zp, fixed) -> tuple[np.ndarray, np.ndarray]:
        return optimized_batch(
            posterior,
            self.space,
            self.objectives,
            run,
            Z,
            n,
            self._rng(2),
            pending=Zp,
            remaining=None if self._Zc is None else self.space.encode(self._remaining(fixed)),
            acquisition=self.options["acquisition"],
            multi_objective=self.options["multi_objective"],
            beta=self.options["beta"],
            explore=self.options["explore"],
            fixed=fixed,
        )

    def _space_filling(
        self, n: int, taken: np.ndarray, fixed: dict[str, Any] | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        remaining = None if self.candidates is None else self._remaining(fixed)
        rngs = (self._rng(3, 0), self._rng(4))  # the plan is fixed by the seed alone
        chosen = space_filling(
            self.space,
            n,
            taken,
            self.options["n_initial"],
            rngs,
            self.candidates,
            remaining,
            fixed=fixed,
        )
        columns = [f"{o}_{k}" for o in self.names for k in ("mean", "std")] + ["acquisition"]
        return chosen, pd.DataFrame(np.nan, index=range(len(chosen)), columns=columns)

    # -- models ------------------------------------------------------------------------------

    def _posterior(self, run: pd.DataFrame, Z: np.ndarray, save: bool = True):
        """The surrogate's posterior on the experiments ``run``, cached while they do not
        change. ``save=False`` (predict, best_predicted) leaves the model choice and the warm
        start of the next fit as they were, in memory and in the file, until a suggestion
        uses the same fit: asking does not change what is suggested later."""
        # a correction changes results without changing which experiments are run
        key = (len(run), tuple(run["experiment"]), self._store.last_revision())
        if self._fitted is None or self._fitted[0] != key:
            W, groups = model_inputs(self.space)
            surrogate = Surrogate(
                self.objectives,
                self.options["surrogate"],
                state=self._state,
                random_state=self.options["seed"],
                groups=groups,
                embedding=W,
            )
            Y = np.column_stack([o.values(run) for o in self.objectives])
            # NOTE: one BLAS thread, as in suggest(), so a fit asked for by predict() and
            # reused by suggest() is the same to the last digit
            with threadpool_limits(1):
                posterior = surrogate.fit(Z, Y)
            self._fitted = [key, posterior, surrogate.state]
        if save and self._fitted[2] is not None:
            self._state, self._fitted[2] = self._fitted[2], None
            self._store.set_meta("surrogate", self._state)
        return self._fitted[1]

    def predict(self, settings: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
        """Predicted mean and standard deviation of a new measurement of every objective.

        Parameters
        ----------
        settings : DataFrame or mapping
            One row per setting, a column per parameter; or one setting as a mapping of
            parameter names to values.

        Returns
        -------
        DataFrame of shape (n_samples, 2 * n_objectives)
            ``<objective>_mean`` and ``<objective>_std``, with the index of ``settings``.

        Raises
        ------
        CampaignError
            When no experiment has a result yet.

        Notes
        -----
        The model is built to find the optimum: results far on the bad side (beyond Tukey's
        outer fence, see :func:`~.surrogate.winsorized`) are fitted at the fence, so where
        they were measured the prediction is the fence, not the measurement.
        """
        if isinstance(settings, Mapping) and all(np.ndim(v) == 0 for v in settings.values()):
            settings = pd.DataFrame([settings])
        valid = self.space.validate(settings, where="settings", allow_extra=True)
        run, Z, _ = self._split()
        if (run["status"] == "done").sum() == 0:
            raise CampaignError(
                "no experiment has a result yet"
                + self._excluded_note()
                + "; add results before predict()"
            )
        posterior = self._posterior(run, Z, save=False)
        table = prediction_table(posterior, self.space.encode(valid), self.names)
        return table.set_axis(valid.index)

    # -- results ---------------------------------------------------------------------------

    def add(self, results: pd.DataFrame) -> pd.DataFrame:
        """Record measured results (one transaction: all rows or none).

        Parameters
        ----------
        results : DataFrame
            The settings and one column per objective (empty or NaN for a failed run, which is
            recorded as failed). An ``experiment`` column (from :meth:`design` or
            :meth:`suggest`) says which pending experiment a row completes; without it a row
            completes the first pending experiment with the same settings, or is new.

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
        settings, Y = self._measured(frame, "results")
        Z = self.space.encode(settings)
        rows = None if self._Zc is None else candidate_rows(self.space, self._index, settings)
        if rows is not None and "candidate" in frame:
            _check_candidate_column(frame["candidate"], rows, self.candidates.index)
        ids = experiment_ids(frame)
        stored_settings = [
            dict(zip(self.space.names, r, strict=True)) for r in settings.itertuples(index=False)
        ]
        stored_results = [dict(zip(self.names, y, strict=True)) for y in Y]
        repeats = self._repeats(stored_settings, stored_results, ids)
        matcher = PendingMatcher(self.space, Z, ids)
        recorded = self._store.record(
            stored_settings, stored_results, np.isnan(Y).any(axis=1), matcher, rows
        )
        self._fitted = None
        if matcher.near:
            ids = sorted({p for _, p in matcher.near})
            warnings.warn(
                NearMatchWarning(matcher.near[0][0], ids, len(matcher.near)), stacklevel=2
            )
        data = self.data
        if repeats:
            rows, earlier = zip(*repeats, strict=True)
            status = data.set_index("experiment")["status"]
            excluded = [e for e in earlier if status.get(e) == "excluded"]
            warnings.warn(
                f"results, row {rows[0]} has no 'experiment' id and the same settings and "
                f"results as experiment {earlier[0]}, recorded before ({len(rows)} such "
                f"row(s), repeating experiment(s) {list(earlier)}); recorded again as "
                "replicates. If these results had been recorded already, they now count twice"
                + (
                    f"; experiment(s) {excluded} had been excluded, and the copies recorded "
                    "now are used by the models (exclude them too if that is wrong)"
                    if excluded
                    else ""
                ),
                UserWarning,
                stacklevel=2,
            )
        return data.set_index("experiment").loc[recorded].reset_index()

    def _measured(self, frame: pd.DataFrame, where: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The settings of ``frame`` checked against the space, and its measured values
        (NaN: a failed run) checked to be measurements; errors name ``where``."""
        settings = self.space.validate(frame, where=where, allow_extra=True)
        try:
            Y = np.column_stack([o.values(frame) for o in self.objectives])
        except DataError as exc:
            raise DataError(f"{where}, {exc}") from None
        check_measurements(Y, self.names)
        return settings, Y

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

        Parameters
        ----------
        experiments : int, sequence of int or DataFrame, optional
            Experiment ids, or the table :meth:`design` or :meth:`suggest` returned.

        Raises
        ------
        CampaignError
            When one of them is not pending (unknown or recorded); nothing is cancelled.
        """
        ids = None if experiments is None else _experiment_ids(experiments)
        self._fitted = None
        return self._store.cancel(ids)

    # -- changing the record -------------------------------------------------------------------

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
        return self._revise("exclude", _experiment_ids(experiments), reason)

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
        return self._revise("include", _experiment_ids(experiments), reason)

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
        ids = _experiment_ids(experiment)
        if len(ids) != 1:
            raise TypeError(
                f"experiment={experiment!r}: correct() changes one experiment at a time; "
                "give its id"
            )
        if not isinstance(values, Mapping):
            raise TypeError(
                f"values={values!r} has the wrong type; expected a mapping of parameter and "
                "objective names to new values, such as {'yield': 95.0}"
            )
        if not values:
            raise ValueError(
                "values is empty; give the new values by name, such as {'yield': 95.0}"
            )
        known = [*self.space.names, *self.names]
        for name in values:
            if name not in known:
                raise ValueError(
                    f"values: {name!r} is neither a parameter nor an objective of this "
                    f"campaign{did_you_mean(name, known)}; the names are {known}"
                )
        return self._revise("correct", ids, reason, values)

    def _corrected(self, values: Mapping[str, Any]):
        """The ``change`` callback of the store for :meth:`correct`: the new settings and
        results of an experiment, checked as :meth:`add` checks them."""

        def change(experiment: int, settings: dict, results: dict):
            row = {**settings, **{n: results.get(n) for n in self.names}, **values}
            frame = pd.DataFrame([row], columns=[*self.space.names, *self.names], dtype=object)
            where = f"correct(experiment {experiment})"
            try:
                valid, Y = self._measured(frame, where)
            except (SpaceError, DataError) as exc:
                raise type(exc)(_one_setting(str(exc), where)) from None
            new_row = None
            if self._Zc is not None:
                try:
                    new_row = int(candidate_rows(self.space, self._index, valid)[0])
                except CampaignError:
                    shown = {k: row[k] for k in self.space.names}
                    raise CampaignError(
                        f"{where}: the settings {shown!r} are not a row of the candidates; "
                        "give the settings of the candidate row that was run"
                    ) from None
            new_settings = dict(
                zip(self.space.names, next(valid.itertuples(index=False)), strict=True)
            )
            new_results = dict(zip(self.names, Y[0], strict=True))
            return new_settings, new_results, bool(np.isnan(Y).any()), new_row

        return change

    def _revise(self, action: str, ids: list[int], reason: Any, values=None) -> pd.DataFrame:
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                f"reason={reason!r}: give a reason in words (it is kept in the campaign's "
                "history and shown in its report), such as 'sensor failed'"
            )
        if not ids:
            raise ValueError(f"{action}: no experiment given; give experiment ids")
        ids = list(dict.fromkeys(ids))  # an id given twice is changed once
        change = self._corrected(values) if action == "correct" else None
        changed = self._store.revise(action, ids, reason.strip(), change)
        self._fitted = None
        # the surrogate's model was chosen on the data before the change: choose again
        for memory in self._state.values():
            memory["selected_at"] = 0
        self._store.set_meta("surrogate", self._state)
        data = self.data.set_index("experiment")
        if action == "include" and self.candidates is not None:
            self._warn_rerun(data, changed)
        return data.loc[changed].reset_index()

    def _warn_rerun(self, data: pd.DataFrame, included: list[int]) -> None:
        """Warn when an included experiment's candidate row was given to another
        experiment while it was excluded (the row is then run twice)."""
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
                    f"{label!r} was run or planned again while it was excluded (experiment(s) "
                    f"{others}); the row now counts twice (cancel a pending one if it is not "
                    "needed)",
                    UserWarning,
                    stacklevel=3,
                )

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

    def best(self) -> pd.DataFrame:
        """The best experiment measured so far (one row of :attr:`data`).

        The largest score of a single objective; for several objectives the largest
        desirability (added as column ``desirability``). Raises CampaignError without results.
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
            score = Desirability(self.objectives).score(done)
            done["desirability"] = score
        return done.iloc[[int(np.nanargmax(np.where(np.isnan(score), -np.inf, score)))]]

    def best_predicted(
        self, n: int = 1, among: str = "run", fixed: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        """The best settings according to the models: the measurement noise averaged out.

        :meth:`best` is the best result measured, and with noisy results the luckiest
        measurement tends to win. The models predict the mean of the process at each
        setting from every result near it, so their ranking is the one to trust when the
        results scatter, and they can say where the optimum lies between the experiments.

        Parameters
        ----------
        n : int, default=1
            Number of settings, best first.
        among : {'run', 'space'}, default='run'
            ``'run'``: the distinct settings with results (replicates together), each backed
            by its own measurements. ``'space'``: the largest predicted mean anywhere in the
            space (every candidate row in candidates mode), run or not; a setting not run
            yet is a prediction to confirm by running it. Without candidates, ``'space'``
            gives one setting (``n=1``).
        fixed : mapping of str to value, optional
            Only settings with these values, as in :meth:`suggest` (``{"catalyst": "Pd"}``:
            the best with the catalyst in stock).

        Returns
        -------
        DataFrame
            The settings; ``<objective>_mean`` and ``<objective>_std``, the predicted mean of
            the process and its standard deviation (measurement noise not included, unlike
            :meth:`predict`; a deep ensemble, when automatic modelling chose one, includes
            it); ``desirability`` of the means for several objectives. With
            ``among='run'`` also the average measured value of each objective, ``runs``
            (results at the setting) and ``experiments`` (their ids, as text such as
            ``"4, 9"``; failed runs are not counted), and with candidates ``candidate``, the
            row's label. With ``among='space'``, ``run``: whether the setting has been run
            (done or failed); with candidates, indexed by their labels. For several
            objectives, settings whose every predicted mean is beyond the best measured
            (desirability 1 by the bounds taken from the results) are ranked by how far
            beyond.

        Raises
        ------
        CampaignError
            When no experiment has a result yet, or none with the ``fixed`` values
            (``among='run'``).

        Examples
        --------
        >>> import yieldlab
        >>> space = yieldlab.Space([yieldlab.Real("x", 0, 1)])
        >>> campaign = yieldlab.Campaign(space, yieldlab.Maximize("y"), random_state=0)
        >>> runs = pd.DataFrame({"x": [0.1, 0.3, 0.5, 0.7, 0.9, 0.5]})
        >>> _ = campaign.add(runs.assign(y=[1.0, 3.1, 5.2, 2.9, 1.1, 4.8]))
        >>> top = campaign.best_predicted()
        >>> top[["x", "y", "runs", "experiments"]]
             x    y  runs experiments
        0  0.5  5.0     2        3, 6
        """
        n = int(check_positive("n", n, integer=True))
        among = check_choice("among", among, ("run", "space"))
        fixed = self._fixed(fixed)
        run, Z, _ = self._split()
        finished = (run["status"] == "done").to_numpy()
        if not finished.any():
            raise CampaignError(
                "no experiment has a result yet"
                + self._excluded_note()
                + "; add results before best_predicted()"
            )
        clash = [name for name in (*self.space.names, *self.names) if name in RANKING_COLUMNS]
        if clash:  # a file from before these columns were reserved
            raise ValueError(
                f"best_predicted: this campaign has a parameter or objective named "
                f"{clash[0]!r}, a column the ranking adds ({', '.join(RANKING_COLUMNS)}); the "
                "file predates that reservation, so its ranking cannot be shown"
            )
        done, Zd = run[finished], Z[finished]
        posterior = self._posterior(run, Z, save=False)
        if among == "run":
            keep = matching(done, self.space, fixed)
            if not keep.any():
                held = ", ".join(f"{k}={v!r}" for k, v in fixed.items())
                raise CampaignError(
                    f"best_predicted: no experiment with {held} has a result; hold other "
                    "values, or none (among='space' predicts settings not run)"
                )
            return ranked_runs(
                posterior, self.space, self.objectives, done[keep], Zd[keep], n, reference=done
            )
        return self._predicted_optimum(posterior, run, done, Zd, n, fixed)

    def _predicted_optimum(self, posterior, run, done, Zd, n, fixed) -> pd.DataFrame:
        if self._Zc is None and n > 1:
            raise ValueError(
                f"best_predicted(n={n}, among='space'): without candidates the predicted "
                "optimum is one setting; use n=1, or among='run' for a ranking of the "
                "settings run"
            )
        rows = None
        if self._Zc is not None:
            rows = np.flatnonzero(matching(self.candidates, self.space, fixed))
            if len(rows) == 0:
                raise CampaignError(f"best_predicted: {self._no_row(fixed)}")
        with threadpool_limits(1):
            order, predicted = predicted_optimum(
                posterior,
                self.space,
                self.objectives,
                done,
                Zd,
                self._rng(5, len(run)),  # pending experiments do not move it
                candidates=None if rows is None else self._Zc[rows],
                fixed=fixed,
            )
        if rows is None:
            settings = self.space.decode(order).assign(**fixed)
        else:
            settings = self.candidates.iloc[rows[order[:n]]]
        settings = settings[self.space.names]
        predicted = predicted.iloc[:n].set_axis(settings.index)
        tried = self._stored(run)  # done or failed
        encoded = self.space.encode(settings)
        near = ((encoded[:, None, :] - tried[None, :, :]) ** 2).sum(-1)
        ran = near.min(axis=1) < 1e-18 if len(tried) else np.zeros(len(settings), bool)
        return pd.concat([settings, predicted], axis=1).assign(run=ran)

    def pareto(self) -> pd.DataFrame:
        """The experiments on the Pareto front of the objectives (rows of :attr:`data`)."""
        done = self.data.query("status == 'done'")
        return done[_pareto_mask(objective_matrix(self.objectives, done))]

    def export(self, path: str | os.PathLike) -> None:
        """Write :attr:`data` as a CSV file (atomically: never half-written).

        Raises
        ------
        StoreError
            When ``path`` names a spreadsheet or database format rather than text (``.xlsx``:
            use ``campaign.data.to_excel``), is the campaign file, or cannot be written.
        """
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix in _NOT_CSV:
            raise StoreError(
                f"export writes CSV, not {_NOT_CSV[suffix]} ({os.fspath(path)!r}): give a name "
                f"ending in .csv, or write campaign.data with pandas (e.g. to_excel)"
            )
        write_csv(self.data, path)
