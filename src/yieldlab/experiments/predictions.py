"""What a campaign's models say: predictions and the best settings by the model (layer 4).

:class:`CampaignPredictions` is the part of a :class:`~.campaign.Campaign` that fits the
surrogate models (:mod:`.surrogate`) to the results of its
:class:`~.record.CampaignRecord` and asks them: :meth:`~CampaignPredictions.predict`, a new
measurement's mean and standard deviation at any settings, and
:meth:`~CampaignPredictions.best_predicted`, the best settings with the measurement noise
averaged out (:mod:`.recommendation`). The fit is cached while the results do not change,
and the model choice with its warm start (the surrogate's memory) is kept in the file, so a
campaign reopened in another process predicts and suggests the same to the last digit.
:class:`~.campaign.Campaign` adds what to run next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import check_choice, check_positive
from ..exceptions import CampaignError
from .held import check_fixed, matching, no_row
from .planning import prediction_table
from .recommendation import predicted_optimum, ranked_runs
from .record import CampaignRecord
from .results import RANKING_COLUMNS
from .store import CampaignStore
from .surrogate import Surrogate, model_inputs

__all__ = ["CampaignPredictions"]


class CampaignPredictions(CampaignRecord):
    """The record of a campaign with its models: the base of :class:`~.campaign.Campaign`.

    Create a campaign with :class:`~.campaign.Campaign`; this class holds what it predicts
    (:meth:`predict`, :meth:`best_predicted`) and the cached fit its suggestions share.
    """

    def _attach(self, store: CampaignStore) -> dict[str, Any]:
        meta = super()._attach(store)
        # the surrogate's memory (model chosen, warm start) and the fit it is cached with
        self._state = meta.get("surrogate", {})
        self._fitted = None
        return meta

    def _changed(self, revised: bool = False) -> None:
        self._fitted = None
        if revised:  # CampaignRecord made the model choice due again, in the file
            self._state = self._store.meta().get("surrogate", {})

    def _rng(self, salt: int, count: int | None = None) -> np.random.Generator:
        count = len(self._store.experiments()) if count is None else count
        return np.random.default_rng([self.options["seed"], salt, count])

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
        fixed = check_fixed(self.space, fixed, self.candidates)
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
                why = no_row(self.candidates, self.space, fixed)
                raise CampaignError(f"best_predicted: {why}")
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
