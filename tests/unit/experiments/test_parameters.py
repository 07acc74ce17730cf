"""Parameters: what every kind shares (seeded sampling, validation of any array-like)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yieldlab.experiments.ranges import Real


def test_sampling_is_reproducible():
    p = Real("x", 0, 1)
    a = p.sample(5, np.random.default_rng(3))
    b = p.sample(5, np.random.default_rng(3))
    assert a.tolist() == b.tolist()


def test_validate_takes_a_series():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    assert Real("x", 0, 3).validate(values).tolist() == [1.0, 2.0]
