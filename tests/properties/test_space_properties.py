"""Properties of spaces, designs and Pareto utilities, checked on generated examples."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from yieldlab.experiments.constraints import LinearConstraint
from yieldlab.experiments.design import make_design
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.pareto import hypervolume, pareto_mask
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space
from yieldlab.experiments.surrogate import model_inputs

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def parameters(draw, name: str):
    kind = draw(st.sampled_from(["real", "real-log", "integer", "discrete", "categorical"]))
    if kind.startswith("real"):
        log = kind == "real-log"
        low = draw(st.floats(1e-3, 1e3)) if log else draw(finite)
        width = draw(st.floats(1e-3, 1e3))
        return Real(name, low, low + width, log=log)
    if kind == "integer":
        low = draw(st.integers(-50, 50))
        return Integer(name, low, low + draw(st.integers(1, 40)))
    if kind == "discrete":
        values = sorted(draw(st.lists(finite, min_size=1, max_size=6, unique=True)))
        assume(len(values) == 1 or np.diff(values).min() > 1e-6)
        return Discrete(name, values)
    levels = draw(
        st.lists(st.text("abcxyz", min_size=1, max_size=4), min_size=1, max_size=5, unique=True)
    )
    if len(levels) < 2 or not draw(st.booleans()):
        return Categorical(name, levels)
    n_descriptors = draw(st.integers(1, 3))
    columns = draw(
        st.lists(
            st.lists(st.integers(-1000, 1000), min_size=len(levels), max_size=len(levels)),
            min_size=n_descriptors,
            max_size=n_descriptors,
        )
    )
    rows = {tuple(row) for row in zip(*columns, strict=True)}
    assume(len(rows) == len(levels))  # the levels must differ in some descriptor
    descriptors = {f"d{i}": [c * 0.01 for c in column] for i, column in enumerate(columns)}
    return Categorical(name, levels, descriptors=descriptors)


@st.composite
def spaces(draw, max_parameters: int = 4):
    n = draw(st.integers(1, max_parameters))
    return Space([draw(parameters(f"p{j}")) for j in range(n)])


@SETTINGS
@given(space=spaces(), seed=st.integers(0, 2**32 - 1))
def test_encode_decode_round_trip(space, seed):
    sample = space.sample(20, seed)
    Z = space.encode(sample)
    assert Z.shape == (20, space.n_encoded)
    assert (Z >= -1e-12).all() and (Z <= 1 + 1e-12).all()
    back = space.decode(Z)
    for p in space:
        if p.kind == "real":
            np.testing.assert_allclose(back[p.name], sample[p.name], rtol=1e-9, atol=1e-9)
        else:
            assert back[p.name].tolist() == sample[p.name].tolist()


@SETTINGS
@given(space=spaces(), seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 5.0))
def test_decode_of_any_point_is_valid_and_project_is_idempotent(space, seed, scale):
    Z = np.random.default_rng(seed).normal(0.5, scale, size=(15, space.n_encoded))
    settings_ = space.decode(Z)
    assert space.validate(settings_).shape == (15, len(space))
    P = space.project(Z)
    np.testing.assert_allclose(space.project(P), P, atol=1e-12)


@SETTINGS
@given(space=spaces())
def test_dict_round_trip(space):
    assert Space.from_dict(space.to_dict()) == space


@SETTINGS
@given(space=spaces())
def test_model_inputs_keep_levels_apart_at_one_hot_scale(space):
    W, groups = model_inputs(space)
    assert len(groups) == (space.n_encoded if W is None else W.shape[1])
    for p in space:
        E = p.embedding() if p.kind == "categorical" else None
        if E is None:
            continue
        d2 = ((E[:, None, :] - E[None, :, :]) ** 2).sum(-1)
        upper = np.triu_indices(len(E), 1)
        assert E.shape[1] >= 2 and d2[upper].min() > 0
        assert d2[upper].mean() == pytest.approx(2.0)


@SETTINGS
@given(
    space=spaces(max_parameters=3),
    method=st.sampled_from(["random", "lhs", "sobol", "factorial", "d-optimal"]),
    n=st.integers(1, 12),
    seed=st.integers(0, 1000),
)
def test_designs_lie_inside_the_space(space, method, n, seed):
    if method == "factorial":
        design = make_design(space, method="factorial", levels=2)
    elif method == "d-optimal":
        design = make_design(space, n + 8, "d-optimal", rng=seed, model="linear")
    else:
        every = space.settings()  # finitely many settings: distinct ones, at most all
        if every is not None and n > len(every):
            with pytest.warns(UserWarning, match=f"only {len(every)} distinct settings"):
                design = make_design(space, n, method, rng=seed)
        else:
            design = make_design(space, n, method, rng=seed)
        assert len(design) == (n if every is None else min(n, len(every)))
        assert every is None or not design.duplicated().any()
    assert space.is_feasible(design).all()
    assert list(space.validate(design).columns) == space.names


@SETTINGS
@given(
    coefficients=st.lists(
        st.floats(-5, 5).filter(lambda v: abs(v) > 0.05), min_size=2, max_size=2
    ),
    rhs=st.floats(0.2, 3.0),
    method=st.sampled_from(["random", "lhs", "sobol"]),
    seed=st.integers(0, 1000),
)
def test_sampled_designs_respect_linear_constraints(coefficients, rhs, method, seed):
    constraint = LinearConstraint({"a": coefficients[0], "b": coefficients[1]}, "<=", rhs)
    space = Space(
        [Real("a", 0, 1), Real("b", 0, 1), Categorical("s", ["x", "y"])], constraints=[constraint]
    )
    pilot = space.from_unit(np.random.default_rng(seed).random((4000, 3)))
    assume(space.is_feasible(pilot).mean() > 0.01)  # else sampling fails, with a clear error
    design = make_design(space, 8, method, rng=seed)
    assert len(design) == 8 and space.is_feasible(design).all()
    assert LinearConstraint.parse(str(constraint)).to_dict() == constraint.to_dict()


def _dominated_brute_force(Y: np.ndarray) -> np.ndarray:
    n = len(Y)
    out = np.zeros(n, dtype=bool)
    for i, j in itertools.product(range(n), range(n)):
        failed = np.isnan(Y[i]).any()
        dominates = not np.isnan(Y[j]).any() and (Y[j] >= Y[i]).all() and (Y[j] > Y[i]).any()
        out[i] |= failed or dominates
    return out


@SETTINGS
@given(
    Y=st.lists(
        st.lists(st.integers(0, 5).map(float) | st.just(np.nan), min_size=3, max_size=3),
        min_size=0,
        max_size=25,
    ),
    senses=st.lists(st.sampled_from(["max", "min"]), min_size=3, max_size=3),
)
def test_pareto_mask_matches_the_definition(Y, senses):
    Y = np.asarray(Y, dtype=float).reshape(-1, 3)
    signs = np.array([1.0 if s == "max" else -1.0 for s in senses])
    expected = ~_dominated_brute_force(Y * signs)
    assert pareto_mask(Y, senses).tolist() == expected.tolist()


@SETTINGS
@given(
    points=st.lists(st.tuples(*[st.integers(0, 5)] * 3), min_size=0, max_size=12),
    d=st.sampled_from([2, 3]),
)
def test_hypervolume_counts_unit_cells(points, d):
    """With integer points and reference 0, the volume is the number of dominated cells."""
    Y = np.asarray(points, dtype=float).reshape(-1, 3)[:, :d]
    cells = itertools.product(range(5), repeat=d)
    count = sum(any((np.asarray(cell) + 1 <= y).all() for y in Y) for cell in cells)
    assert hypervolume(Y, np.zeros(d)) == count
    # minimization mirrored around the reference gives the same volume
    assert hypervolume(-Y, np.zeros(d), senses=["min"] * d) == count


@SETTINGS
@given(seed=st.integers(0, 1000), n=st.integers(1, 30))
def test_hypervolume_against_monte_carlo(seed, n):
    rng = np.random.default_rng(seed)
    Y = rng.random((n, 3))
    U = rng.random((20_000, 3))
    inside = (U[:, None, :] <= Y[None]).all(axis=2).any(axis=1)
    assert abs(hypervolume(Y, [0, 0, 0]) - inside.mean()) < 4 * np.sqrt(0.25 / 20_000) + 1e-3


def test_strategies_cover_every_kind():
    kinds = {
        type(p).__name__
        for p in [
            Real("a", 0, 1),
            Integer("b", 0, 2),
            Discrete("c", [1.0]),
            Categorical("d", ["x"]),
        ]
    }
    assert kinds == {"Real", "Integer", "Discrete", "Categorical"}
    assert pd.api.types.is_float_dtype(Space([Real("a", 0, 1)]).sample(2, 0)["a"])
