"""Simulators: the reactor's kinetics against an ODE solver, known optima of test functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import minimize

from yieldlab.exceptions import SpaceError
from yieldlab.simulators import CATALYSTS, Branin, Hartmann6, Reactor


def _integrate(reactor: Reactor, T: float, t: float, c: float, catalyst: str) -> np.ndarray:
    """Fractions of A, B, C, D after time t, by numerical integration of the rate laws."""
    kelvin = T + 273.15
    k1 = reactor._rate(*CATALYSTS[catalyst][:2], kelvin) * c
    k2 = reactor._rate(reactor.K2_REF, reactor.E2, kelvin) * c
    k3 = reactor._rate(reactor.K3_REF, reactor.E3, kelvin)

    def rates(_, x):
        a, b, _, _ = x
        return [-(k1 + k3) * a, k1 * a - k2 * b, k2 * b, k3 * a]

    solution = solve_ivp(rates, (0, t), [1, 0, 0, 0], method="LSODA", rtol=1e-10, atol=1e-12)
    return solution.y[:, -1]


@pytest.mark.parametrize(
    ("T", "t", "c", "catalyst"),
    [
        (60, 1, 0.1, "Cu"),
        (110, 30, 1.0, "Pd"),
        (143, 12, 2.0, "Pt"),
        (160, 180, 2.0, "Ni"),
        (125, 55.3, 0.7, "Pt"),
    ],
)
def test_reactor_yield_matches_the_rate_laws(T, t, c, catalyst):
    reactor = Reactor()
    settings = pd.DataFrame(
        {"temperature": [T], "time": [t], "concentration": [c], "catalyst": [catalyst]}
    )
    a, b, c_, d = _integrate(reactor, T, t, c, catalyst)
    assert a + b + c_ + d == pytest.approx(1.0, abs=1e-9)  # mass balance
    results = reactor(settings)
    assert results["yield"].iloc[0] == pytest.approx(100 * b, rel=1e-7, abs=1e-9)
    expected_waste = (0.08 + c * 0.2 * (1 - b)) / (c * 0.2 * b)
    assert results["waste"].iloc[0] == pytest.approx(expected_waste, rel=1e-6)


def test_equal_rates_limit_is_continuous():
    # k_a == k_b makes the textbook formula 0/0; the phi form stays exact: y = k1 c t e^{-k t}
    reactor = Reactor()
    x = np.array([0.0, 1e-12, 1e-6])
    from yieldlab.simulators import _phi

    np.testing.assert_allclose(_phi(x), [1.0, 1 - 5e-13, -np.expm1(-1e-6) / 1e-6], rtol=1e-12)
    y = reactor._fractions([110.0], [10.0], [1.0], ["Pd"])
    assert np.isfinite(y).all()


def test_reactor_optimum_is_interior_and_beats_a_dense_sample():
    reactor = Reactor()
    best = reactor.true_optimum("yield")
    s = best.settings
    assert s["catalyst"] == "Pt"
    assert best.value == pytest.approx(85.575, abs=0.01)
    assert 70 < s["temperature"] < 155 and 2 < s["time"] < 150  # interior in T and time
    sample = reactor.space.sample(20_000, 0)
    assert reactor(sample)["yield"].max() <= best.value + 1e-9
    # a stationary point in temperature and log(time)
    for name, step in (("temperature", 0.05), ("time", 0.01)):
        up, down = dict(s), dict(s)
        up[name] = s[name] + step if name == "temperature" else s[name] * np.exp(step)
        down[name] = s[name] - step if name == "temperature" else s[name] * np.exp(-step)
        values = reactor(pd.DataFrame([up, down]))["yield"]
        assert values.max() <= best.value + 1e-6
    assert reactor.true_optimum("yield") is best  # cached


def test_reactor_cost_optimum():
    reactor = Reactor()
    best = reactor.true_optimum("cost")
    sample = reactor.space.sample(20_000, 1)
    assert reactor(sample)["cost"].min() >= best.value - 1e-9


def test_reactor_noise_is_seeded_and_bounded():
    settings = Reactor().space.sample(200, 0)
    a = Reactor(noise=2.0, random_state=5)(settings)
    b = Reactor(noise=2.0, random_state=5)(settings)
    pd.testing.assert_frame_equal(a, b)
    truth = Reactor().noiseless(settings)
    error = (a["yield"] - truth["yield"])[truth["yield"].between(10, 90)]
    assert error.std() == pytest.approx(2.0, rel=0.25)
    assert a["yield"].between(0, 100).all()
    assert (a["cost"] > 0).all() and (a["waste"] > 0).all()
    assert list(a.index) == list(settings.index)


def test_reactor_validates_settings():
    settings = pd.DataFrame(
        {"temperature": [200.0], "time": [10.0], "concentration": [1.0], "catalyst": ["Pd"]}
    )
    with pytest.raises(
        SpaceError, match=r"settings, row 0, column 'temperature': 200.0 is outside"
    ):
        Reactor()(settings)
    with pytest.raises(SpaceError, match="'Au' is not a level"):
        Reactor()(settings.assign(temperature=100.0, catalyst="Au"))
    with pytest.raises(ValueError, match="noise=-1"):
        Reactor(noise=-1)


def test_branin_optima():
    branin = Branin()
    optima = pd.DataFrame({"x1": [-np.pi, np.pi, 9.42478], "x2": [12.275, 2.275, 2.475]})
    np.testing.assert_allclose(branin(optima)["y"], 0.397887, atol=1e-6)
    assert branin.optimum.value == pytest.approx(0.397887, abs=1e-6)
    assert branin(branin.space.sample(5000, 0))["y"].min() >= 0.397887
    result = minimize(
        lambda x: branin(pd.DataFrame([x], columns=["x1", "x2"]))["y"].iloc[0],
        [3.0, 2.0],
        bounds=[(-5, 10), (0, 15)],
    )
    assert result.fun == pytest.approx(0.397887, abs=1e-6)


def test_hartmann6_optimum():
    h = Hartmann6()
    assert h(pd.DataFrame([h.optimum.settings]))["y"].iloc[0] == pytest.approx(-3.32237, abs=1e-5)
    names = list(h.optimum.settings)
    result = minimize(
        lambda x: h(pd.DataFrame([x], columns=names))["y"].iloc[0],
        list(h.optimum.settings.values()),
        bounds=[(0, 1)] * 6,
    )
    assert result.fun == pytest.approx(-3.32237, abs=1e-5)
    assert h(h.space.sample(5000, 0))["y"].min() > -3.32237


def test_test_function_noise():
    settings = Branin().space.sample(2000, 0)
    noisy = Branin(noise=0.5, random_state=1)(settings)["y"] - Branin()(settings)["y"]
    assert noisy.std() == pytest.approx(0.5, rel=0.1)
    assert Hartmann6().objectives[0].sense == "min"


def test_no_experiments_give_an_empty_table_of_every_objective():
    for simulator in (Reactor(noise=1.0, random_state=0), Branin(), Hartmann6()):
        out = simulator(pd.DataFrame(columns=simulator.space.names))
        assert len(out) == 0 and list(out.columns) == [o.name for o in simulator.objectives]
