"""Starting values chosen automatically, and the extra starts of a fallback (layer 2).

Many formulas are linear in some parameters: ``b1*exp(-b2*x) + b3`` is linear in ``b1``
and ``b3`` once ``b2`` is fixed. For any values of the other (nonlinear) parameters, the
best linear ones follow from one linear least-squares solve (variable projection, as
Golub and Pereyra). So a candidate start only needs values for the nonlinear parameters;
they are drawn from log-spaced magnitudes of both signs and from the scale of the data
(and, for a fallback, from the bounds and from the user's start scaled up and down).
Thousands of candidates are scored at once: the expression tree broadcasts parameters of
shape ``(n_candidates, 1)`` against inputs of shape ``(n_samples,)``, and the linear
solves run as one stacked pseudo-inverse. The best few go on to the full fit.
"""

from __future__ import annotations

import numpy as np

from .expression import Binary, Call, Negative, Node, Number, Symbol, evaluate
from .problem import Problem

__all__ = ["automatic_starts", "fallback_starts", "linear_parameters", "score_starts"]

NONLINEAR = 2
# magnitudes tried for a nonlinear parameter: 10**k for k on this grid, both signs
LOG_MAGNITUDES = np.arange(-4.0, 4.1, 0.5)
N_RANDOM = 4000  # candidates drawn at random for three or more nonlinear parameters
# refinement: the best coarse candidates, each nonlinear value times 10**step
N_CENTRES = 128
REFINE_STEPS = np.arange(-0.375, 0.38, 0.125)
N_REFINE_RANDOM = 64
MAX_SCAN_ROWS = 1000  # rows used to score candidates (evenly spaced when there are more)
BATCH_ELEMENTS = 2_000_000  # floats per derivative array while scoring a batch
SEED = 20_261_125  # fixed: the same data and formula always give the same starts


def _degree(node: Node, names: set[str]) -> int:
    """Polynomial degree of ``node`` in the symbols ``names``: 0, 1 or 2 (nonlinear)."""
    if isinstance(node, Number):
        return 0
    if isinstance(node, Symbol):
        return int(node.name in names)
    if isinstance(node, Negative):
        return _degree(node.operand, names)
    if isinstance(node, Call):
        return 0 if _degree(node.argument, names) == 0 else NONLINEAR
    if not isinstance(node, Binary):
        return NONLINEAR
    left, right = _degree(node.left, names), _degree(node.right, names)
    if node.op in "+-":
        return max(left, right)
    if node.op == "*":
        return min(left + right, NONLINEAR)
    if node.op == "/":
        return left if right == 0 else NONLINEAR
    if isinstance(node.right, Number) and node.right.value == 1.0:
        return left
    return 0 if left == right == 0 else NONLINEAR


def linear_parameters(expression: Node, names: list[str]) -> list[str]:
    """Parameters in which the expression is jointly linear (affine), chosen greedily.

    Examples
    --------
    >>> from yieldlab.models.formula.parser import parse_formula
    >>> tree = parse_formula("y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5").right
    >>> linear_parameters(tree, ["b1", "b2", "b3", "b4", "b5"])
    ['b1', 'b3', 'b5']
    """
    chosen: list[str] = []
    for name in names:
        if _degree(expression, {*chosen, name}) <= 1:
            chosen.append(name)
    return chosen


def _score_batch(problem: Problem, points: np.ndarray, linear: np.ndarray):
    """Project the linear parameters of a batch of points; return the points and SSEs."""
    n_points = points.shape[0]
    points = points.copy()
    points[:, linear] = 0.0
    env: dict[str, object] = dict(problem.inputs)
    env.update((name, points[:, [k]]) for k, name in enumerate(problem.names))
    linear_names = [problem.names[k] for k in linear]
    shape = (n_points, problem.n_samples)
    if linear.size:
        values, A = evaluate(problem.expression, env, linear_names, n_samples=shape)
    else:
        values, A = evaluate(problem.expression, env, n_samples=shape), None
    rhs = problem.target - values
    ok = np.all(np.isfinite(rhs), axis=1)
    if A is not None:
        ok &= np.all(np.isfinite(A), axis=(1, 2))
        A, rhs = np.where(ok[:, None, None], A, 0.0), np.where(ok[:, None], rhs, 0.0)
        norms = np.linalg.norm(A, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        try:
            solution = np.einsum("kpn,kn->kp", np.linalg.pinv(A / norms), rhs)
        except np.linalg.LinAlgError:
            return points, np.full(n_points, np.inf)
        points[:, linear] = solution / norms[:, 0, :]
        rhs = rhs - np.einsum("knp,kp->kn", A, points[:, linear])
    sse = np.where(ok, np.sum(rhs * rhs, axis=1), np.inf)
    return points, np.where(np.isfinite(sse), sse, np.inf)


def score_starts(
    problem: Problem, points: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate starts with their linear parameters solved, and their sums of squares.

    Parameters
    ----------
    problem : Problem
    points : ndarray of shape (n_points, n_parameters)
        Candidates; the values of the linear parameters are ignored.
    lower, upper : ndarray of shape (n_parameters,)
        Bounds; the solved points are clipped into them (and rescored).

    Returns
    -------
    points : ndarray of shape (n_points, n_parameters)
    sse : ndarray of shape (n_points,)
        ``inf`` where the model cannot be evaluated. Above :data:`MAX_SCAN_ROWS` rows,
        computed on that many evenly spaced rows (it only ranks the candidates).
    """
    names = set(linear_parameters(problem.expression, problem.names))
    linear = np.array([k for k, n in enumerate(problem.names) if n in names], dtype=int)
    points = np.atleast_2d(np.asarray(points, dtype=float))
    if problem.n_samples > MAX_SCAN_ROWS:
        # ranking candidates needs the shape of the data, not every row
        rows = np.linspace(0, problem.n_samples - 1, MAX_SCAN_ROWS).round().astype(int)
        inputs = {name: column[rows] for name, column in problem.inputs.items()}
        problem = Problem(problem.expression, inputs, problem.target[rows], problem.names)
    per_point = problem.n_samples * max(linear.size, 1)
    size = max(1, BATCH_ELEMENTS // per_point)
    solved, scores = [], []
    with np.errstate(all="ignore"):
        for begin in range(0, points.shape[0], size):
            batch, sse = _score_batch(problem, points[begin : begin + size], linear)
            clipped = np.clip(batch, lower, upper)
            moved = np.any(clipped != batch, axis=1)
            if moved.any():  # a bound cut the linear solve: score the clipped point
                _, sse[moved] = _score_batch(problem, clipped[moved], np.array([], int))
            solved.append(clipped)
            scores.append(sse)
    return np.concatenate(solved), np.concatenate(scores)


def _data_scales(problem: Problem) -> np.ndarray:
    """Positive magnitudes suggested by the data: input quantiles, spreads and reciprocals."""
    scales = [1.0]
    for column in problem.inputs.values():
        magnitudes = np.abs(column)
        candidates = [*np.quantile(magnitudes, [0.1, 0.5, 0.9]), np.ptp(column) / 4]
        candidates = [float(c) for c in candidates if np.isfinite(c) and c > 0]
        scales.extend(candidates)
        scales.extend(1.0 / c for c in candidates)
    return np.unique(np.asarray(scales))


def _candidates(problem: Problem, n_nonlinear: int) -> np.ndarray:
    """Coarse candidates of the nonlinear parameters, shape (n_candidates, n_nonlinear)."""
    magnitudes = np.concatenate([10.0**LOG_MAGNITUDES, _data_scales(problem)])
    values = np.concatenate([magnitudes, -magnitudes])
    if n_nonlinear == 0:
        return np.zeros((1, 0))
    if n_nonlinear == 1:
        return values[:, None]
    if n_nonlinear == 2:
        first, second = np.meshgrid(values, values, indexing="ij")
        return np.column_stack([first.ravel(), second.ravel()])
    rng = np.random.default_rng(SEED)
    draws = rng.choice(values, size=(N_RANDOM, n_nonlinear))
    # a quarter share one magnitude across the parameters (rates or widths of a kind)
    quarter = N_RANDOM // 4
    shared = rng.choice(magnitudes, size=(quarter, 1))
    draws[:quarter] = shared * rng.choice([1.0, -1.0], size=(quarter, n_nonlinear), p=[0.8, 0.2])
    return draws


def _refinements(centres: np.ndarray) -> np.ndarray:
    """Points around each centre: every nonlinear value times 10**d on a fine local grid.

    Parameters
    ----------
    centres : ndarray of shape (n_centres, n_nonlinear)

    Returns
    -------
    ndarray of shape (n_points, n_nonlinear)
    """
    n_nonlinear = centres.shape[1]
    if n_nonlinear <= 2:
        steps = np.array(np.meshgrid(*[REFINE_STEPS] * n_nonlinear)).reshape(n_nonlinear, -1).T
    else:
        rng = np.random.default_rng(SEED)
        steps = rng.choice(REFINE_STEPS, size=(N_REFINE_RANDOM, n_nonlinear))
    factors = 10.0**steps
    return (centres[:, None, :] * factors[None, :, :]).reshape(-1, n_nonlinear)


def _best_distinct(points: np.ndarray, scores: np.ndarray, n_best: int) -> list[np.ndarray]:
    """The ``n_best`` lowest-scoring points that differ in their first 6 significant digits."""
    order = np.argsort(scores, kind="stable")
    order = order[np.isfinite(scores[order])]
    if order.size == 0:
        return []
    ranked = np.asarray(points)[order]
    with np.errstate(all="ignore"):
        scale = 10.0 ** np.floor(np.log10(np.abs(ranked)))
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    keys = np.column_stack([np.round(ranked / scale, 5), scale])
    _, first = np.unique(keys, axis=0, return_index=True)
    return [ranked[i] for i in np.sort(first)[:n_best]]


def _bound_points(lower: np.ndarray, upper: np.ndarray) -> list[np.ndarray]:
    """Points inside the box: the centre (geometric for positive ranges) and quarter points."""
    if not (np.any(np.isfinite(lower)) or np.any(np.isfinite(upper))):
        return []
    points = []
    both = np.isfinite(lower) & np.isfinite(upper)
    positive = both & (lower > 0)
    only_low = np.isfinite(lower) & ~np.isfinite(upper)
    only_up = ~np.isfinite(lower) & np.isfinite(upper)
    for fraction in (0.5, 0.25, 0.75):
        point = np.ones(lower.size)
        point[both] = lower[both] + fraction * (upper[both] - lower[both])
        with np.errstate(all="ignore"):
            geometric = lower * (upper / lower) ** fraction
        point[positive] = geometric[positive]
        point[only_low] = lower[only_low] + np.maximum(np.abs(lower[only_low]), 1.0) * fraction
        point[only_up] = upper[only_up] - np.maximum(np.abs(upper[only_up]), 1.0) * fraction
        points.append(point)
    return points


def automatic_starts(
    problem: Problem, lower: np.ndarray, upper: np.ndarray, n_best: int = 5
) -> list[np.ndarray]:
    """The best few automatic starting points, best first (possibly empty).

    Parameters
    ----------
    problem : Problem
    lower, upper : ndarray of shape (n_parameters,)
        Bounds (``-inf``/``inf`` when free).
    n_best : int, default=5
        Number of distinct starts returned at most.

    Returns
    -------
    list of ndarray of shape (n_parameters,)
    """
    names = set(linear_parameters(problem.expression, problem.names))
    nonlinear = [k for k, n in enumerate(problem.names) if n not in names]
    values = _candidates(problem, len(nonlinear))
    points = np.ones((values.shape[0], problem.n_parameters))
    points[:, nonlinear] = values
    points = np.vstack([np.clip(points, lower, upper), *_bound_points(lower, upper)])
    solved, scores = score_starts(problem, points, lower, upper)
    if nonlinear:
        # refine: a fine grid of magnitudes around the best coarse candidates
        centres = np.array(_best_distinct(solved, scores, N_CENTRES))
        if centres.size:
            local = _refinements(centres[:, nonlinear])
            fine = np.repeat(centres, local.shape[0] // centres.shape[0], axis=0)
            fine[:, nonlinear] = local
            fine_solved, fine_scores = score_starts(
                problem, np.clip(fine, lower, upper), lower, upper
            )
            solved = np.vstack([solved, fine_solved])
            scores = np.concatenate([scores, fine_scores])
    return _best_distinct(solved, scores, n_best)


def fallback_starts(
    problem: Problem,
    start: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    automatic: list[np.ndarray] | None = None,
    n_best: int = 8,
) -> list[np.ndarray]:
    """Extra starting points for when the fit from ``start`` failed, best first.

    Candidates: the box of the bounds, the start scaled as a whole and one parameter at a
    time by powers of ten (and sign flips), then the automatic starts (``automatic``, or
    computed here).
    """
    points = list(_bound_points(lower, upper))
    points.extend(start * factor for factor in (0.1, 10.0, 0.5, 2.0, -1.0))
    for k in range(start.size):
        for factor in (1e-2, 1e-1, 10.0, 1e2, -1.0):
            point = start.copy()
            point[k] = start[k] * factor if start[k] != 0 else factor
            points.append(point)
    candidates = np.clip(np.array(points), lower, upper)
    solved, scores = score_starts(problem, candidates, lower, upper)
    chosen = _best_distinct(solved, scores, n_best)
    if automatic is None:
        automatic = automatic_starts(problem, lower, upper, n_best=n_best)
    for point in automatic:
        if not any(np.allclose(point, other, rtol=1e-6, atol=0) for other in chosen):
            chosen.append(point)
    return chosen
