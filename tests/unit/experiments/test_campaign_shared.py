"""suggest(shared=...): a batch whose shared parameters take one value, chosen for it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import Campaign, Categorical, Maximize, Real, Space


def bowl(frame: pd.DataFrame) -> np.ndarray:
    """Largest (10) at x = 0.3, y = 0.7, catalyst 'b'."""
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    return 10 - 20 * (x - 0.3) ** 2 - 30 * (y - 0.7) ** 2 - 3 * (frame["c"] == "a").to_numpy()


SPACE = Space([Real("x", 0, 1), Real("y", 0, 1), Categorical("c", ["a", "b"])])


def measure(planned: pd.DataFrame) -> pd.DataFrame:
    return planned[["experiment", "x", "y", "c"]].assign(f=bowl(planned))


def test_each_batch_shares_one_value_chosen_where_the_optimum_is():
    campaign = Campaign(SPACE, Maximize("f"), random_state=0)
    shares = []
    for _ in range(5):
        batch = campaign.suggest(4, shared="x")
        assert batch["x"].nunique() == 1 and len(batch) == 4
        assert batch[["y", "c"]].drop_duplicates().shape[0] > 1  # the rest still varies
        shares.append(float(batch["x"].iloc[0]))
        campaign.add(measure(batch))
    assert shares[-1] == pytest.approx(0.3, abs=0.1)  # the batch runs near the best x
    best = campaign.best()
    assert best["f"].iloc[0] > 9.5
    again = Campaign(SPACE, Maximize("f"), random_state=0)
    for _ in range(3):
        batch = again.suggest(4, shared="x")
        again.add(measure(batch))
    assert again.data["x"].round(12).unique().tolist() == pytest.approx(shares[:3])


def test_shared_values_with_held_ones_and_several_shared():
    campaign = Campaign(SPACE, Maximize("f"), random_state=1)
    campaign.add(measure(campaign.design(8)))
    batch = campaign.suggest(3, fixed={"y": 0.6}, shared="c")
    assert (batch["y"] == 0.6).all() and batch["x"].nunique() == 3
    assert (batch["c"] == "b").all()  # 'b' is better by 3 everywhere
    campaign.add(measure(batch))
    batch = campaign.suggest(3, shared=["x", "c"])
    assert batch[["x", "c"]].drop_duplicates().shape[0] == 1 and batch["y"].nunique() == 3
    assert batch["c"].iloc[0] == "b"


def test_in_a_screen_the_shared_value_is_one_the_rows_have():
    grid = pd.DataFrame(
        [(x, y, c) for x in (0.1, 0.3, 0.6, 0.9) for y in np.linspace(0, 1, 6) for c in "ab"],
        columns=["x", "y", "c"],
    )
    campaign = Campaign(SPACE, Maximize("f"), candidates=grid, random_state=0)
    campaign.add(measure(campaign.design(8)))
    for _ in range(3):
        batch = campaign.suggest(4, shared="x")
        assert batch["x"].nunique() == 1 and batch["x"].iloc[0] in (0.1, 0.3, 0.6, 0.9)
        campaign.add(measure(batch))
    assert batch["x"].iloc[0] == 0.3


def test_bad_shared_parameters_are_clear_errors():
    campaign = Campaign(SPACE, Maximize("f"), random_state=0)
    cases = [
        ("z", ValueError, r"shared: 'z' is not a parameter"),
        (["X"], ValueError, r"'X' is not a parameter \(did you mean 'x'\?\)"),
        (3, TypeError, "expected a parameter name or a list"),
        ({"x": 1}, TypeError, "expected a parameter name or a list"),
    ]
    for shared, error, message in cases:
        with pytest.raises(error, match=message):
            campaign.suggest(2, shared=shared)
    with pytest.raises(ValueError, match="'x' is also held by fixed"):
        campaign.suggest(2, fixed={"x": 0.5}, shared="x")
    assert len(campaign.data) == 0  # nothing planned


def test_before_the_models_take_over_each_batch_goes_on_with_the_plan():
    campaign = Campaign(SPACE, Maximize("f"), random_state=0, n_initial=12)
    first = campaign.suggest(4, shared="x")
    second = campaign.suggest(4, shared="x")
    assert first["x"].nunique() == 1 and second["x"].nunique() == 1
    assert first["x"].iloc[0] != second["x"].iloc[0]
    # the other parameters do not repeat the first batch's
    assert not set(first["y"].round(9)) & set(second["y"].round(9))


def test_a_screen_batch_short_at_the_shared_value_says_so():
    grid = pd.DataFrame(
        [(x, y, "b") for x in (0.1, 0.3) for y in np.linspace(0, 1, 3)], columns=["x", "y", "c"]
    )
    campaign = Campaign(SPACE, Maximize("f"), candidates=grid, random_state=0, n_initial=2)
    campaign.add(measure(campaign.design(2)))
    with pytest.warns(
        UserWarning,
        match=r"only \d distinct new settings with \{'x': 0\.\d\}.*"
        r"\(shared \['x'\]: the value with the best batch\)",
    ):
        batch = campaign.suggest(4, shared="x")
    assert batch["x"].nunique() == 1
    with pytest.raises(TypeError, match="expected a parameter name or a list"):
        campaign.suggest(2, shared=[["x"]])
    with pytest.raises(TypeError, match="expected a parameter name or a list"):
        campaign.suggest(2, shared=b"x")


def test_parego_compares_the_shared_options_under_the_same_weights(monkeypatch):
    # the options' batches are compared by their summed acquisition: fair only if the j-th
    # pick of every option uses the same random scalarization (with a constraint, the
    # picks use different amounts of random numbers)
    import yieldlab.experiments.planning as planning

    used = []

    class Recorded(planning.Score):
        def __init__(self, objectives, reference=None, weights=None, **options):
            if weights is not None:
                used.append(np.round(np.asarray(weights, float), 15).tolist())
            super().__init__(objectives, reference, weights=weights, **options)

    monkeypatch.setattr(planning, "Score", Recorded)
    space = Space(
        [Real("x", 0, 1), Real("y", 0, 1), Categorical("c", ["a", "b"])],
        constraints=["x + y <= 1.2"],
    )
    campaign = Campaign(
        space, [Maximize("f"), Maximize("g")], multi_objective="parego", random_state=4
    )
    for _ in range(2):
        batch = campaign.suggest(4)
        campaign.add(measure(batch).assign(g=lambda t: t["x"] - t["y"]))
    used.clear()
    batch = campaign.suggest(3, shared="x")
    assert batch["x"].nunique() == 1
    per_option = [used[i : i + 3] for i in range(4, len(used), 3)]  # after the 4 singles
    assert len(per_option) >= 2 and len(used) == 4 + 3 * len(per_option)
    assert all(weights == per_option[0] for weights in per_option)
    assert len({tuple(w) for w in per_option[0]}) == 3  # a fresh scalarization per pick
