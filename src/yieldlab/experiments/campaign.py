"""Campaigns: the experiment loop of design, suggest, run and add (layer 4).

A :class:`Campaign` ties the pieces together and keeps every experiment in a
:class:`~.store.CampaignStore` (a SQLite file, or memory; what needs no model, recording and
changing results, is its base :class:`~.record.CampaignRecord`, and what the models
predict is :class:`~.predictions.CampaignPredictions`): the space of settings
(:mod:`.space`), the objectives (:mod:`.objectives`), the first design (:mod:`.design`), the
surrogate models (:mod:`.surrogate`) and the next batch (:mod:`.planning`). Suggested
experiments are recorded as *pending*, so the next batch knows them (they are fantasized like
the batch itself), and :meth:`Campaign.add` completes them (:mod:`.results`). Several
processes may share a campaign file: results are never lost, and a batch chosen while
another process recorded experiments is chosen again before it is recorded.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import check_bool, check_choice, check_positive, check_rng, did_you_mean
from ..exceptions import CampaignError
from .acquisition import ACQUISITIONS
from .design import make_design
from .desirability import as_objectives
from .held import check_fixed, check_shared, first_values, matching, no_row
from .optimizer import NoSettingLeft
from .planning import (
    exploring_picks,
    optimized_batch,
    pareto_mode,
    prediction_table,
    shared_batch,
    space_filling,
)
from .predictions import CampaignPredictions
from .results import check_names
from .screen import candidate_rows, candidate_settings
from .space import Space
from .store import CampaignStore, StaleSnapshot
from .surrogate import MODELS

__all__ = ["MULTI_OBJECTIVE", "Campaign"]

MULTI_OBJECTIVE = ("desirability", "pareto", "parego")
# NOTE: another process recording pending experiments between our read and our write makes
# the batch stale; it is recomputed (each attempt sees the other's rows as pending).
_ATTEMPTS = 5
# the keyword options of make_design that design() passes on
_DESIGN_OPTIONS = ("model", "levels", "n_center", "generator", "face", "categorical")


# the most experiments one design or suggestion plans: beyond it the time grows with n^2
# (a mistyped n would seem to hang), and no lab runs more in one go
_MAX_BATCH = 10_000


def _count(name: str, n: Any) -> int:
    n = int(check_positive(name, n, strict=False, integer=True))
    if name == "n" and n > _MAX_BATCH:
        raise ValueError(
            f"{name}={n} is more experiments than one batch plans (at most {_MAX_BATCH:,}); "
            "ask for the batch the lab will run next"
        )
    return n


class Campaign(CampaignPredictions):
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
        check_names(space, objectives)
        options = {
            "acquisition": check_choice("acquisition", acquisition, ACQUISITIONS),
            "multi_objective": check_choice("multi_objective", multi_objective, MULTI_OBJECTIVE),
            "surrogate": check_choice("surrogate", surrogate, MODELS),
            "beta": float(check_positive("beta", beta, strict=False)),
            "n_initial": _count("n_initial", n_initial),
            "explore": check_bool("explore", explore),
            "seed": int(check_rng(random_state).integers(2**63 - 1)),
        }
        rows = [] if candidates is None else candidate_settings(space, candidates)
        meta = {
            "format": "yieldlab campaign",
            "space": space.to_dict(),
            "objectives": [o.to_dict() for o in objectives],
            "options": options,
            "candidates": candidates is not None,
        }
        self._attach(CampaignStore.create(path, meta, rows))

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
        explored = [] if extra is None else extra.attrs.get("explored", [])
        out.attrs = {"explored": [ids[j] for j in explored]}
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
            with candidates, indexed by their labels. ``attrs["explored"]`` lists the
            experiment ids of the Thompson picks (empty when there are none).
        """
        n = _count("n", n)
        fixed = check_fixed(self.space, fixed, self.candidates)
        shared = check_shared(self.space, shared, fixed)
        with_fixed = f" with {fixed}" if fixed else ""
        if n == 0:
            empty = pd.DataFrame(columns=["experiment", *self.space.names])
            empty.attrs = {"explored": []}
            return empty
        if self.candidates is not None:
            left = len(self._remaining(fixed))
            if fixed and left == 0:
                some = matching(self.candidates, self.space, fixed).any()
                raise CampaignError(
                    (
                        f"suggest: every candidate row{with_fixed} has been run or is pending"
                        if some
                        else f"suggest: {no_row(self.candidates, self.space, fixed)}"
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
            with_fixed = f" with {fixed | first_values(out, shared)}"
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
                values = first_values(self._space_filling(1, taken, fixed)[0], shared)
                fixed = {**fixed, **values}
                # the other parameters spread as if every experiment had these values, so
                # the batch goes on with the plan instead of repeating the last one's
                mask, row = self.space.encoded_values(values)
                taken = np.where(mask, row, taken)
            return self._space_filling(n, taken, fixed)
        # NOTE: the matrices are small; BLAS threads only contend with each other here
        with threadpool_limits(1):
            if shared and n > 1:
                remaining = None if self.candidates is None else self._remaining(fixed)
                return shared_batch(
                    lambda size, held: self._optimize(size, run, Z, Zp, held),
                    n,
                    self.space,
                    shared,
                    fixed,
                    remaining,
                )
            return self._optimize(n, run, Z, Zp, fixed)

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
        # the Thompson pick ends a full batch only (a short one stopped before it)
        exploring = exploring_picks(
            n,
            self.options["acquisition"],
            self.options["explore"],
            pareto_mode(self.objectives, self.options["multi_objective"]),
        )
        extra.attrs["explored"] = [j for j in exploring if j < len(picks)]
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
