"""Coefficients say which units they are in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import AutoModel
from yieldlab.report.model_report import coefficient_units, model_report


@pytest.mark.parametrize(("candidate", "coded"), [("linear", False), ("response_surface", True)])
def test_coded_coefficients_are_labelled(candidate, coded):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"T": rng.uniform(60, 110, 30), "P": rng.uniform(1, 5, 30)})
    y = 2 * X["T"] + 3 * X["P"] + 1 + rng.normal(scale=0.01, size=30)
    model = AutoModel(candidates=[candidate], random_state=0).fit(X, y)
    units = coefficient_units(model.best_estimator_)
    assert bool(units) is coded
    slope = model.best_estimator_.summary().loc["T", "estimate"]
    # natural units: 2 per degree; coded: 2 per degree times the half range, range / 2
    half_range = (X["T"].max() - X["T"].min()) / 2
    assert slope == pytest.approx(2 * half_range if coded else 2, rel=0.01)
    text = model_report(model, X, y, title="t").render()
    assert ("in coded units" in text) is coded
