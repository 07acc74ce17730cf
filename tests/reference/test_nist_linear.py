"""The NIST StRD linear least-squares data sets, through the public estimators in float64.

Score: LRE = -log10(|estimate - certified| / |certified|), the number of correct significant
digits. Target: every coefficient LRE >= 7, every certified standard error LRE >= 6
(numpy.linalg.lstsq gets 0 on Filip). Skips cleanly without ../shared/data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from yieldlab import LinearRegression, ResponseSurface

# data set -> polynomial degree in x (None: a linear model on the given columns)
DATASETS = {
    "norris": None,
    "pontius": 2,
    "noint1": None,
    "noint2": None,
    "filip": 10,
    "longley": None,
    "wampler1": 5,
    "wampler2": 5,
    "wampler3": 5,
    "wampler4": 5,
    "wampler5": 5,
}


def lre(estimate, certified) -> np.ndarray:
    estimate, certified = np.asarray(estimate, float), np.asarray(certified, float)
    with np.errstate(divide="ignore"):
        digits = -np.log10(np.abs(estimate - certified) / np.abs(certified))
    return np.minimum(digits, 15.0)  # the certified values have 15 digits


@pytest.fixture(scope="module")
def nist(shared_data):
    folder = shared_data / "nist" / "linear"
    certified = json.loads((folder / "certified.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig") for name in DATASETS}
    return tables, certified


def fit_public(name: str, table: pd.DataFrame):
    """The model the certificate describes, through the public API."""
    y = table["y"].to_numpy()
    degree = DATASETS[name]
    if degree is not None:  # Filip names its x column x1 (and gives rounded powers too)
        x = table[["x" if "x" in table else "x1"]].rename(columns=lambda _: "x")
        return ResponseSurface(degree=degree).fit(x, y)
    intercept = not name.startswith("noint")
    return LinearRegression(fit_intercept=intercept).fit(table.drop(columns="y"), y)


@pytest.mark.parametrize("name", DATASETS)
def test_certified_coefficients_and_standard_errors(nist, name):
    tables, certified = nist
    model = fit_public(name, tables[name])
    table = model.summary()
    assert lre(table["estimate"], certified[name]["beta"]).min() >= 7.0
    if "se" in certified[name]:
        assert lre(table["std_error"], certified[name]["se"]).min() >= 6.0
    assert model.solver_ == "qr" and not model.aliased_terms_  # Filip keeps all 11 terms


@pytest.mark.parametrize("name", [n for n, d in DATASETS.items() if d is not None])
def test_polynomials_from_float64_powers_beat_lstsq(nist, name):
    """Given the float64 columns x, x^2, ... (rounded powers), LinearRegression still gets
    7 digits where numpy.linalg.lstsq loses them."""
    tables, certified = nist
    table = tables[name]
    x = table["x" if "x" in table else "x1"].to_numpy()
    powers = np.vander(x, DATASETS[name] + 1, increasing=True)
    model = LinearRegression().fit(powers[:, 1:], table["y"].to_numpy())
    ours = lre(np.r_[model.intercept_, model.coef_], certified[name]["beta"]).min()
    theirs = lre(np.linalg.lstsq(powers, table["y"].to_numpy(), rcond=None)[0],
                 certified[name]["beta"]).min()  # fmt: skip
    assert ours >= 7.0
    assert ours >= theirs


def test_filip_on_the_normal_equations_warns_instead_of_passing_wrong_numbers(nist):
    """The normal equations square Filip's condition number (3.8e9 scaled): their answer
    has lost every digit, and solver='cholesky' says so, with the condition number QR
    reports (the Gram matrix's own estimate stops near 1e8)."""
    tables, certified = nist
    x = tables["filip"][["x1"]].rename(columns={"x1": "x"})
    y = tables["filip"]["y"].to_numpy()
    with pytest.warns(UserWarning, match=r"\(3\.8e\+09\).*use the default solver='auto'"):
        model = ResponseSurface(degree=10, solver="cholesky").fit(x, y)
    assert model.solver_ == "cholesky"
    assert lre(model.coef_, certified["filip"]["beta"][1:]).max() < 2.0
    exact = fit_public("filip", tables["filip"])
    assert model.fit_statistics_["condition_number"] == pytest.approx(
        exact.fit_statistics_["condition_number"], rel=1e-6
    )
