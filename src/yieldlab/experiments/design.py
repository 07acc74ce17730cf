"""Initial designs: the first experiments to run, before any model exists (layer 4).

One entry point, :func:`make_design`, over eight methods:

========================  ==============================================================
``'random'``              uniform random settings (:meth:`Space.sample`)
``'lhs'``                 Latin hypercube (SciPy ``qmc``, scrambled, seeded); levels and
                          categories are stratified too
``'sobol'``               scrambled Sobol points (SciPy ``qmc``), the first ``n`` of
                          ``2**m``
``'factorial'``           full factorial; ``levels`` per Real/Integer parameter (default 3),
                          every level of Discrete and Categorical ones
``'fractional'``          two-level fractional factorial (pyDOE3 ``fracfact``): published
                          minimum-aberration generators up to 11 factors, else a resolution
                          IV (``N >= 2k``) or III construction; or your ``generator`` string
``'ccd'``                 central composite (pyDOE3 ``ccdesign``), face-centred by default
                          (``face='inscribed'`` for the rotatable inscribed one)
``'box-behnken'``         Box-Behnken (pyDOE3 ``bbdesign``), needs 3+ numeric parameters
``'d-optimal'``           Fedorov exchange maximizing ``log det(X'X)`` for a ``'linear'``,
                          ``'interaction'`` or ``'quadratic'`` model, best of several seeded
                          starts
========================  ==============================================================

Every design is a DataFrame in user units. Categorical parameters (and, in the
fractional design, those with more than two levels) are crossed with the numeric design
(``categorical='cross'``) or assigned to its runs in balanced random order
(``categorical='balance'``). Restrictions: sampled designs draw in the bounding box and keep
the feasible points, thinned by greedy maximin distance; structured designs drop runs that
violate a constraint or exclusion with a warning (and fail when none is left). ``n`` larger
than a structured design's natural size adds centre points (replicates for a factorial).
With ``candidates`` (a table of allowed settings), designs are mapped to distinct rows of
it by an optimal assignment in the encoded space; ``'random'`` draws rows and
``'d-optimal'`` exchanges over the rows directly.

This module holds the sampled designs and the entry point; the classical designs are built
in :mod:`.factorials`, the D-optimal ones in :mod:`.d_optimal`.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import qmc

from .._validation import check_choice, check_rng
from .d_optimal import _d_optimal
from .factorials import _box_behnken, _ccd, _fractional, _resize, _restrict
from .sampling import _check_count
from .space import Space

__all__ = ["DESIGNS", "make_design"]


# -- sampled designs -----------------------------------------------------------------------


def _latin_hypercube(d: int, m: int, rng: np.random.Generator) -> np.ndarray:
    return qmc.LatinHypercube(d, rng=rng).random(m)


def _sobol(d: int, m: int, rng: np.random.Generator) -> np.ndarray:
    # NOTE: Sobol balance holds for powers of two; draw 2**k points and keep a prefix.
    return qmc.Sobol(d, scramble=True, rng=rng).random_base2(max(0, math.ceil(math.log2(m))))[:m]


def _sampled(space: Space, n: int, rng: np.random.Generator, draw: Any) -> pd.DataFrame:
    if not space.has_restrictions:
        return space.from_unit(draw(len(space), n, rng)) if n else space.sample(0)
    pilot = space.from_unit(rng.random((2000, len(space))))
    rate = space._satisfies(pilot).mean()
    if rate == 0:
        return space.sample(n, rng)  # raises the clear "region too small" error
    m = min(math.ceil(3 * n / rate) + 8, 50_000)
    settings = space.from_unit(draw(len(space), m, rng))
    settings = settings[space._satisfies(settings)].reset_index(drop=True)
    if len(settings) < n:
        settings = pd.concat([settings, space.sample(n - len(settings), rng)], ignore_index=True)
    chosen = _maximin(space._encode_valid(settings), n, rng)
    return settings.iloc[chosen].reset_index(drop=True)


def _maximin(Z: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy farthest-point selection of ``n`` rows of ``Z`` (a space-filling subset)."""
    chosen = [int(rng.integers(len(Z)))]
    distance = ((Z - Z[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(n - 1):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, ((Z - Z[chosen[-1]]) ** 2).sum(axis=1))
    return np.array(chosen[:n], dtype=np.int64)


# -- entry point ---------------------------------------------------------------------------

DESIGNS = ("random", "lhs", "sobol", "factorial", "fractional", "ccd", "box-behnken", "d-optimal")
_OPTIONS = {
    "levels": ("factorial",),
    "n_center": ("ccd", "box-behnken"),
    "generator": ("fractional",),
    "face": ("ccd",),
}


def _match(space: Space, design: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Distinct candidate rows closest to the design points (optimal assignment)."""
    if len(design) > len(candidates):
        raise ValueError(
            f"the design has {len(design)} runs but there are only {len(candidates)} "
            "candidates left; use method='d-optimal', 'lhs' or 'random' with n at most "
            f"{len(candidates)}, which pick among them"
        )
    Zd, Zc = space._encode_valid(design), space.encode(candidates)
    cost = (Zd**2).sum(1)[:, None] - 2 * Zd @ Zc.T + (Zc**2).sum(1)[None, :]
    rows, cols = linear_sum_assignment(cost)
    return candidates.iloc[cols[np.argsort(rows)]]


def make_design(
    space: Space,
    n: int | None = None,
    method: str = "lhs",
    rng: Any = None,
    model: str = "quadratic",
    *,
    candidates: pd.DataFrame | None = None,
    levels: int | dict[str, int] | None = None,
    n_center: int = 3,
    generator: str | None = None,
    face: str = "centered",
    categorical: str = "cross",
) -> pd.DataFrame:
    """The first experiments to run.

    Parameters
    ----------
    space : Space
        The allowed settings.
    n : int, optional
        Number of runs. Needed by ``'random'``, ``'lhs'``, ``'sobol'``; ``'d-optimal'``
        plans the model's number of terms plus 4 when ``None``; the structured designs use
        their natural size when ``None`` and add centre points (or, for ``'factorial'``,
        replicates) when ``n`` is larger. ``'fractional'`` picks the largest two-level
        design that fits in ``n``.
    method : str, default='lhs'
        One of ``'random'``, ``'lhs'``, ``'sobol'``, ``'factorial'``, ``'fractional'``,
        ``'ccd'``, ``'box-behnken'``, ``'d-optimal'`` (see the module docstring).
    rng : None, int or numpy.random.Generator
        Seed or generator; the same seed gives the same design.
    model : {'linear', 'interaction', 'quadratic'}, default='quadratic'
        Model a ``'d-optimal'`` design is built for.
    candidates : DataFrame, optional
        Allowed settings, one per row (extra columns are kept); the design is made of
        distinct rows of it, with their original index.
    levels : int or dict, optional
        ``'factorial'``: levels per Real/Integer parameter (default 3), or per name.
    n_center : int, default=3
        ``'ccd'`` and ``'box-behnken'``: centre points.
    generator : str, optional
        ``'fractional'``: a pyDOE3 generator such as ``'a b c abc'``, one word per two-level
        factor, in space order.
    face : {'centered', 'inscribed'}, default='centered'
        ``'ccd'``: star points on the faces (3 levels), or inside the bounds with the cube
        shrunk (5 levels, rotatable).
    categorical : {'cross', 'balance'}, default='cross'
        Structured designs: repeat the design for every combination of the categorical
        levels, or assign the combinations to its runs in balanced random order.

    Returns
    -------
    DataFrame of shape (n_runs, n_parameters)
        Settings in user units (the candidate rows with ``candidates``).

    Raises
    ------
    SpaceError
        When the design cannot meet the space's restrictions.
    ValueError
        For a bad method, option or ``n``.

    Examples
    --------
    >>> from yieldlab.experiments.levels import Categorical
    >>> from yieldlab.experiments.ranges import Real
    >>> space = Space([Real("T", 20, 80), Real("t", 1, 10), Categorical("cat", ["A", "B"])])
    >>> make_design(space, 6, "lhs", rng=0).shape
    (6, 3)
    >>> make_design(space, method="ccd", n_center=1).shape  # 9 runs per catalyst
    (18, 3)
    """
    if not isinstance(space, Space):
        raise TypeError(f"space={space!r} has the wrong type; expected a Space")
    check_choice("method", method, DESIGNS)
    check_choice("categorical", categorical, ("cross", "balance"))
    given = {
        "levels": levels,
        "n_center": n_center != 3,
        "generator": generator,
        "face": face != "centered",
    }
    for option, methods in _OPTIONS.items():
        if given[option] not in (None, False) and method not in methods:
            which = " or ".join(repr(m) for m in methods)
            raise ValueError(f"{option} applies to method={which} only, not {method!r}")
    n = None if n is None else _check_count("n", n)
    _check_count("n_center", n_center)
    rng = check_rng(rng)
    if n is None and method in ("random", "lhs", "sobol"):
        raise ValueError(f"method={method!r} needs the number of runs n")
    if candidates is not None:
        candidates = _validated_candidates(space, candidates)
        if n is not None and n > len(candidates):
            raise ValueError(
                f"n={n} runs asked for, but there are only {len(candidates)} candidates"
            )
        if method == "random":
            return candidates.iloc[np.sort(rng.choice(len(candidates), n, replace=False))]
        if method == "d-optimal":
            return _d_optimal(space, n, model, rng, candidates)
        return _match(
            space,
            make_design(
                space,
                n,
                method,
                rng,
                model,
                levels=levels,
                n_center=n_center,
                generator=generator,
                face=face,
                categorical=categorical,
            ),
            candidates,
        )
    if method in ("random", "lhs", "sobol", "d-optimal"):
        if method == "d-optimal":
            return _d_optimal(space, n, model, rng, None)
        every = space.settings()
        if every is not None:
            return _distinct(space, n, method, rng, every)
        if method == "random":
            return space.sample(n, rng)
        return _sampled(space, n, rng, _latin_hypercube if method == "lhs" else _sobol)
    if method == "factorial":
        _check_factorial_levels(levels)
        design = space.grid(levels, feasible_only=False)
    elif method == "fractional":
        design = _fractional(space, n, generator, categorical, rng)
    elif method == "ccd":
        design = _ccd(space, n_center, face, categorical, rng)
    else:
        design = _box_behnken(space, n_center, categorical, rng)
    return _resize(space, _restrict(space, design, method), n, method, rng)


def _distinct(
    space: Space, n: int, method: str, rng: np.random.Generator, every: pd.DataFrame
) -> pd.DataFrame:
    """A sampled design of distinct settings in a space with finitely many (``every``):
    the points mapped to the closest distinct settings; all of them, with a warning, when
    ``n`` is more (points drawn on levels repeat settings)."""
    if n > len(every):
        warnings.warn(
            f"design: the space has only {len(every)} distinct settings; the design has all "
            f"{len(every)} instead of {n} runs (to replicate, run some of them again, or "
            "use method='factorial' with n, which adds replicates)",
            UserWarning,
            stacklevel=3,
        )
        n = len(every)
    if method == "random":
        return every.iloc[np.sort(rng.choice(len(every), n, replace=False))].reset_index(drop=True)
    points = _sampled(space, n, rng, _latin_hypercube if method == "lhs" else _sobol)
    return _match(space, points, every).reset_index(drop=True)


def _check_factorial_levels(levels: Any) -> None:
    """Refuse fewer than two levels of a factor: one level is a constant, not a factor."""
    given = levels.items() if isinstance(levels, dict) else [(None, levels)]
    for name, k in given:
        if isinstance(k, numbers.Integral) and not isinstance(k, bool) and k < 2:
            which = f"levels[{name!r}]" if name is not None else "levels"
            raise ValueError(
                f"{which}={k}: a factorial needs at least 2 levels per factor (one level "
                "holds it constant); give 2 or more, or leave the parameter out of the space"
            )


def _validated_candidates(space: Space, candidates: Any) -> pd.DataFrame:
    if not isinstance(candidates, pd.DataFrame):
        raise TypeError("candidates must be a pandas DataFrame of allowed settings")
    space.validate(candidates, where="candidates", allow_extra=True)
    if not candidates.index.is_unique:
        raise ValueError("the candidates' index has duplicate labels; use reset_index()")
    return candidates
