"""Classical designs: two-level fractional factorials, central composite and Box-Behnken
(layer 4).

The designs come coded (``-1..1`` per factor) from pyDOE3 and are decoded to user units;
the parameters that are not factors are crossed with the coded design or balanced over its
runs. :func:`.design.make_design` is the entry point; the full factorial is
:meth:`.Space.grid`. Runs that break a restriction are dropped (:func:`_restrict`), and
extra runs are centre points or replicates (:func:`_resize`).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyDOE3

from .._validation import check_choice
from ..exceptions import SpaceError
from .space import Space

__all__ = ["GENERATORS"]

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
        except (ValueError, IndexError):
            letters = " ".join(_LETTERS[:k])
            raise ValueError(
                f"generator={generator!r} is not valid: each word is one factor's column, a "
                f"single letter for a base factor or a product of base letters for a "
                f"generated one (with {k} factors {factors}, such as {letters!r} for the full "
                "factorial, or 'a b c abc' for 4)"
            ) from None
    else:
        crossed = len(_others(space, factors)) if categorical == "cross" else 1
        runs = min(2**k, 2 ** math.ceil(math.log2(max(2 * k, 2))))
        if n is not None:
            runs = min(2**k, 2 ** math.floor(math.log2(max(n // crossed, 1))))
            needed = 2 ** math.ceil(math.log2(k + 1))
            if runs < min(needed, 2**k):
                raise ValueError(
                    f"a two-level fractional factorial of the two-level factor(s) {factors} "
                    f"needs at least {min(needed, 2**k) * crossed} runs here; got n={n}"
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
    kept = design[ok].reset_index(drop=True)
    # a factor left at one level cannot be estimated from the design: say which
    flat = [
        name for name in design.columns if design[name].nunique() > 1 and kept[name].nunique() == 1
    ]
    lost = (
        f"; {', '.join(map(repr, flat))} then {'has' if len(flat) == 1 else 'have'} a single "
        "level, so "
        + ("its effect" if len(flat) == 1 else "their effects")
        + " cannot be estimated from this design"
        if flat
        else ""
    )
    warnings.warn(
        f"{method!r} design: {int((~ok).sum())} of {len(design)} runs violate a constraint or "
        f"exclusion and were dropped{lost}; method='d-optimal' builds a design inside the "
        "region",
        UserWarning,
        stacklevel=3,
    )
    return kept


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
