"""MLPRegressor and MLPClassifier on the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import MLPClassifier, MLPRegressor

# for the tests of what a fit gives, stopping at the default max_iter is not the point
stops_at_max_iter = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_single_neuron_is_linear_regression(rng):
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, -2.0, 0.5] + 4.0
    model = MLPRegressor(hidden_layer_sizes=(), alpha=0.0, tol=None, max_iter=500).fit(X, y)
    assert len(model.network_.layers) == 1
    assert np.allclose(model.predict(X), y, atol=1e-5)


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_alpha_weighs_the_penalty_as_scikit_learn_does(rng, n_outputs):
    # a single linear neuron with an L2 penalty is ridge regression: scikit-learn's
    # objective, half the squared error + alpha / 2 ||W||^2 (both over n), is Ridge(alpha)'s
    from sklearn.linear_model import Ridge

    X = rng.normal(size=(50, 3))
    Y = X @ rng.normal(size=(3, n_outputs)) + 0.3 * rng.normal(size=(50, n_outputs))
    X = (X - X.mean(0)) / X.std(0)  # standardised: the model's own scaling changes nothing
    Y = (Y - Y.mean(0)) / Y.std(0)
    y = Y.ravel() if n_outputs == 1 else Y
    model = MLPRegressor((), "identity", alpha=20.0, max_iter=2000, tol=1e-12, random_state=0)
    weights = model.fit(X, y).network_.layers[0].W  # (n_outputs, n_features)
    expected = Ridge(alpha=20.0).fit(X, Y).coef_  # scikit-learn's MLP: the same, per output
    assert np.allclose(weights, expected, atol=1e-6)


@stops_at_max_iter
def test_regressor_fits_a_response_surface(rng):
    X = rng.uniform(-1, 1, size=(200, 2))
    y = 80 - 10 * (X[:, 0] - 0.3) ** 2 - 5 * (X[:, 1] + 0.2) ** 2 + 3 * X[:, 0] * X[:, 1]
    model = MLPRegressor(hidden_layer_sizes=(16,), random_state=0).fit(X, y)
    X_test = rng.uniform(-1, 1, size=(100, 2))
    y_test = (
        80
        - 10 * (X_test[:, 0] - 0.3) ** 2
        - 5 * (X_test[:, 1] + 0.2) ** 2
        + 3 * X_test[:, 0] * X_test[:, 1]
    )
    assert model.score(X_test, y_test) > 0.999
    assert model.solver_ == "lbfgs"


@stops_at_max_iter
def test_target_scale_does_not_matter(rng):
    # inputs and target are standardised inside
    X = rng.uniform(0, 1e4, size=(100, 1))
    y = 1e6 * np.sin(X[:, 0] / 2e3)
    model = MLPRegressor(hidden_layer_sizes=(12,), random_state=0).fit(X, y)
    assert model.score(X, y) > 0.999


def test_a_constant_input_column_is_not_blown_up_by_its_rounding_noise(rng):
    # 0.1 repeated 37 times has a floating-point spread of 4e-17: dividing by it turned
    # the column into -1s and a later 0.2 into 2.4e15
    X = np.column_stack([rng.uniform(-1, 1, 37), np.full(37, 0.1)])
    y = 3.0 * X[:, 0] + 1.0
    model = MLPRegressor(hidden_layer_sizes=(), random_state=0).fit(X, y)
    assert model.x_scale_[1] == 1.0 and model.x_mean_[1] == pytest.approx(0.1)
    X_new = np.array([[0.5, 0.1], [0.5, 0.2]])
    prediction = model.predict(X_new)
    assert prediction[0] == pytest.approx(2.5, abs=1e-3)
    assert abs(prediction[1] - prediction[0]) < 1.0


def test_adam_path_with_early_stopping(rng):
    X = rng.uniform(-2, 2, size=(1500, 2))
    y = np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.05 * rng.normal(size=1500)
    model = MLPRegressor(
        hidden_layer_sizes=(32, 32),
        early_stopping=True,
        max_iter=300,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    assert model.solver_ == "adam"
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert model.n_iter_ < 300
    assert model.score(X, y) > 0.95
    assert model.gradient_norms_.shape == (model.n_iter_, 3)


@stops_at_max_iter
def test_multi_output_regression(rng):
    X = rng.normal(size=(80, 2))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - X[:, 1]])
    model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0).fit(X, Y)
    assert model.predict(X).shape == (80, 2)
    assert model.score(X, Y) > 0.99


@stops_at_max_iter
def test_float32_training(rng):
    X = rng.normal(size=(100, 3)).astype(np.float32)
    y = X.sum(axis=1)
    model = MLPRegressor(hidden_layer_sizes=(8,), dtype="float32", random_state=0).fit(X, y)
    assert model.network_.parameters.dtype == np.float32
    assert model.score(X, y) > 0.99


def test_same_seed_same_model(rng):
    X = rng.normal(size=(60, 2))
    y = np.tanh(X[:, 0])
    a = MLPRegressor(hidden_layer_sizes=(5,), random_state=3).fit(X, y).predict(X)
    b = MLPRegressor(hidden_layer_sizes=(5,), random_state=3).fit(X, y).predict(X)
    assert np.array_equal(a, b)


def test_multiclass_classifier_with_string_labels(rng):
    centres = np.array([[0, 0], [3, 3], [0, 4]])
    labels = np.array(["low", "mid", "high"])
    idx = rng.integers(0, 3, size=300)
    X = centres[idx] + 0.5 * rng.normal(size=(300, 2))
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0).fit(X, labels[idx])
    assert clf.network_.layers[-1].activation.name == "softmax"
    assert (clf.predict(X) == labels[idx]).mean() > 0.97
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3) and np.allclose(proba.sum(axis=1), 1.0)


@stops_at_max_iter
def test_dataframe_columns_are_remembered(rng):
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["temperature", "pressure"])
    model = MLPRegressor(hidden_layer_sizes=(4,), random_state=0).fit(X, X["temperature"])
    assert list(model.feature_names_in_) == ["temperature", "pressure"]
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[["pressure", "temperature"]])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"activation": "relu6"}, "activation='relu6' is not supported"),
        ({"solver": "newton"}, "solver='newton' is not supported"),
        ({"learning_rate_init": 0.0}, "learning_rate_init=0.0 is invalid"),
        ({"hidden_layer_sizes": (4, 0)}, "every layer needs an int >= 1"),
        ({"alpha": -1.0}, "alpha=-1.0 is invalid"),
        ({"max_iter": 0}, "max_iter=0 is invalid"),
    ],
)
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        MLPRegressor(**params).fit(np.ones((5, 1)), np.arange(5.0))


def test_bad_data_is_located(rng):
    X = pd.DataFrame({"temperature": [20.0, 30.0, np.nan], "catalyst": ["a", "b", "c"]})
    with pytest.raises(ValueError, match="row 0, column 'catalyst': 'a' is not a number"):
        MLPRegressor().fit(X, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="X contains NaN at row 2, column 'temperature'"):
        MLPRegressor().fit(X[["temperature"]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y contains inf at row 1"):
        MLPRegressor().fit(np.ones((3, 1)), [1.0, np.inf, 3.0])
    with pytest.raises(ValueError, match="y must be numeric"):
        MLPRegressor().fit(np.ones((3, 1)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="1 class"):
        MLPClassifier().fit(np.ones((3, 1)), [1, 1, 1])


@pytest.mark.parametrize(
    ("solver", "unit"), [("lbfgs", "iterations"), ("adam", "epochs"), ("sgd", "epochs")]
)
@pytest.mark.parametrize("estimator", [MLPRegressor, MLPClassifier])
def test_stopping_at_max_iter_warns_as_scikit_learn_does(rng, estimator, solver, unit):
    from sklearn.exceptions import ConvergenceWarning

    X = rng.normal(size=(200, 3))
    y = np.sin(X).sum(axis=1)
    target = y if estimator is MLPRegressor else y > 0
    with pytest.warns(
        ConvergenceWarning,
        match=rf"{estimator.__name__}: solver='{solver}' stopped at max_iter=3 {unit} before "
        r"converging \(tol=0\.0001\); increase max_iter, or raise tol",
    ):
        model = estimator((20,), solver=solver, max_iter=3, random_state=0).fit(X, target)
    assert model.n_iter_ == 3 and model.history_.reached_limit


def test_a_converged_fit_does_not_warn(rng):
    X = np.linspace(-2, 2, 40).reshape(-1, 1)
    model = MLPRegressor((8,), max_iter=1000, random_state=0).fit(X, X.ravel() ** 2)
    assert model.n_iter_ < 1000 and not model.history_.reached_limit
    # without a tolerance every epoch is asked for: running them all is no failure
    MLPRegressor((8,), solver="adam", max_iter=5, tol=None, random_state=0).fit(X, X.ravel())


def test_text_in_an_array_is_named_with_the_fix(rng):
    X = rng.normal(size=(6, 2)).astype(str)
    X[3, 1] = "hot"
    with pytest.raises(
        ValueError,
        match=r"X, row 3, column 1: 'hot' is not a number; fix the value, or use AutoModel, "
        "which encodes text columns itself",
    ):
        MLPRegressor().fit(X, np.arange(6.0))
    with pytest.raises(ValueError, match=r"X, row 3, column 1: 'hot' is not a number"):
        MLPClassifier().fit(X, [0, 1] * 3)
