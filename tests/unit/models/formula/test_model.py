"""FormulaModel: fitted attributes, inference, prediction bands and bad input."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from yieldlab import FormulaModel
from yieldlab.exceptions import ConvergenceError, DataError, FormulaError
from yieldlab.models._inference import COEFFICIENT_COLUMNS
from yieldlab.models.formula import model as model_module

# NIST BoxBOD (certified b1 = 213.80940889, b2 = 0.54723748542, sd 12.354515176, 0.10455993237)
BOX_X = np.array([[1.0], [2.0], [3.0], [5.0], [7.0], [10.0]])
BOX_Y = np.array([109.0, 149.0, 149.0, 191.0, 213.0, 224.0])
BOX = "y = b1*(1 - exp(-b2*x))"


@pytest.fixture
def linear_data(rng):
    X = rng.uniform(-1, 1, size=(30, 2))
    y = 1.0 + 2.0 * X[:, 0] - 0.5 * X[:, 1] + rng.normal(0, 0.1, 30)
    return X, y


def test_a_linear_formula_reproduces_ordinary_least_squares(linear_data):
    X, y = linear_data
    model = FormulaModel("y = b0 + b1*x1 + b2*x2").fit(X, y)
    A = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = y - A @ beta
    dof = len(y) - 3
    s2 = residual @ residual / dof
    covariance = s2 * np.linalg.inv(A.T @ A)
    np.testing.assert_allclose(list(model.params_.values()), beta, rtol=1e-10)
    np.testing.assert_allclose(model.covariance_, covariance, rtol=1e-8)
    assert model.dof_resid_ == dof
    assert model.resid_std_ == pytest.approx(np.sqrt(s2), rel=1e-10)
    r2 = 1 - residual @ residual / np.sum((y - y.mean()) ** 2)
    assert model.r2_ == pytest.approx(r2, rel=1e-10)
    assert model.score(X, y) == pytest.approx(r2, rel=1e-10)

    table = model.summary(level=0.9)
    assert list(table.columns) == COEFFICIENT_COLUMNS
    assert list(table.index) == ["b0", "b1", "b2"]
    q = stats.t.ppf(0.95, dof)
    se = np.sqrt(np.diag(covariance))
    np.testing.assert_allclose(table["ci_low"], beta - q * se, rtol=1e-8)
    np.testing.assert_allclose(table["p_value"], 2 * stats.t.sf(np.abs(beta / se), dof), rtol=1e-6)

    # bands: the textbook formulas for the mean and for a new observation
    X_new = np.array([[0.2, -0.3], [0.9, 0.9]])
    a = np.column_stack([np.ones(2), X_new])
    mean_se = np.sqrt(np.einsum("ij,jk,ik->i", a, covariance, a))
    prediction, std = model.predict(X_new, return_std=True)
    np.testing.assert_allclose(prediction, a @ beta, rtol=1e-10)
    np.testing.assert_allclose(std, mean_se, rtol=1e-8)
    q = stats.t.ppf(0.975, dof)
    confidence = model.predict_interval(X_new, kind="confidence")
    np.testing.assert_allclose(confidence[:, 1] - a @ beta, q * mean_se, rtol=1e-8)
    band = model.predict_interval(X_new, level=0.95)
    np.testing.assert_allclose(
        band[:, 1] - band[:, 0], 2 * q * np.sqrt(mean_se**2 + s2), rtol=1e-8
    )


def test_nist_boxbod_statistics_through_the_estimator():
    model = FormulaModel(BOX, start={"b1": 1, "b2": 1}).fit(BOX_X, BOX_Y)
    np.testing.assert_allclose(
        [model.params_["b1"], model.params_["b2"]], [213.80940889, 0.54723748542], rtol=1e-9
    )
    table = model.summary()
    np.testing.assert_allclose(table["std_error"], [12.354515176, 0.10455993237], rtol=1e-7)
    stats_ = model.fit_statistics_
    assert set(stats_) >= {
        "n_samples", "n_parameters", "dof_resid", "r2", "resid_std", "sse",
        "n_starts_tried", "converged",
    }  # fmt: skip
    assert stats_["sse"] == pytest.approx(1.1680088766e03, rel=1e-9)
    assert stats_["resid_std"] == pytest.approx(1.7088072423e01, rel=1e-9)
    assert stats_["n_samples"] == 6 and stats_["n_parameters"] == 2 and stats_["converged"]
    assert stats_["start"] == "given" and stats_["n_starts_tried"] == 1
    assert table.attrs["sse"] == stats_["sse"] and table.attrs["formula"] == BOX
    assert table.attrs["notes"] == []
    assert model.parameter_names_ == ["b1", "b2"] and model.input_names_ == ["x"]


def test_automatic_start_is_said_in_the_summary():
    model = FormulaModel(BOX).fit(BOX_X, BOX_Y)
    assert model.params_["b1"] == pytest.approx(213.80940889, rel=1e-9)
    notes = model.summary().attrs["notes"]
    assert any(n.startswith("starting values were chosen automatically") for n in notes)
    assert model.fit_statistics_["automatic_start"]
    assert model.fit_statistics_["start"] == "automatic"


def test_a_failed_start_is_said_in_the_summary():
    # b2 = 1000 switches the exponential off; the fit recovers from other starts
    model = FormulaModel(BOX, start={"b1": 1, "b2": 1000}).fit(BOX_X, BOX_Y)
    assert model.params_["b2"] == pytest.approx(0.54723748542, rel=1e-9)
    assert model.fit_statistics_["start"] == "fallback"
    assert model.fit_statistics_["n_starts_tried"] > 1
    notes = model.summary().attrs["notes"]
    assert any("the run from the given start failed" in n for n in notes)


def test_start_as_sequence_in_order_of_appearance():
    by_dict = FormulaModel("y = b2 + b1*x", start={"b1": 1.0, "b2": 0.0}).fit(BOX_X, BOX_Y)
    by_list = FormulaModel("y = b2 + b1*x", start=[0.0, 1.0]).fit(BOX_X, BOX_Y)
    assert by_list.parameter_names_ == ["b2", "b1"]
    assert by_list.params_ == pytest.approx(by_dict.params_, rel=1e-12)


def test_dataframe_columns_are_inputs_by_name(rng):
    frame = pd.DataFrame(
        {
            "S": rng.uniform(0.1, 10, 40),
            "note": ["run"] * 40,  # an unused text column is fine
            "T": rng.uniform(300, 350, 40),
        }
    )
    rate = 12.0 * frame["S"] / (0.8 + frame["S"]) * np.exp(-1500 / frame["T"])
    model = FormulaModel("v = Vmax*S/(Km + S)*exp(-E/T)").fit(frame, rate)
    assert model.params_ == pytest.approx({"Vmax": 12.0, "Km": 0.8, "E": 1500.0}, rel=1e-8)
    assert model.input_names_ == ["S", "T"] and list(model.feature_names_in_) == ["S", "T"]
    # predict takes the columns by name, in any order, with extra columns
    shuffled = frame[["T", "note", "S"]].assign(extra=1.0)
    np.testing.assert_allclose(model.predict(shuffled), rate, rtol=1e-8)
    with pytest.raises(DataError, match="no column 'T'"):
        model.predict(frame[["S"]])


def test_array_names_x_and_x1_are_the_same_single_column():
    a = FormulaModel("y = b1*(1 - exp(-b2*x))").fit(BOX_X, BOX_Y)
    b = FormulaModel("y = b1*(1 - exp(-b2*x1))").fit(BOX_X, BOX_Y)
    assert a.params_ == pytest.approx(b.params_, rel=1e-10)


def test_transformed_response_predicts_on_the_original_scale(rng):
    x = np.linspace(0, 4, 50)
    y = np.exp(1.0 - 0.7 * x + rng.normal(0, 0.05, 50))
    model = FormulaModel("log(y) = a - k*x").fit(x[:, None], y)
    fitted = model.params_["a"] - model.params_["k"] * x
    np.testing.assert_allclose(model.predict(x[:, None]), np.exp(fitted), rtol=1e-12)
    # the band is computed on the log scale: positive and asymmetric around the prediction
    band = model.predict_interval(x[:, None])
    prediction = model.predict(x[:, None])
    assert np.all(band[:, 0] > 0) and np.all(band[:, 0] < prediction)
    assert np.all(band[:, 1] - prediction > prediction - band[:, 0])
    assert any("fitted on the scale of log(y)" in n for n in model.summary().attrs["notes"])


def test_return_std_is_the_delta_method(rng):
    x = np.linspace(0.5, 4, 30)[:, None]
    y = np.exp(2.0 * (1 - np.exp(-0.9 * x[:, 0]))) * np.exp(rng.normal(0, 0.05, 30))
    model = FormulaModel("log(y) = b1*(1 - exp(-b2*x))").fit(x, y)
    _, std = model.predict(x, return_std=True)
    fitted = dict(model.params_)
    gradient = []
    for name, value in fitted.items():
        h = 1e-6 * abs(value)
        model.params_ = {**fitted, name: value + h}
        up = model.predict(x)
        model.params_ = {**fitted, name: value - h}
        down = model.predict(x)
        gradient.append((up - down) / (2 * h))
    model.params_ = fitted
    G = np.column_stack(gradient)
    expected = np.sqrt(np.einsum("ij,jk,ik->i", G, model.covariance_, G))
    np.testing.assert_allclose(std, expected, rtol=1e-5)


def test_bounds_hold_the_estimate():
    model = FormulaModel(BOX, start={"b1": 150, "b2": 0.5}, bounds={"b1": (None, 200)})
    model.fit(BOX_X, BOX_Y)
    assert model.params_["b1"] == pytest.approx(200.0)


def test_unidentifiable_parameters_give_nan_errors_a_warning_and_a_note():
    with pytest.warns(UserWarning, match=r"'y = a\*b\*x \+ c' are not identifiable"):
        model = FormulaModel("y = a*b*x + c", start={"a": 1, "b": 1, "c": 0}).fit(BOX_X, BOX_Y)
    assert np.all(np.isnan(model.covariance_))
    assert any("not identifiable" in n for n in model.summary().attrs["notes"])
    assert np.all(np.isfinite(model.predict(BOX_X)))  # the fitted curve itself is defined


def test_as_many_samples_as_parameters_interpolates():
    model = FormulaModel(BOX, start={"b1": 200, "b2": 0.5}).fit(BOX_X[:2], BOX_Y[:2])
    np.testing.assert_allclose(model.predict(BOX_X[:2]), BOX_Y[:2], rtol=1e-12)
    assert model.dof_resid_ == 0 and np.isnan(model.resid_std_)
    assert any("no residual degrees of freedom" in n for n in model.summary().attrs["notes"])


def test_pickle_and_clone_round_trip():
    model = FormulaModel("log(y) = b1*(1 - exp(-b2*x))", start={"b1": 5, "b2": 1})
    model.fit(BOX_X, BOX_Y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(BOX_X), model.predict(BOX_X))
    fresh = clone(model)
    assert fresh.get_params() == {
        "formula": "log(y) = b1*(1 - exp(-b2*x))",
        "start": {"b1": 5, "b2": 1},
        "bounds": None,
    }
    assert not hasattr(fresh, "params_")


def test_not_fitted():
    with pytest.raises(NotFittedError):
        FormulaModel(BOX).predict(BOX_X)


def test_non_convergence_warns(monkeypatch):
    real = model_module.fit_problem
    monkeypatch.setattr(
        model_module, "fit_problem", lambda *a, **k: replace(real(*a, **k), converged=False)
    )
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = FormulaModel("y = b1*x**b2", start={"b1": 1, "b2": 3}).fit(BOX_X, BOX_Y)
    assert not model.fit_statistics_["converged"]
    assert any("did not converge" in n for n in model.summary().attrs["notes"])


# --- bad input: one line that names the part and the fix ---------------------------------

BAD = [
    ("y = b1*(1 - exp(-b2*x)", None, FormulaError, "'(' was never closed"),
    ("y = b1*(1 - expp(-b2*x))", None, FormulaError, "unknown function 'expp'; did you mean"),
    (BOX, {"b1": 1, "b2": 1, "b3": 2}, ValueError, "'b3', which does not appear in the formula"),
    (BOX, {"b1": 1, "x": 2, "b2": 1}, ValueError, "'x' is both a column of X and a key"),
    (BOX, {"b1": 1}, ValueError, "no value for the parameter 'b2'; add {'b2': 1.0}"),
    (BOX, [1.0], ValueError, "start has 1 values but the formula has 2 parameters"),
    (BOX, {"b1": "a", "b2": 1}, TypeError, "start['b1']='a' has the wrong type"),
    (BOX, {"b1": np.nan, "b2": 1}, ValueError, "start['b1']=nan is not finite"),
    (BOX, "b1=1", TypeError, "start='b1=1' has the wrong type"),
    ("y = b1*(1 - exp(-b2*x3))", None, FormulaError, "uses the input 'x3', but the columns"),
    ("y = b1*(1 - exp(-b2*t))", None, FormulaError, "uses no column of X"),
    ("y = b1*log(b2 - x)", {"b1": 1, "b2": 4}, ValueError, "the part 'log(b2 - x)' (column"),
    ("y = 2*x", None, FormulaError, "no parameters to fit"),
    ("y = b1*x + y", None, FormulaError, "the response 'y' also appears on the right"),
    ("cos(y) = b1*x", None, FormulaError, "cannot be inverted"),
]


@pytest.mark.parametrize(("formula", "start", "error", "message"), BAD)
def test_bad_input_is_named_with_its_fix(formula, start, error, message):
    with pytest.raises(error) as info:
        FormulaModel(formula, start=start).fit(BOX_X, BOX_Y)
    first_line = str(info.value).split("\n")[0]
    assert message in first_line
    if not isinstance(info.value, FormulaError) or "column " not in first_line[:8]:
        assert "\n" not in str(info.value)  # everything but a caret display is one line


def test_missing_dataframe_column_and_near_misses():
    frame = pd.DataFrame({"temperature": BOX_X[:, 0], "pressure": 1.0})
    with pytest.raises(FormulaError, match="did you mean the column 'temperature'"):
        FormulaModel("y = b1*(1 - exp(-b2*temprature))").fit(frame, BOX_Y)
    with pytest.raises(FormulaError, match="has no column 'x'"):
        FormulaModel("y = b1*pressure*(1 - exp(-b2*x))").fit(frame, BOX_Y)
    # a parameter whose name is close to a column is fine once it has a start value
    model = FormulaModel("y = temp*(1 - exp(-b2*temperature))", start={"temp": 100, "b2": 1})
    assert model.fit(frame, BOX_Y).params_["temp"] == pytest.approx(213.80940889, rel=1e-9)


@pytest.mark.parametrize(
    ("bounds", "error", "message"),
    [
        ({"b9": (0, 1)}, ValueError, "bounds names 'b9'"),
        ({"b1": (5, 1)}, ValueError, "is empty; expected low < high"),
        ({"b1": 5}, TypeError, "expected a pair (low, high)"),
        ([(0, 1)], TypeError, "bounds=[(0, 1)] has the wrong type"),
        ({"b1": (300, None)}, ValueError, "start['b1']=1.0 is outside its bounds"),
    ],
)
def test_bad_bounds(bounds, error, message):
    with pytest.raises(error) as info:
        FormulaModel(BOX, start={"b1": 1, "b2": 1}, bounds=bounds).fit(BOX_X, BOX_Y)
    assert message in str(info.value)


def test_left_side_undefined_for_the_data():
    with pytest.raises(DataError, match=r"'log\(y\)' is not finite at row 1 \(y=-3.0"):
        FormulaModel("log(y) = b1*x").fit(BOX_X[:3], [1.0, -3.0, 2.0])


def test_a_power_on_the_left_side_of_a_negative_response_is_refused():
    # y^2 inverts to the root >= 0: the fit went through, and every prediction had the
    # wrong sign (R^2 = -56 on y)
    t = np.linspace(0.1, 10.0, 30)
    y = -np.sqrt(1.0 + t)
    with pytest.raises(
        DataError,
        match=r"the left side 'y\^2' cannot be inverted at row 0 \(y=-1\.04880884817015\d*, 30 "
        r"rows in all\): its value 1\.1 inverts to y=1\.04880884817015\d*, so predictions would "
        r"be wrong there; a power of y inverts to the root >= 0 only: fit y itself, or shift "
        r"it above 0 inside the power \(y \+ c in place of y, with c > 3\.31662\)",
    ):
        FormulaModel("y^2 = a + b*x").fit(t[:, None], y)
    with pytest.raises(
        DataError, match=r"'y\*\*3' cannot be inverted at row 0 .* inverts to y=nan"
    ):
        FormulaModel("y**3 = a + b*x").fit(t[:, None], -((1.0 + t) ** (1 / 3)))
    with pytest.raises(DataError, match=r"'log\(y\^2\)' cannot be inverted at row 2"):
        FormulaModel("log(y^2) = a + b*x").fit(t[:, None], np.r_[1.0, 2.0, -3.0, t[3:]])


def test_a_power_on_the_left_side_of_a_positive_response_is_fitted():
    t = np.linspace(0.1, 10.0, 30)
    model = FormulaModel("y^2 = a + b*x").fit(t[:, None], np.sqrt(1.0 + 2.0 * t))
    assert model.params_ == pytest.approx({"a": 1.0, "b": 2.0}, rel=1e-9)
    assert model.predict(t[:3, None]) == pytest.approx(np.sqrt(1.0 + 2.0 * t[:3]), rel=1e-9)


def test_too_few_samples():
    with pytest.raises(ValueError, match="X has 1 sample but the formula has 2 parameters"):
        FormulaModel(BOX).fit(BOX_X[:1], BOX_Y[:1])


def test_no_finite_fit_anywhere():
    with pytest.raises(ConvergenceError, match="no start gave a finite fit"):
        FormulaModel("y = log(-abs(b1) - x) + b2").fit(BOX_X, BOX_Y)


def test_bad_interval_arguments():
    model = FormulaModel(BOX, start={"b1": 100, "b2": 1}).fit(BOX_X, BOX_Y)
    with pytest.raises(ValueError, match="kind='mean' is not supported"):
        model.predict_interval(BOX_X, kind="mean")
    with pytest.raises(ValueError, match="level=1.5 is invalid"):
        model.predict_interval(BOX_X, level=1.5)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("y = a + k/time", r"undefined at row 0 of the data \(\{'time': 0.0\}\).*\(1 such row"),
        ("y = a*log(time - 5)", r"undefined at row 0 .*\(10 such row\(s\)\)"),
    ],
)
def test_a_formula_undefined_in_the_data_names_the_row(formula, message):
    time = np.linspace(0.0, 10.0, 20)
    with pytest.raises(DataError, match=message):
        FormulaModel(formula).fit(pd.DataFrame({"time": time}), 3.0 + time)
