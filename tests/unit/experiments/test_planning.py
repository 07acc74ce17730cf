"""planning.shared_batch: the value of the shared parameters chosen for a batch, with a
stand-in for the models (which batch each held value gets is scripted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.planning import shared_batch
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space

SPACE = Space([Real("t", 20, 100), Real("p", 1, 5), Categorical("c", ["Pd", "Ni", "Cu"])])


class Scripted:
    """``optimize(n, fixed)``: single suggestions at ``singles`` (n = 4), and for a held
    value a batch whose size and acquisitions ``batches`` give; records every call."""

    def __init__(self, singles: pd.DataFrame, batches: dict):
        self.singles, self.batches, self.calls = singles, batches, []

    def __call__(self, n: int, fixed: dict):
        self.calls.append((n, dict(fixed)))
        if n == 4 and not self.calls[1:]:
            return self.singles, pd.DataFrame({"acquisition": np.ones(len(self.singles))})
        key = tuple(sorted((k, v) for k, v in fixed.items() if k in ("t", "c")))
        size, value = self.batches[key]
        settings = pd.DataFrame({**{k: [v] * size for k, v in fixed.items()}})
        return settings, pd.DataFrame({"acquisition": np.full(size, value)})


def singles(**columns) -> pd.DataFrame:
    return pd.DataFrame({"t": 50.0, "p": 2.0, "c": "Pd", **columns})


def test_the_value_whose_batch_has_the_largest_summed_acquisition_wins():
    optimize = Scripted(
        singles(t=[80.0, 50.0, 80.0, 30.0]),
        {(("t", 80.0),): (5, 0.2), (("t", 50.0),): (5, 0.3), (("t", 30.0),): (5, 0.1)},
    )
    settings, extra = shared_batch(optimize, 5, SPACE, ["t"], {})
    assert settings["t"].tolist() == [50.0] * 5 and extra["acquisition"].sum() == 1.5
    # one batch per distinct value, in the order the single suggestions gave them
    assert [c[1] for c in optimize.calls[1:]] == [{"t": 80.0}, {"t": 50.0}, {"t": 30.0}]


def test_values_within_a_thousandth_of_the_range_are_planned_once():
    optimize = Scripted(
        singles(t=[80.0, 80.0 + 1e-6 * 80, 80.01, 60.0]),
        {(("t", 80.0),): (5, 0.2), (("t", 60.0),): (5, 0.1)},
    )
    shared_batch(optimize, 5, SPACE, ["t"], {})
    assert [c[1]["t"] for c in optimize.calls[1:]] == [80.0, 60.0]


def test_a_full_batch_beats_a_smaller_one_with_more_acquisition():
    optimize = Scripted(
        singles(c=["Ni", "Cu", "Ni", "Ni"]),
        {(("c", "Ni"),): (3, 1.0), (("c", "Cu"),): (5, 0.1)},
    )
    settings, _ = shared_batch(optimize, 5, SPACE, ["c"], {"p": 2.0})
    assert settings["c"].tolist() == ["Cu"] * 5
    assert all(c[1]["p"] == 2.0 for c in optimize.calls)  # the held value stays held


def test_in_a_screen_the_value_with_the_most_rows_left_is_compared_too():
    left = pd.DataFrame({"t": [20.0, 40.0, 40.0, 40.0], "p": 1.0, "c": "Pd"})
    optimize = Scripted(
        singles(t=[20.0, 20.0, 20.0, 20.0]),
        {(("t", 20.0),): (1, 0.9), (("t", 40.0),): (3, 0.1)},
    )
    settings, _ = shared_batch(optimize, 3, SPACE, ["t"], {}, remaining=left)
    assert settings["t"].tolist() == [40.0] * 3  # the only value with a full batch left
