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
"""

from __future__ import annotations

import contextlib
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyDOE3
from scipy.optimize import linear_sum_assignment
from scipy.stats import qmc

from .._validation import check_choice, check_rng
from ..exceptions import SpaceError
from .space import Space, _check_count

__all__ = ["DESIGNS", "MODELS", "d_criterion", "make_design", "model_matrix"]

MODELS = ("linear", "interaction", "quadratic")

# (factors, runs) -> (pyDOE3 generator, resolution): minimum-aberration 2^(k-p) designs as
# tabulated by NIST/SEMATECH (Engineering Statistics Handbook 5.3.3.4.7) and Montgomery.
GENERATORS: dict[tuple[int, int], tuple[str, int]] = {
    (3, 4): ("a b ab", 3),
    (4, 8): ("a b c abc", 4),
    (5, 8): ("a b c ab ac", 3),
    (6, 8): ("a b c ab ac bc", 3),
    (6, 16): ("a b c d abc bcd", 4),
    (7, 8): ("a b c ab ac bc abc", 3),
    (7, 16): ("a b c d abc bcd acd", 4),
    (7, 32): ("a b c d e abcd abde", 4),
    (8, 16): ("a b c d bcd acd abc abd", 4),
    (8, 32): ("a b c d e abc abd bcde", 4),
    (8, 64): ("a b c d e f abcd abef", 5),
    (9, 16): ("a b c d abc bcd acd abd abcd", 3),
    (9, 32): ("a b c d e bcde acde abde abce", 4),
    (9, 64): ("a b c d e f abcd acef cdef", 4),
    (10, 16): ("a b c d abc bcd acd abd abcd ab", 3),
    (10, 32): ("a b c d e abcd abce abde acde bcde", 4),
    (10, 64): ("a b c d e f bcdf acdf abde abce", 4),
    (11, 16): ("a b c d abc bcd acd abd abcd ab ac", 3),
    (11, 32): ("a b c d e abc bcd cde acd ade bde", 4),
    (11, 64): ("a b c d e f cde abcd abf bdef adef", 4),
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_MAX_CANDIDATES = 2000


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


# -- structured designs --------------------------------------------------------------------


def _others(space: Space, factors: list[str]) -> pd.DataFrame:
    """Every combination of the levels of the parameters that are not design factors."""
    rest = [p for p in space if p.name not in factors]
    if not rest:
        return pd.DataFrame(index=range(1))
    grids = [p.grid() for p in rest]
    index = np.indices([len(g) for g in grids]).reshape(len(grids), -1)
    return pd.DataFrame({p.name: g[i] for p, g, i in zip(rest, grids, index, strict=True)})


def _combine(
    space: Space, coded: np.ndarray, factors: list[str], categorical: str, rng: Any
) -> pd.DataFrame:
    """Coded design (-1..1 per factor) crossed with or balanced over the other parameters."""
    base = pd.DataFrame(
        {name: _from_coded(space[name], coded[:, j]) for j, name in enumerate(factors)}
    )
    others = _others(space, factors)
    if others.shape[1] == 0:
        return base[space.names]
    if categorical == "cross":
        left = base.loc[base.index.repeat(len(others))].reset_index(drop=True)
        right = pd.concat([others] * len(base), ignore_index=True)
    else:
        order = np.resize(rng.permutation(len(others)), len(base))
        left, right = base, others.iloc[rng.permutation(order)].reset_index(drop=True)
    return pd.concat([left, right], axis=1)[space.names]


def _from_coded(parameter: Any, c: np.ndarray) -> np.ndarray:
    u = (np.asarray(c, dtype=float) + 1.0) / 2.0
    if parameter.is_numeric:
        return parameter.decode(u)
    return parameter.from_unit(np.where(u > 0.5, 0.75, 0.25))  # a two-level categorical


def _numeric_factors(space: Space, minimum: int, method: str) -> list[str]:
    factors = [p.name for p in space if p.is_numeric and len(p.grid(3)) > 1]
    if len(factors) < minimum:
        raise SpaceError(
            f"method={method!r} needs at least {minimum} numeric parameters with a range; the "
            f"space has {len(factors)} ({factors}). Use method='factorial' or 'd-optimal'"
        )
    return factors


def _two_level(k: int, runs: int) -> tuple[np.ndarray, str]:
    """A 2^(k-p) design with ``runs`` rows: the table, else a constructed generator."""
    if runs >= 2**k:
        return pyDOE3.ff2n(k), "full"
    q = int(math.log2(runs))
    if (k, runs) in GENERATORS:
        generator = GENERATORS[(k, runs)][0]
    elif k - q == 1:
        generator = " ".join(_LETTERS[:q]) + " " + _LETTERS[:q]
    else:
        # products of an odd number (>= 3) of base factors alias no main effect with a
        # two-factor interaction (resolution IV), and there are enough when runs >= 2k
        words = [
            "".join(_LETTERS[i] for i in range(q) if mask >> i & 1) for mask in range(1, 2**q)
        ]
        words = sorted((w for w in words if len(w) >= 2), key=lambda w: (-(len(w) % 2), -len(w)))
        if runs < 2 * k:
            words = sorted(words, key=len, reverse=True)
        generator = " ".join([*_LETTERS[:q], *words[: k - q]])
    return pyDOE3.fracfact(generator), generator


def _fractional(space: Space, n: int | None, generator: str | None, categorical: str, rng: Any):
    factors = [
        p.name
        for p in space
        if (p.is_numeric and len(p.grid(2)) == 2) or (not p.is_numeric and p.n_encoded == 2)
    ]
    k = len(factors)
    if k == 0:
        raise SpaceError("method='fractional' needs at least one parameter with two levels")
    if generator is not None:
        if not isinstance(generator, str) or len(generator.split()) != k:
            raise ValueError(
                f"generator={generator!r} must name {k} columns, one per two-level factor "
                f"{factors} (e.g. 'a b c abc' for 4 factors)"
            )
        try:
            coded = pyDOE3.fracfact(generator)
        except (ValueError, IndexError) as exc:
            raise ValueError(f"generator={generator!r} is not valid: {exc}") from None
    else:
        crossed = len(_others(space, factors)) if categorical == "cross" else 1
        runs = min(2**k, 2 ** math.ceil(math.log2(max(2 * k, 2))))
        if n is not None:
            runs = min(2**k, 2 ** math.floor(math.log2(max(n // crossed, 1))))
            needed = 2 ** math.ceil(math.log2(k + 1))
            if runs < min(needed, 2**k):
                raise ValueError(
                    f"a two-level fractional factorial for {k} factors needs at least "
                    f"{min(needed, 2**k) * crossed} runs here; got n={n}"
                )
        coded, _ = _two_level(k, runs)
    return _combine(space, coded, factors, categorical, rng)


def _ccd(space: Space, n_center: int, face: str, categorical: str, rng: Any) -> pd.DataFrame:
    factors = _numeric_factors(space, 2, "ccd")
    check_choice("face", face, ("centered", "inscribed"))
    kind = {"centered": ("ccf", "o"), "inscribed": ("cci", "r")}[face]
    coded = pyDOE3.ccdesign(len(factors), center=(n_center, 0), alpha=kind[1], face=kind[0])
    return _combine(space, coded, factors, categorical, rng)


def _box_behnken(space: Space, n_center: int, categorical: str, rng: Any) -> pd.DataFrame:
    factors = _numeric_factors(space, 3, "box-behnken")
    coded = pyDOE3.bbdesign(len(factors), center=n_center)
    return _combine(space, coded, factors, categorical, rng)


def _restrict(space: Space, design: pd.DataFrame, method: str) -> pd.DataFrame:
    ok = space._satisfies(design)
    if ok.all():
        return design
    if not ok.any():
        raise SpaceError(
            f"every run of the {method!r} design violates a constraint or exclusion; use "
            "method='d-optimal', 'lhs' or 'sobol', which respect them"
        )
    warnings.warn(
        f"{method!r} design: {int((~ok).sum())} of {len(design)} runs violate a constraint or "
        "exclusion and were dropped; method='d-optimal' builds a design inside the region",
        UserWarning,
        stacklevel=3,
    )
    return design[ok].reset_index(drop=True)


def _resize(space: Space, design: pd.DataFrame, n: int | None, method: str, rng: Any):
    """Natural size when ``n`` is None; pad with centre points (or replicates)."""
    if n is None or n == len(design):
        return design
    if n < len(design):
        raise ValueError(
            f"method={method!r} gives {len(design)} runs for this space; n={n} is smaller. Use "
            "n=None for the natural size, or method='d-optimal' to choose the best n runs"
        )
    extra = design.iloc[rng.permutation(np.resize(np.arange(len(design)), n - len(design)))]
    extra = extra.reset_index(drop=True)
    if method != "factorial":
        numeric = [p for p in space if p.is_numeric]
        centre = {p.name: p.decode(np.full(len(extra), 0.5)) for p in numeric}
        centred = extra.assign(**centre)
        extra = centred if space._satisfies(centred).all() else extra
    return pd.concat([design, extra], ignore_index=True)


# -- D-optimal -----------------------------------------------------------------------------


def model_matrix(space: Space, settings: pd.DataFrame, model: str = "quadratic") -> np.ndarray:
    """Model matrix ``X`` of shape (n_samples, n_terms) on coded numeric values.

    Numeric parameters are coded ``c = 2u - 1`` in ``[-1, 1]`` (``u`` their encoding, so
    log-scaled ones are coded in ``log x``). Terms: an intercept; ``c_j``; the categorical
    main effects (one-hot without the first level); with ``'interaction'`` also ``c_j c_k``;
    with ``'quadratic'`` also ``c_j**2`` for parameters with 3+ levels.
    """
    check_choice("model", model, MODELS)
    valid = space.validate(settings, allow_extra=True)
    numeric = [p for p in space if p.is_numeric and len(p.grid(3)) > 1]
    C = np.column_stack(
        [2 * p._encode(valid[p.name].to_numpy())[:, 0] - 1 for p in numeric]
        or [np.zeros((len(valid), 0))]
    )
    columns = [np.ones((len(valid), 1)), C]
    columns += [p._encode(valid[p.name].to_numpy())[:, 1:] for p in space if not p.is_numeric]
    if model in ("interaction", "quadratic"):
        pairs = [(j, k) for j in range(C.shape[1]) for k in range(j + 1, C.shape[1])]
        columns += [C[:, [j]] * C[:, [k]] for j, k in pairs]
    if model == "quadratic":
        curved = [j for j, p in enumerate(numeric) if len(p.grid(3)) >= 3]
        columns += [C[:, curved] ** 2]
    return np.hstack(columns)


def d_criterion(space: Space, settings: pd.DataFrame, model: str = "quadratic") -> float:
    """``log det(X'X / n)`` of a design for a model (``-inf`` when singular); larger is better."""
    X = model_matrix(space, settings, model)
    sign, logdet = np.linalg.slogdet(X.T @ X / len(X))
    return float(logdet) if sign > 0 else -np.inf


def _candidate_set(space: Space, rng: np.random.Generator) -> pd.DataFrame:
    grids = [p.grid(3) if p.is_numeric else p.grid() for p in space]
    size = math.prod(len(g) for g in grids)
    if size <= _MAX_CANDIDATES:
        index = np.indices([len(g) for g in grids]).reshape(len(grids), -1)
    else:
        index = np.vstack([rng.integers(len(g), size=_MAX_CANDIDATES) for g in grids])
    frame = pd.DataFrame({p.name: g[i] for p, g, i in zip(space, grids, index, strict=True)})
    frame = frame.drop_duplicates()
    if space.has_restrictions:
        frame = frame[space._satisfies(frame)]
        # points near the constraint boundaries matter; random feasible ones fill in
        with contextlib.suppress(SpaceError):
            frame = pd.concat([frame, space.sample(_MAX_CANDIDATES // 2, rng)])
    return frame.reset_index(drop=True)


def _fedorov(F: np.ndarray, n: int, rng: np.random.Generator, replace: bool) -> np.ndarray:
    """Fedorov exchange: swap the design row and candidate that most increase det(X'X).

    ``det(M') = det(M) (1 + Delta)`` with ``Delta = d(x_j) - d(x_i) - (d(x_i) d(x_j) -
    d(x_i, x_j)^2)`` and ``d(x, y) = x' M^-1 y`` (Fedorov, 1972).
    """
    N, p = F.shape
    best, best_value = None, -np.inf
    ridge = 1e-9 * np.eye(p)  # NOTE: keeps a singular random start invertible
    for _ in range(4):
        idx = rng.choice(N, size=n, replace=replace or n > N)
        for _ in range(20 * n + 50):
            X = F[idx]
            FM = np.linalg.solve(X.T @ X + ridge, F.T).T
            d = np.einsum("ij,ij->i", FM, F)
            d_pair = FM[idx] @ F.T
            di = d[idx][:, None]
            delta = d[None, :] - di - (di * d[None, :] - d_pair**2)
            if not replace:
                delta[:, idx] = -np.inf
            i, j = np.unravel_index(np.argmax(delta), delta.shape)
            if delta[i, j] <= 1e-8:
                break
            idx[i] = j
        sign, value = np.linalg.slogdet(F[idx].T @ F[idx])
        if sign > 0 and value > best_value:
            best, best_value = idx.copy(), value
    if best is None:
        raise SpaceError(
            "no non-singular D-optimal design was found: the allowed settings cannot support "
            "every term of the model; use a simpler model or more distinct settings"
        )
    return best


def _d_optimal(space: Space, n: int, model: str, rng: Any, candidates: Any) -> pd.DataFrame:
    pool = _candidate_set(space, rng) if candidates is None else candidates
    F = model_matrix(space, pool, model)
    if n < F.shape[1]:
        raise ValueError(
            f"a {model} model in this space has {F.shape[1]} terms, so a D-optimal design "
            f"needs n >= {F.shape[1]}; got n={n}. Use more runs or model='linear'"
        )
    chosen = _fedorov(F, n, rng, replace=candidates is None)
    if candidates is not None:
        return candidates.iloc[chosen]
    return pool.iloc[chosen].reset_index(drop=True)


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
            f"the design has {len(design)} runs but there are only {len(candidates)} candidates"
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
        Number of runs. Needed by ``'random'``, ``'lhs'``, ``'sobol'``, ``'d-optimal'``; the
        structured designs use their natural size when ``None`` and add centre points (or,
        for ``'factorial'``, replicates) when ``n`` is larger. ``'fractional'`` picks the
        largest two-level design that fits in ``n``.
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
    >>> from yieldlab.experiments.parameters import Real, Categorical
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
            raise ValueError(f"{option} applies to method={methods[0]!r} only, not {method!r}")
    n = None if n is None else _check_count("n", n)
    _check_count("n_center", n_center)
    rng = check_rng(rng)
    if n is None and method in ("random", "lhs", "sobol", "d-optimal"):
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
        if method == "random":
            return space.sample(n, rng)
        return _sampled(space, n, rng, _latin_hypercube if method == "lhs" else _sobol)
    if method == "factorial":
        design = space.grid(levels, feasible_only=False)
    elif method == "fractional":
        design = _fractional(space, n, generator, categorical, rng)
    elif method == "ccd":
        design = _ccd(space, n_center, face, categorical, rng)
    else:
        design = _box_behnken(space, n_center, categorical, rng)
    return _resize(space, _restrict(space, design, method), n, method, rng)


def _validated_candidates(space: Space, candidates: Any) -> pd.DataFrame:
    if not isinstance(candidates, pd.DataFrame):
        raise TypeError("candidates must be a pandas DataFrame of allowed settings")
    space.validate(candidates, where="candidates", allow_extra=True)
    if not candidates.index.is_unique:
        raise ValueError("the candidates' index has duplicate labels; use reset_index()")
    return candidates
