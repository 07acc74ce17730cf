"""Double-double arithmetic: sums and products carried to about 32 significant digits.

A number is held as an unevaluated sum ``hi + lo`` of two float64 values with
``|lo| <= ulp(hi) / 2``. The error-free transformations of Knuth (``two_sum``) and Dekker
(``two_prod``) return the rounding error of one float64 operation exactly, so sums and dot
products accumulated with them are correct to about ``2**-104`` relative to the sum of the
magnitudes, on every platform (NumPy's ``longdouble`` is only float64 on some). The least
squares solver uses them to compute residuals in iterative refinement
(:mod:`yieldlab.engine.linear`), and response surfaces to form polynomial terms
``x1**2 * x2`` without rounding.

Everything is vectorised over arrays; loops run over columns only.

Examples
--------
>>> import numpy as np
>>> hi, lo = two_sum(np.float64(1.0), np.float64(1e-20))
>>> float(hi), float(lo)
(1.0, 1e-20)
"""

from __future__ import annotations

import numpy as np

__all__ = ["dd_matvec", "dd_rmatvec", "dd_sum", "monomials", "two_prod", "two_sum"]

Array = np.ndarray

# 2**27 + 1 splits a float64 significand (53 bits) into two halves of 26 bits.
_SPLITTER = 134217729.0


def two_sum(a, b):
    """``s + e == a + b`` exactly, with ``s = fl(a + b)`` (Knuth's TwoSum, 6 flops)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _fast_two_sum(a, b):
    """TwoSum for ``|a| >= |b|`` (3 flops): renormalises a double-double."""
    s = a + b
    return s, b - (s - a)


def _split(a):
    # NOTE: overflows for |a| > 2**996 (about 1e300); data that large is not least squares.
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a, b):
    """``p + e == a * b`` exactly, with ``p = fl(a * b)`` (Dekker's TwoProduct).

    Examples
    --------
    >>> p, e = two_prod(np.float64(0.1), np.float64(0.1))
    >>> float(p), float(e) != 0.0
    (0.010000000000000002, True)
    """
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _dd_mul(a_hi, a_lo, b_hi, b_lo):
    """Product of two double-doubles (relative error about ``2**-104``)."""
    p, e = two_prod(a_hi, b_hi)
    e = e + (a_hi * b_lo + a_lo * b_hi)
    return _fast_two_sum(p, e)


def dd_sum(hi: Array, lo: Array | None = None, axis: int = 0) -> tuple[Array, Array]:
    """Sum of ``hi + lo`` along ``axis`` in double-double, by pairwise folding.

    Parameters
    ----------
    hi, lo : ndarray of shape (n, ...)
        Leading and trailing parts (``lo=None`` means zero).
    axis : int, default=0

    Returns
    -------
    hi, lo : ndarray
        The sum, shape of the input without ``axis``.

    Examples
    --------
    >>> s, e = dd_sum(np.array([1e16, 1.0, -1e16]))
    >>> float(s + e)
    1.0
    """
    hi = np.moveaxis(np.asarray(hi, dtype=np.float64), axis, 0)
    lo = np.zeros_like(hi) if lo is None else np.moveaxis(np.asarray(lo, np.float64), axis, 0)
    while hi.shape[0] > 1:
        half = hi.shape[0] // 2
        odd = hi.shape[0] % 2
        s, e = two_sum(hi[:half], hi[half : 2 * half])
        e += lo[:half] + lo[half : 2 * half]
        s, e = _fast_two_sum(s, e)
        if odd:
            s = np.concatenate([s, hi[-1:]])
            e = np.concatenate([e, lo[-1:]])
        hi, lo = s, e
    if hi.shape[0] == 0:
        return np.zeros(hi.shape[1:]), np.zeros(hi.shape[1:])
    return hi[0], lo[0]


def dd_matvec(
    A: Array, x: Array, A_tail: Array | None = None, offset: Array | None = None
) -> tuple[Array, Array]:
    """``offset + (A + A_tail) @ x`` in double-double.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_columns)
        Leading part of the matrix (best Fortran-ordered: the loop runs over columns).
    x : ndarray of shape (n_columns,)
    A_tail : ndarray of shape (n_samples, n_columns), optional
        Trailing part: the matrix is ``A + A_tail`` exactly (see :func:`monomials`).
    offset : ndarray of shape (n_samples,), optional
        Added first, exactly.

    Returns
    -------
    hi, lo : ndarray of shape (n_samples,)

    Examples
    --------
    >>> A = np.array([[1e16, 1.0, -1e16]])
    >>> hi, lo = dd_matvec(A, np.ones(3))
    >>> float(hi[0] + lo[0])
    1.0
    """
    n_samples = A.shape[0]
    hi = np.zeros(n_samples) if offset is None else np.array(offset, dtype=np.float64)
    lo = np.zeros(n_samples)
    for j, xj in enumerate(np.asarray(x, dtype=np.float64)):
        if xj == 0.0:
            continue
        p, e = two_prod(A[:, j], xj)
        hi, t = two_sum(hi, p)
        lo += t + e
        if A_tail is not None:
            lo += A_tail[:, j] * xj
    return _fast_two_sum(hi, lo)


def dd_rmatvec(A: Array, r: Array, A_tail: Array | None = None, chunk: int = 1 << 15) -> Array:
    """``(A + A_tail).T @ r`` computed in double-double and rounded once to float64.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_columns)
    r : ndarray of shape (n_samples,)
    A_tail : ndarray of shape (n_samples, n_columns), optional
    chunk : int, default=32768
        Rows per block (bounds the temporary memory).

    Returns
    -------
    ndarray of shape (n_columns,)

    Examples
    --------
    >>> A = np.array([[1e16], [1.0], [-1e16]])
    >>> dd_rmatvec(A, np.ones(3))
    array([1.])
    """
    hi = np.zeros(A.shape[1])
    lo = np.zeros(A.shape[1])
    for start in range(0, A.shape[0], chunk):
        block = slice(start, start + chunk)
        rb = r[block, None]
        p, e = two_prod(A[block], rb)
        if A_tail is not None:
            e = e + A_tail[block] * rb
        s_hi, s_lo = dd_sum(p, e, axis=0)
        hi, t = two_sum(hi, s_hi)
        lo += t + s_lo
    hi, lo = _fast_two_sum(hi, lo)
    return hi + lo


def monomials(X: Array, exponents: Array) -> tuple[Array, Array]:
    """Products of powers ``prod_j X[:, j] ** exponents[t, j]``, exactly to double-double.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    exponents : ndarray of int of shape (n_terms, n_features)
        One row per term, e.g. ``[2, 1]`` for ``x0**2 * x1``.

    Returns
    -------
    hi : ndarray of shape (n_samples, n_terms)
        The terms rounded to float64 (what ``X ** e`` would give at best).
    lo : ndarray of shape (n_samples, n_terms)
        The rounding errors: ``hi + lo`` is the exact term to about 32 digits.

    Examples
    --------
    >>> hi, lo = monomials(np.array([[0.1, 3.0]]), np.array([[2, 0], [1, 1]]))
    >>> hi
    array([[0.01, 0.3 ]])
    >>> bool(lo[0, 0] != 0.0)
    True
    """
    X = np.asarray(X, dtype=np.float64)
    exponents = np.asarray(exponents, dtype=int)
    n_samples = X.shape[0]
    hi = np.ones((n_samples, exponents.shape[0]), order="F")
    lo = np.zeros((n_samples, exponents.shape[0]), order="F")
    for j in range(X.shape[1]):
        top = int(exponents[:, j].max(initial=0))
        p_hi, p_lo = np.ones(n_samples), np.zeros(n_samples)
        x = X[:, j]
        for k in range(1, top + 1):
            # (p_hi + p_lo) * x, then renormalised
            p, e = two_prod(p_hi, x)
            p_hi, p_lo = _fast_two_sum(p, e + p_lo * x)
            for t in np.flatnonzero(exponents[:, j] == k):
                hi[:, t], lo[:, t] = _dd_mul(hi[:, t], lo[:, t], p_hi, p_lo)
    return hi, lo
