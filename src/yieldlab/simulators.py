"""Processes to practise on and to test with (layer 4).

:class:`Reactor` is a kinetic model of a catalysed reaction with a consecutive and a side
reaction; :class:`Branin` and :class:`Hartmann6` are the standard test functions of the
optimization literature. Each has a ``space``, ``objectives``, and is called on a table of
settings to return a table of "measured" results, with optional seeded noise.

Examples
--------
>>> import pandas as pd
>>> reactor = Reactor()
>>> settings = pd.DataFrame({"temperature": [140.0], "time": [12.0],
...                          "concentration": [2.0], "catalyst": ["Pt"]})
>>> reactor(settings).round(2)
   yield  cost  waste
0  85.04  3.88   0.41
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ._validation import check_rng
from .experiments.levels import Categorical
from .experiments.objectives import Maximize, Minimize, Objective
from .experiments.ranges import Real
from .experiments.space import Space

__all__ = ["Branin", "Hartmann6", "Optimum", "Reactor"]

GAS_CONSTANT = 8.314462618  # J / (mol K)


@dataclass(frozen=True)
class Optimum:
    """A best setting and its value."""

    settings: dict[str, Any]
    value: float


class _Simulator:
    """Validation of the settings and seeded measurement noise, shared by the simulators."""

    space: Space
    objectives: list[Objective]

    def __init__(self, noise: float = 0.0, random_state: Any = None) -> None:
        if isinstance(noise, bool) or not isinstance(noise, int | float) or not noise >= 0:
            raise ValueError(f"noise={noise!r} is invalid; expected a number >= 0")
        self.noise = float(noise)
        self.random_state = random_state
        self._rng = check_rng(random_state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(noise={self.noise!r})"

    def _evaluate(self, settings: pd.DataFrame) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _perturb(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: v + self.noise * self._rng.standard_normal(len(v)) for k, v in values.items()}

    def noiseless(self, settings: pd.DataFrame) -> pd.DataFrame:
        """The true (noise-free) results of settings, a DataFrame with the settings' index."""
        valid = self.space.validate(settings, where="settings", allow_extra=True)
        return pd.DataFrame(self._evaluate(valid), index=valid.index)

    def __call__(self, settings: pd.DataFrame) -> pd.DataFrame:
        """Run the experiments: results with measurement noise (when ``noise > 0``).

        Parameters
        ----------
        settings : DataFrame of shape (n_runs, n_parameters)
            Validated against ``space`` (other columns are ignored).

        Returns
        -------
        DataFrame of shape (n_runs, n_objectives)
            One column per objective, with the settings' index.
        """
        truth = self.noiseless(settings)
        if self.noise == 0:
            return truth
        noisy = self._perturb({k: truth[k].to_numpy() for k in truth.columns})
        return pd.DataFrame(noisy, index=truth.index)


# catalyst -> (k1 at 110 °C and 1 mol/L in 1/min, activation energy in J/mol, price in € per
# mol of A at the standard loading)
CATALYSTS: dict[str, tuple[float, float, float]] = {
    "Pt": (0.020, 80e3, 3.00),
    "Pd": (0.010, 70e3, 1.50),
    "Ni": (0.004, 60e3, 0.20),
    "Cu": (0.0015, 55e3, 0.05),
}


def _phi(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x)) / x`` for ``x >= 0``, equal to 1 at 0."""
    # NOTE: expm1 keeps full precision as x -> 0 where 1 - exp(-x) cancels.
    small = x < 1e-8
    return np.where(small, 1.0 - 0.5 * x, -np.expm1(-x) / np.where(small, 1.0, x))


class Reactor(_Simulator):
    r"""A catalysed reaction with over-reaction and a thermal side reaction.

    Chemistry, in a batch (or plug-flow) reactor, feed ``A`` at concentration ``c``, a
    co-reactant ``R`` in fixed excess (so ``[R] ~ c`` and the bimolecular steps are pseudo
    first order)::

        A + R -> B   k1 c   (catalysed, the wanted product B)
        B + R -> C   k2 c   (over-reaction)
        A     -> D   k3     (thermal decomposition)

    Arrhenius rates about ``T_ref = 110 °C``: ``k_i(T) = k_i,ref exp(-E_i / R (1/T - 1/T_ref))``;
    ``k1,ref`` and ``E1`` depend on the catalyst (:data:`CATALYSTS`), ``k2,ref = 0.0012``,
    ``E2 = 45 kJ/mol``, ``k3,ref = 0.001 /min``, ``E3 = 120 kJ/mol``. With
    ``ka = k1 c + k3`` and ``kb = k2 c``, the analytical solution for ``B`` is

    .. math:: y_B(t) = \frac{k_1 c}{k_b - k_a}\,(e^{-k_a t} - e^{-k_b t})
              = k_1 c\, t\, e^{-\min(k_a, k_b) t}\, \varphi(|k_a - k_b|\, t),
              \quad \varphi(x) = (1 - e^{-x}) / x,

    the second form free of cancellation and overflow. Since ``E2 < E1 < E3``, low
    temperatures favour over-reaction and high ones decomposition: the yield has an interior
    optimum in temperature and in time (best: Pt, about 143 °C, 12 min, 2 mol/L, 85.6 %).

    Results:

    * ``yield`` of B in % (``100 y_B``);
    * ``cost`` in € per mol of B: ``(price c + 0.004 (T - 20) + 0.01 t) / (c y_B)``, the
      catalyst, heating (€/L per K) and reactor time (€/L per min) over the product made;
    * ``waste``, an E-factor in kg waste per kg B: ``(0.08 + c M (1 - y_B)) / (c M y_B)``,
      unrecycled solvent (0.08 kg/L) plus unreacted A, C and D (molar mass
      ``M = 0.2 kg/mol`` for all).

    Noise: ``noise`` is the standard deviation of the yield in percentage points (the
    measured yield is clipped to [0, 100]); cost and waste get a multiplicative log-normal
    error of relative size ``noise / 100``.

    Parameters
    ----------
    noise : float, default=0.0
    random_state : None, int or numpy.random.Generator
        Seeds the noise; the same seed and calls give the same results.

    Attributes
    ----------
    space : Space
        ``temperature`` Real [60, 160] °C, ``time`` Real [1, 180] min (log scale),
        ``concentration`` Real [0.1, 2] mol/L, ``catalyst`` Categorical Pt/Pd/Ni/Cu.
    objectives : list of Objective
        ``Maximize('yield', 0, 100)``, ``Minimize('cost')``, ``Minimize('waste')``.
    """

    T_REF = 383.15
    K2_REF, E2 = 0.0012, 45e3
    K3_REF, E3 = 0.001, 120e3

    def __init__(self, noise: float = 0.0, random_state: Any = None) -> None:
        super().__init__(noise, random_state)
        self.space = Space(
            [
                Real("temperature", 60.0, 160.0, unit="°C"),
                Real("time", 1.0, 180.0, unit="min", log=True),
                Real("concentration", 0.1, 2.0, unit="mol/L"),
                Categorical("catalyst", list(CATALYSTS)),
            ]
        )
        self.objectives = [Maximize("yield", 0, 100), Minimize("cost"), Minimize("waste")]
        self._optima: dict[str, Optimum] = {}

    def _rate(self, k_ref: Any, energy: Any, kelvin: np.ndarray) -> np.ndarray:
        return k_ref * np.exp(-energy / GAS_CONSTANT * (1.0 / kelvin - 1.0 / self.T_REF))

    def _fractions(self, T: Any, t: Any, c: Any, catalyst: Any) -> np.ndarray:
        """Fraction of A converted to B, shape (n_runs,)."""
        table = np.array([CATALYSTS[name][:2] for name in catalyst], dtype=float).reshape(-1, 2)
        kelvin = np.asarray(T, dtype=float) + 273.15
        t, c = np.asarray(t, dtype=float), np.asarray(c, dtype=float)
        k1 = self._rate(table[:, 0], table[:, 1], kelvin) * c
        ka = k1 + self._rate(self.K3_REF, self.E3, kelvin)
        kb = self._rate(self.K2_REF, self.E2, kelvin) * c
        return k1 * t * np.exp(-np.minimum(ka, kb) * t) * _phi(np.abs(ka - kb) * t)

    def _evaluate(self, settings: pd.DataFrame) -> dict[str, np.ndarray]:
        T, t = settings["temperature"].to_numpy(float), settings["time"].to_numpy(float)
        c, catalyst = settings["concentration"].to_numpy(float), settings["catalyst"].to_numpy()
        y = self._fractions(T, t, c, catalyst)
        price = np.array([CATALYSTS[name][2] for name in catalyst])
        molar_mass = 0.2
        return {
            "yield": 100.0 * y,
            "cost": (price * c + 0.004 * (T - 20.0) + 0.01 * t) / (c * y),
            "waste": (0.08 + c * molar_mass * (1.0 - y)) / (c * molar_mass * y),
        }

    def _perturb(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(values["yield"])
        relative = self.noise / 100.0
        return {
            "yield": np.clip(values["yield"] + self.noise * self._rng.standard_normal(n), 0, 100),
            "cost": values["cost"] * np.exp(relative * self._rng.standard_normal(n)),
            "waste": values["waste"] * np.exp(relative * self._rng.standard_normal(n)),
        }

    def true_optimum(self, objective: str = "yield") -> Optimum:
        """The best noise-free setting for one objective (cached).

        A dense grid per catalyst (41 temperatures x 41 log-spaced times x 21
        concentrations), then L-BFGS-B from the three best grid points of each catalyst in
        the encoded coordinates.

        Parameters
        ----------
        objective : {'yield', 'cost', 'waste'}

        Returns
        -------
        Optimum
            ``settings`` (a dict of the four parameters) and ``value``.
        """
        from ._validation import check_choice

        check_choice("objective", objective, ("yield", "cost", "waste"))
        if objective not in self._optima:
            self._optima[objective] = self._search(objective)
        return self._optima[objective]

    def _search(self, objective: str) -> Optimum:
        sign = -1.0 if objective == "yield" else 1.0
        numeric = self.space.parameters[:3]
        axes = np.meshgrid(*[np.linspace(0, 1, m) for m in (41, 41, 21)], indexing="ij")
        U = np.column_stack([a.ravel() for a in axes])
        best: Optimum | None = None
        for catalyst in CATALYSTS:

            def loss(u: np.ndarray, catalyst: str = catalyst) -> np.ndarray:
                u = np.atleast_2d(u)
                frame = pd.DataFrame({p.name: p.decode(u[:, j]) for j, p in enumerate(numeric)})
                frame["catalyst"] = catalyst
                return sign * self._evaluate(frame)[objective]

            values = loss(U)
            for start in U[np.argsort(values)[:3]]:
                result = minimize(
                    lambda u: float(loss(u)[0]), start, method="L-BFGS-B", bounds=[(0.0, 1.0)] * 3
                )
                value = sign * float(result.fun)
                if best is None or sign * value < sign * best.value:
                    settings = {
                        p.name: float(p.decode(result.x[[j]])[0]) for j, p in enumerate(numeric)
                    }
                    best = Optimum({**settings, "catalyst": catalyst}, value)
        return best


class Branin(_Simulator):
    r"""The Branin-Hoo function (minimize), a standard two-dimensional test.

    .. math:: f(x_1, x_2) = (x_2 - \tfrac{5.1}{4\pi^2} x_1^2 + \tfrac{5}{\pi} x_1 - 6)^2
              + 10 (1 - \tfrac{1}{8\pi}) \cos x_1 + 10

    on ``x1`` in [-5, 10], ``x2`` in [0, 15]; three global minima with
    ``f = 0.397887`` at ``(-pi, 12.275)``, ``(pi, 2.275)`` and ``(9.42478, 2.475)``.
    ``noise`` is the standard deviation of additive Gaussian noise.

    Examples
    --------
    >>> import pandas as pd
    >>> float(Branin()(pd.DataFrame({"x1": [np.pi], "x2": [2.275]}))["y"].iloc[0])
    0.39788...
    """

    def __init__(self, noise: float = 0.0, random_state: Any = None) -> None:
        super().__init__(noise, random_state)
        self.space = Space([Real("x1", -5.0, 10.0), Real("x2", 0.0, 15.0)])
        self.objectives = [Minimize("y")]
        self.optimum = Optimum({"x1": float(np.pi), "x2": 2.275}, 0.397887357729739)

    def _evaluate(self, settings: pd.DataFrame) -> dict[str, np.ndarray]:
        x1, x2 = settings["x1"].to_numpy(float), settings["x2"].to_numpy(float)
        b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
        return {"y": (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10}


class Hartmann6(_Simulator):
    r"""The six-dimensional Hartmann function (minimize) on the unit cube.

    .. math:: f(x) = -\sum_{i=1}^{4} \alpha_i \exp\Big(-\sum_{j=1}^{6} A_{ij}
              (x_j - P_{ij})^2\Big)

    with the standard ``alpha``, ``A`` and ``P``; global minimum ``f = -3.32237`` at
    ``(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)``. ``noise`` is the
    standard deviation of additive Gaussian noise.

    Examples
    --------
    >>> import pandas as pd
    >>> h = Hartmann6()
    >>> round(float(h(pd.DataFrame([h.optimum.settings]))["y"].iloc[0]), 5)
    -3.32237
    """

    ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
    A = np.array(
        [
            [10, 3, 17, 3.5, 1.7, 8],
            [0.05, 10, 17, 0.1, 8, 14],
            [3, 3.5, 1.7, 10, 17, 8],
            [17, 8, 0.05, 10, 0.1, 14],
        ]
    )
    P = 1e-4 * np.array(
        [
            [1312, 1696, 5569, 124, 8283, 5886],
            [2329, 4135, 8307, 3736, 1004, 9991],
            [2348, 1451, 3522, 2883, 3047, 6650],
            [4047, 8828, 8732, 5743, 1091, 381],
        ]
    )

    def __init__(self, noise: float = 0.0, random_state: Any = None) -> None:
        super().__init__(noise, random_state)
        names = [f"x{j}" for j in range(1, 7)]
        self.space = Space([Real(name, 0.0, 1.0) for name in names])
        self.objectives = [Minimize("y")]
        best = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]
        self.optimum = Optimum(dict(zip(names, best, strict=True)), -3.32237)

    def _evaluate(self, settings: pd.DataFrame) -> dict[str, np.ndarray]:
        X = settings[[f"x{j}" for j in range(1, 7)]].to_numpy(float)
        inner = ((X[:, None, :] - self.P[None]) ** 2 * self.A[None]).sum(axis=2)
        return {"y": -(self.ALPHA * np.exp(-inner)).sum(axis=1)}
