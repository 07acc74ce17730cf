"""D-optimal designs: the model matrix, the D criterion and Fedorov exchange (layer 4).

A D-optimal design of ``n`` runs maximizes ``log det(X'X)``, ``X`` the
:func:`model_matrix` of a ``'linear'``, ``'interaction'`` or ``'quadratic'`` model, over a
candidate set (a grid and random feasible settings, or the caller's table of allowed
settings), by Fedorov exchange from several seeded starts. :func:`.design.make_design` is
the entry point.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_choice
from ..exceptions import SpaceError
from .space import Space

__all__ = ["MODELS", "d_criterion", "model_matrix"]

MODELS = ("linear", "interaction", "quadratic")
_MAX_CANDIDATES = 2000


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


# runs beyond the model's terms when no number is given: a few degrees of freedom to
# estimate the noise and check the fit (JMP's custom designs also default above the minimum)
EXTRA_RUNS = 4


def _d_optimal(space: Space, n: int | None, model: str, rng: Any, candidates: Any) -> pd.DataFrame:
    pool = _candidate_set(space, rng) if candidates is None else candidates
    F = model_matrix(space, pool, model)
    if n is None:
        n = F.shape[1] + EXTRA_RUNS
        if candidates is not None:
            n = max(F.shape[1], min(n, len(candidates)))
    if n < F.shape[1]:
        raise ValueError(
            f"a {model} model in this space has {F.shape[1]} terms, so a D-optimal design "
            f"needs n >= {F.shape[1]}; got n={n}. Use more runs or model='linear'"
        )
    chosen = _fedorov(F, n, rng, replace=candidates is None)
    if candidates is not None:
        return candidates.iloc[chosen]
    return pool.iloc[chosen].reset_index(drop=True)
