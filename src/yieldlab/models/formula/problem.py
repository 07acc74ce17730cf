"""The least-squares problem of a formula fit: residuals and their exact Jacobian (layer 2).

``r(theta) = f(X; theta) - z`` where ``f`` is the right side of the formula and ``z`` the
(transformed) response. One forward pass of the expression tree gives the values and the
exact Jacobian together; the last pass is cached, because a solver asks for the residuals
and then the Jacobian at the same point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .expression import Node, evaluate

__all__ = ["HUGE_RESIDUAL", "Problem"]

# NOTE: a non-finite residual (the model left its domain during a step) is reported to the
# solver as this large value, so the step is rejected and the trust region shrinks; NaN
# would poison MINPACK's comparisons.
HUGE_RESIDUAL = 1e100


class Problem:
    """Residuals and Jacobian of ``f(X; theta) - z``.

    Parameters
    ----------
    expression : Node
        Right side of the formula.
    inputs : mapping of str to ndarray of shape (n_samples,)
        The input columns by name.
    target : ndarray of shape (n_samples,)
        The response on the fitting scale (after the left-side transform).
    names : sequence of str
        Parameter names, in the order of the parameter vector ``theta``.

    Attributes
    ----------
    n_evaluations : int
        Number of forward passes so far (values alone, or values with the Jacobian).
    """

    def __init__(
        self,
        expression: Node,
        inputs: Mapping[str, np.ndarray],
        target: np.ndarray,
        names: Sequence[str],
    ) -> None:
        self.expression = expression
        self.inputs = dict(inputs)
        self.target = np.asarray(target, dtype=float)
        self.names = list(names)
        self.n_evaluations = 0
        # the last point evaluated: (theta, values, jacobian or None)
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None

    @property
    def n_samples(self) -> int:
        return self.target.shape[0]

    @property
    def n_parameters(self) -> int:
        return len(self.names)

    def environment(self, theta: np.ndarray) -> dict[str, object]:
        """Symbol values for the expression: the inputs and the parameters ``theta``."""
        env: dict[str, object] = dict(self.inputs)
        env.update(zip(self.names, (float(t) for t in theta), strict=True))
        return env

    def evaluate(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Model values of shape (n_samples,) and Jacobian of shape (n_samples, n_params)."""
        theta = np.asarray(theta, dtype=float)
        last = self._last
        if last is not None and last[2] is not None and np.array_equal(last[0], theta):
            return last[1], last[2]
        values, jacobian = evaluate(
            self.expression, self.environment(theta), self.names, n_samples=self.n_samples
        )
        self.n_evaluations += 1
        self._last = (theta.copy(), values, jacobian)
        return values, jacobian

    def values(self, theta: np.ndarray) -> np.ndarray:
        """Model values of shape (n_samples,) alone (a trial step needs no Jacobian)."""
        theta = np.asarray(theta, dtype=float)
        last = self._last
        if last is not None and np.array_equal(last[0], theta):
            return last[1]
        values = evaluate(self.expression, self.environment(theta), n_samples=self.n_samples)
        self.n_evaluations += 1
        self._last = (theta.copy(), values, None)
        return values

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """``f(X; theta) - z``, with non-finite entries replaced by :data:`HUGE_RESIDUAL`."""
        r = self.values(theta) - self.target
        return np.where(np.isfinite(r), r, HUGE_RESIDUAL)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``d f / d theta``, with non-finite entries replaced by 0."""
        _, jacobian = self.evaluate(theta)
        return np.where(np.isfinite(jacobian), jacobian, 0.0)

    def sse(self, theta: np.ndarray) -> float:
        """Sum of squared residuals; ``inf`` where the model is not finite."""
        r = self.values(theta) - self.target
        if not np.all(np.isfinite(r)):
            return float("inf")
        with np.errstate(over="ignore"):
            return float(r @ r)
