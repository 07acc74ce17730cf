"""Spaces shared by the tests of the experiments layer."""

from __future__ import annotations

import pytest

from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


@pytest.fixture
def space() -> Space:
    """Every parameter kind, a constraint and an exclusion."""
    return Space(
        [
            Real("a", 0, 1),
            Real("b", 0, 1),
            Integer("n", 1, 4),
            Discrete("c", [0.1, 0.2, 0.5]),
            Categorical("cat", ["Pd", "Ni", "Cu"]),
        ],
        constraints=["a + b <= 1"],
        exclude=[{"cat": "Cu", "a": {"low": 0.8}}],
    )


@pytest.fixture
def mixed() -> Space:
    """Every parameter kind, a log-scaled one among them, without restrictions."""
    return Space(
        [
            Real("T", 60, 160),
            Real("t", 1, 100, log=True),
            Integer("n", 1, 5),
            Discrete("c", [0.1, 0.2, 0.5]),
            Categorical("cat", ["Pd", "Ni", "Cu"]),
        ]
    )


@pytest.fixture
def simplex() -> Space:
    """Three proportions that sum to at most one."""
    return Space(
        [Real("a", 0, 1), Real("b", 0, 1), Real("c", 0, 1)], constraints=["a + b + c <= 1"]
    )
