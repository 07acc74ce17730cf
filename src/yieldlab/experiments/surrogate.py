"""Surrogate models of a campaign: one model per objective on the encoded settings (layer 4).

The default model is the Gaussian process of :mod:`.gp`, with its additive part (a main
effect seen in one corner of the space carries to the others: on the direct arylation
screen, 45 experiments to the best yield against 50 without, median of 50 seeded runs; on
noisy Hartmann 6, median final regret 0.051 against 0.20 without, 50 seeds; no loss on
Branin). :class:`Surrogate` fits one model per
objective. With ``model='auto'`` it lets automatic modelling (:class:`yieldlab.AutoModel`,
cross-validated) choose among candidates that give an uncertainty and fit in a fraction of a
second (the GP, and a deep ensemble of yieldlab's MLPRegressor), but only every
``reselect_every`` new results; in between it refits the chosen class, warm-started from the
previous hyperparameters, so ``suggest`` stays fast. :class:`JointPosterior` presents the
objectives' posteriors to the acquisition functions.

A categorical parameter with descriptors (:mod:`.descriptors`) reaches the model through
:func:`model_inputs`: its one-hot block is replaced by the coordinates of its levels, so two
similar ligands are near each other; the posteriors still take encoded settings.

Failed runs (NaN objective) are kept as information: the model sees them at a *pessimistic*
value, the worst value measured so far for that objective (the lowest for a maximized one, the
highest for a minimized one, the farthest from a target), so the acquisition learns to avoid
their neighbourhood without a separate feasibility model (which needs many failures to be
reliable). Infinite values (e.g. an infinite mass intensity) are clipped to the worst finite
value the same way.

Values far out on the *bad* side are then pulled in (:func:`winsorized`, as Ax winsorizes
before its GP): below ``Q1 - 3 IQR`` of a maximized objective, above ``Q3 + 3 IQR`` of a
minimized one (Tukey's outer fences). A cost per mol that grows without bound as the yield
falls (one run at 300 among runs at 2 to 5) would otherwise set the scale of the
standardized model, which then cannot tell 2 from 5 where it matters; the good side is never
touched. On the reactor simulator (yield against cost, 30 experiments, Pareto mode) it
raised the share of the front's hypervolume found from 0.70 to 0.89 (median of 20 seeds,
``docs/benchmarks.md``); Branin (values 0.4 to 308) went from 0.0025 to 0.0005 median final
regret and stayed at 0.036 with noise; Hartmann 6 and the arylation yields have no such
tail and are unchanged. Tried and not kept: the inner fences (1.5 IQR) doubled the regret
on noisy Branin; clipping at the bound the user gave (``Minimize("cost", high=5)``) left a
flat plateau with no way down to the good region (0.0 in one reactor run of six).
Predictions far on the bad side are those of the winsorized values: the model is built to
find the optimum, not to rank the worst runs.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import numpy as np
from scipy.linalg import block_diag

from .._validation import check_rng
from .gp import GaussianProcess

__all__ = [
    "MODELS",
    "JointPosterior",
    "Surrogate",
    "model_inputs",
    "pessimistic",
    "reselected",
    "winsorized",
]


def reselected(state: dict[str, dict]) -> dict[str, dict]:
    """A surrogate's memory (:attr:`Surrogate.state`) with every model choice due again, for
    results that changed (an exclusion or a correction) rather than grew.

    Parameters
    ----------
    state : dict
        As :attr:`Surrogate.state`.

    Returns
    -------
    dict
        A copy with ``selected_at`` 0: the next fit chooses the model class again (with at
        least :attr:`Surrogate.min_select` results); the warm start is kept.

    Examples
    --------
    >>> reselected({"yield": {"model": "mlp_ensemble", "selected_at": 30, "theta": None}})
    {'yield': {'model': 'mlp_ensemble', 'selected_at': 0, 'theta': None}}
    """
    return {name: {**memory, "selected_at": 0} for name, memory in state.items()}


def model_inputs(space: Any) -> tuple[np.ndarray | None, list[int]]:
    """How the surrogate sees encoded settings: ``(W, groups)``.

    The model's inputs are ``Z @ W``: the encoded columns, except that a categorical
    parameter with descriptors has its one-hot block replaced by the coordinates of its
    levels (:meth:`Categorical.embedding`). ``groups`` gives each model column its
    parameter (one length scale per parameter). ``W`` is None when no parameter has
    descriptors (the model sees ``Z`` itself).

    Parameters
    ----------
    space : Space
        The campaign's space.

    Returns
    -------
    W : ndarray of shape (n_encoded, n_model) or None
    groups : list of int, length n_model
    """
    parameters = space.parameters
    embeddings = [p.embedding() if p.kind == "categorical" else None for p in parameters]
    blocks = [
        np.eye(p.n_encoded) if E is None else E
        for p, E in zip(parameters, embeddings, strict=True)
    ]
    groups = [i for i, block in enumerate(blocks) for _ in range(block.shape[1])]
    if all(E is None for E in embeddings):
        return None, groups
    return block_diag(*blocks), groups


class _Embedded:
    """A posterior on the model's inputs, presented on encoded settings (``Z @ W``)."""

    def __init__(self, part: Any, W: np.ndarray) -> None:
        self.part, self.W = part, W

    def noise_one(self) -> float:
        return self.part.noise_one()

    def predict_one(self, Z):
        return self.part.predict_one(np.asarray(Z, dtype=float) @ self.W)

    def sample_one(self, Z, n_samples, rng):
        return self.part.sample_one(np.asarray(Z, dtype=float) @ self.W, n_samples, rng)

    def condition_one(self, Z):
        return _Embedded(self.part.condition_one(np.asarray(Z, dtype=float) @ self.W), self.W)


class _ModelPosterior:
    """Posterior of a model with ``predict(X, return_std=True)`` only (e.g. an ensemble).

    Draws are independent between settings; a fantasy at ``z`` shrinks the standard deviation
    at ``x`` by ``sqrt(1 - exp(-|x - z|^2 / (2 l^2)))``, ``l`` the median distance between
    the training settings (local penalization, Gonzalez et al. 2016).
    """

    def __init__(self, model, X, fantasies=None) -> None:
        self.model, self.X = model, np.asarray(X, dtype=float)
        self.fantasies = np.zeros((0, self.X.shape[1])) if fantasies is None else fantasies
        d = np.sqrt(((self.X[:, None, :] - self.X[None, :, :]) ** 2).sum(-1))
        self.length = float(np.median(d[np.triu_indices(len(self.X), 1)])) if len(X) > 1 else 1.0

    def noise_one(self) -> float:
        return 0.0  # the model's standard deviation already is that of a new measurement

    def predict_one(self, Z):
        mean, std = self.model.predict(Z, return_std=True)
        if len(self.fantasies):
            d2 = ((Z[:, None, :] - self.fantasies[None, :, :]) ** 2).sum(-1)
            std = std * np.sqrt(np.prod(1.0 - np.exp(-d2 / (2 * self.length**2)), axis=1))
        return np.asarray(mean, dtype=float), np.asarray(std, dtype=float)

    def sample_one(self, Z, n_samples, rng):
        mean, std = self.predict_one(Z)
        return mean + std * rng.standard_normal((n_samples, len(Z)))

    def condition_one(self, Z):
        return _ModelPosterior(self.model, self.X, np.vstack([self.fantasies, Z]))


class JointPosterior:
    """Independent posteriors of several objectives, as the acquisition functions use them."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def predict(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation, each of shape (n, n_objectives)."""
        pairs = [p.predict_one(np.asarray(Z, dtype=float)) for p in self.parts]
        return np.column_stack([m for m, _ in pairs]), np.column_stack([s for _, s in pairs])

    def noise(self) -> np.ndarray:
        """Measurement noise variance of each objective, shape (n_objectives,)."""
        return np.array([p.noise_one() for p in self.parts])

    def sample(self, Z: np.ndarray, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Joint draws over the rows of ``Z``, shape (n_samples, n, n_objectives)."""
        Z = np.asarray(Z, dtype=float)
        return np.stack([p.sample_one(Z, n_samples, rng) for p in self.parts], axis=-1)

    def condition(self, Z: np.ndarray) -> JointPosterior:
        """Kriging-believer fantasies at the rows of ``Z``."""
        Z = np.asarray(Z, dtype=float)
        return JointPosterior([p.condition_one(Z) for p in self.parts])


def pessimistic(y: np.ndarray, sense: str, target: float | None = None) -> np.ndarray:
    """``y`` with NaN (failed) and infinite values replaced by the worst finite value.

    When the finite values are all equal (one success among failures), the worst is no
    worse than the best, so a failed run would look as good as the success: failures are
    then put one magnitude of the success (at least 1) on the bad side of it.

    Examples
    --------
    >>> pessimistic(np.array([3.0, np.nan, 5.0]), "max").tolist()
    [3.0, 3.0, 5.0]
    >>> pessimistic(np.array([3.0, np.inf, 5.0]), "min").tolist()
    [3.0, 5.0, 5.0]
    >>> pessimistic(np.array([np.nan, 80.0, np.nan]), "max").tolist()
    [0.0, 80.0, 0.0]
    """
    y = np.asarray(y, dtype=float).copy()
    finite = np.isfinite(y)
    if not finite.any():
        return np.zeros_like(y)
    values = y[finite]
    if sense == "max":
        worst = values.min()
    elif sense == "min":
        worst = values.max()
    else:
        worst = values[np.argmax(np.abs(values - target))]
    if values.min() == values.max() and not finite.all():
        margin = max(abs(worst), 1.0)
        if sense == "max":
            worst = worst - margin
        elif sense == "min":
            worst = worst + margin
        else:
            side = 1.0 if worst >= target else -1.0
            worst = target + side * (abs(worst - target) + max(abs(worst - target), 1.0))
    y[~finite] = worst
    return y


# Tukey's outer fence, in interquartile ranges beyond the quartile
_FENCE = 3.0


def winsorized(y: np.ndarray, sense: str, target: float | None = None) -> np.ndarray:
    """``y`` with values beyond Tukey's outer fence on the bad side moved to the fence.

    The fence is ``Q1 - 3 IQR`` for a maximized objective, ``Q3 + 3 IQR`` for a minimized
    one, and for a target ``Q3 + 3 IQR`` of the distances ``|y - T|`` (either side);
    nothing moves with fewer than 4 values or a zero interquartile range. The good side is
    never touched, so the best results keep their values.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Finite values (after :func:`pessimistic`).
    sense : {'max', 'min', 'target'}
    target : float, optional
        The target value, for ``sense='target'``.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> winsorized(np.array([2.0, 3.0, 4.0, 5.0, 300.0]), "min").tolist()
    [2.0, 3.0, 4.0, 5.0, 11.0]
    >>> winsorized(np.array([2.0, 3.0, 4.0, 5.0, 300.0]), "max").tolist()
    [2.0, 3.0, 4.0, 5.0, 300.0]
    """
    y = np.asarray(y, dtype=float)
    if y.size < 4:
        return y.copy()
    if sense == "target":
        distance = np.abs(y - target)
        q1, q3 = np.quantile(distance, [0.25, 0.75])
        if q3 <= q1:
            return y.copy()
        return target + np.sign(y - target) * np.minimum(distance, q3 + _FENCE * (q3 - q1))
    q1, q3 = np.quantile(y, [0.25, 0.75])
    if q3 <= q1:
        return y.copy()
    if sense == "max":
        return np.maximum(y, q1 - _FENCE * (q3 - q1))
    return np.minimum(y, q3 + _FENCE * (q3 - q1))


MODELS = ("auto", "gp")


def _fingerprint(Z: np.ndarray, y: np.ndarray) -> str:
    """A short digest of the results a model is fitted on (kept in the campaign file)."""
    digest = hashlib.blake2b(digest_size=12)
    for array in (Z, y):
        array = np.ascontiguousarray(array, dtype=float)
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


class Surrogate:
    """One model per objective, fitted on encoded settings, with a remembered model choice.

    Parameters
    ----------
    objectives : sequence of Objective
    model : {'auto', 'gp'}, default='auto'
        ``'gp'`` always uses :class:`GaussianProcess`; ``'auto'`` lets automatic modelling
        choose among fast candidates that give an uncertainty (see the module docstring),
        from ``min_select`` results on.
    reselect_every : int, default=10
        New results between two model selections; in between the chosen class is refitted.
    state : dict, optional
        What a previous surrogate remembered (:attr:`state`): chosen classes, when they were
        chosen and warm-start hyperparameters. Plain JSON, kept in the campaign file.
    random_state : None, int or numpy.random.Generator
    groups : sequence of int, optional
        The parameter of each model input (see :func:`model_inputs`); default one per column.
    embedding : ndarray of shape (n_encoded, n_model), optional
        The model's inputs are ``Z @ embedding`` (:func:`model_inputs`); default ``Z``.

    Attributes
    ----------
    state : dict
        ``{objective name: {'model': str, 'selected_at': int, 'theta': list, 'start': list,
        'fitted_on': str}}``: the model chosen and when, the GP's last hyperparameters, the
        start they were fitted from and a digest of the results they were fitted on (a refit
        on the same results starts where that fit did, so it is the same to the digit).
    """

    min_select = 20

    def __init__(
        self,
        objectives,
        model="auto",
        reselect_every=10,
        state=None,
        random_state=None,
        groups=None,
        embedding=None,
    ) -> None:
        self.objectives = list(objectives)
        self.groups = groups
        self.embedding = embedding
        self.model = model
        self.reselect_every = reselect_every
        self.state = {k: dict(v) for k, v in (state or {}).items()}
        self._seed = (
            int(random_state)
            if isinstance(random_state, int | np.integer)
            else int(check_rng(random_state).integers(2**63 - 1))
        )

    def fit(self, Z: np.ndarray, Y: np.ndarray) -> JointPosterior:
        """Fit every objective and return their joint posterior.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_encoded)
            Encoded settings run.
        Y : ndarray of shape (n_samples, n_objectives)
            Measured values; NaN for a failed run (see :func:`pessimistic`).

        Returns
        -------
        JointPosterior
        """
        W = self.embedding
        X = Z if W is None else Z @ W
        parts = []
        for i, objective in enumerate(self.objectives):
            target = getattr(objective, "value", None)
            y = winsorized(pessimistic(Y[:, i], objective.sense, target), objective.sense, target)
            part = self._fit_one(i, objective.name, X, y)
            parts.append(part if W is None else _Embedded(part, W))
        return JointPosterior(parts)

    def _fit_one(self, index: int, name: str, Z: np.ndarray, y: np.ndarray):
        memory = self.state.setdefault(name, {"model": "gp", "selected_at": 0, "theta": None})
        due = len(y) - memory["selected_at"] >= self.reselect_every
        if self.model == "auto" and len(y) >= self.min_select and due:
            memory["model"] = self._select(Z, y, self._stream(index))
            memory["selected_at"] = len(y)
        if memory["model"] != "gp":
            # the same seed as the ensemble the choice cross-validated
            return _ModelPosterior(_ensemble(self._stream(index)).fit(Z, y), Z)
        # NOTE: the warm start of a refit on the same results is the start of the fit that
        # first saw them, not its optimum: L-BFGS-B restarted at its own optimum moves by its
        # tolerance, and the posterior would depend on how often it was asked for.
        data = _fingerprint(Z, y)
        start = memory.get("start") if memory.get("fitted_on") == data else memory.get("theta")
        gp = GaussianProcess(self.groups, start, additive=True).fit(Z, y)
        memory.update(theta=gp.theta_.tolist(), start=start, fitted_on=data)
        return gp.posterior()

    def _stream(self, index: int) -> np.random.Generator:
        """A fresh generator of the random numbers of objective ``index``'s model: the same
        whether or not a model selection ran in this fit, or for another objective."""
        return np.random.default_rng(self._seed if index == 0 else [self._seed, index])

    def _select(self, Z: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> str:
        """Name of the candidate automatic modelling prefers on ``(Z, y)``."""
        from ..modelling.automodel import AutoModel

        if np.ptp(y) == 0:  # every result the same (an early screen all at 0): nothing to rank
            return "gp"
        varying = np.ptp(Z, axis=0) > 0  # AutoModel drops constant columns
        groups = None if self.groups is None else np.asarray(self.groups)[varying]
        candidates = {
            "gp": GaussianProcess(groups, additive=True),
            "mlp_ensemble": _ensemble(rng),
        }
        # NOTE: one_se=False: the one-standard-error rule ranks our GP as "unknown" (most
        # complex) and would prefer the ensemble whenever they are close.
        auto = AutoModel(
            candidates=candidates,
            cv=3,
            repeats=1,
            one_se=False,
            random_state=int(rng.integers(2**31 - 1)),
            importance=False,  # only the choice is used
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            auto.fit(Z[:, varying], y)
        board = auto.leaderboard_.set_index("name")
        if not {"gp", "mlp_ensemble"} <= set(board.index) or board["status"].ne("ok").any():
            return "gp"
        gp, ensemble = board.loc["gp"], board.loc["mlp_ensemble"]
        # the GP is the default: the ensemble must predict better by more than a standard
        # error (cross-validation on a few dozen rows is noisy) *and* give the more likely
        # predictive distribution (its uncertainty drives the acquisition)
        better = (ensemble["rmse"] + ensemble["rmse_se"] < gp["rmse"]) and (
            ensemble["log_likelihood"] > gp["log_likelihood"]
        )
        return "mlp_ensemble" if better else "gp"


def _ensemble(rng: np.random.Generator) -> Any:
    """A small, fast deep ensemble of yieldlab MLPs (the loop refits it every round)."""
    from ..modelling.candidates import MLPEnsemble

    return MLPEnsemble(
        (16,),
        configs=[{"alpha": 0.05, "max_iter": 200}],
        n_members=3,
        random_state=int(rng.integers(2**31 - 1)),
    )
