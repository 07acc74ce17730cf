"""LinearRegression: coefficients, the statistics table against their definitions (brute
force where there is one: leave-one-out refits, dropped-term refits), aliasing, bad input."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SklearnLinearRegression
from sklearn.metrics import r2_score

from yieldlab.models._regression import AliasingWarning
from yieldlab.models.linear import LinearRegression


@pytest.fixture
def data(rng):
    X = pd.DataFrame(
        {
            "temperature": rng.uniform(50.0, 90.0, 25),
            "pressure": rng.uniform(1.0, 5.0, 25),
            "time": rng.uniform(10.0, 60.0, 25),
        }
    )
    y = 3.0 + 0.4 * X.temperature - 2.0 * X.pressure + 0.05 * X.time + rng.normal(0, 1, 25)
    return X, y.to_numpy()


def design(X) -> np.ndarray:
    return np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])


def test_coefficients_agree_with_scikit_learn(data):
    X, y = data
    ours = LinearRegression().fit(X, y)
    peer = SklearnLinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, peer.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(peer.intercept_, rel=1e-10)
    assert ours.term_names_ == ["intercept", "temperature", "pressure", "time"]
    assert ours.score(X, y) == pytest.approx(peer.score(X, y), rel=1e-12)


def test_summary_matches_the_textbook_formulas(data):
    X, y = data
    model = LinearRegression().fit(X, y)
    A = design(X)
    beta = np.linalg.solve(A.T @ A, A.T @ y)
    dof = 25 - 4
    sigma2 = np.sum((y - A @ beta) ** 2) / dof
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(A.T @ A)))
    table = model.summary()
    assert list(table.columns) == ["estimate", "std_error", "t", "p_value", "ci_low", "ci_high"]
    np.testing.assert_allclose(table["estimate"], beta, rtol=1e-10)
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-10)
    np.testing.assert_allclose(table["p_value"], 2 * stats.t.sf(np.abs(beta / se), dof))
    q = stats.t.ppf(0.975, dof)
    np.testing.assert_allclose(table["ci_high"], beta + q * se, rtol=1e-10)
    assert model.resid_std_ == pytest.approx(np.sqrt(sigma2), rel=1e-12)
    assert model.dof_resid_ == dof
    np.testing.assert_allclose(model.covariance_, sigma2 * np.linalg.inv(A.T @ A), rtol=1e-9)
    assert table.attrs["r2"] == model.fit_statistics_["r2"]
    assert model.summary(level=0.9)["ci_high"].iloc[1] < table["ci_high"].iloc[1]


def test_fit_statistics_by_definition(data):
    X, y = data
    model = LinearRegression().fit(X, y)
    s = model.fit_statistics_
    rss = np.sum((y - model.predict(X)) ** 2)
    tss = np.sum((y - y.mean()) ** 2)
    assert s["n_samples"] == 25 and s["n_parameters"] == 4 and s["dof_resid"] == 21
    assert s["r2"] == pytest.approx(r2_score(y, model.predict(X)), rel=1e-12)
    assert s["adj_r2"] == pytest.approx(1 - (rss / 21) / (tss / 24), rel=1e-12)
    f = ((tss - rss) / 3) / (rss / 21)
    assert s["f_statistic"] == pytest.approx(f, rel=1e-10)
    assert s["f_pvalue"] == pytest.approx(stats.f.sf(f, 3, 21), rel=1e-8)
    # predicted R^2: PRESS from 25 leave-one-out refits, against the hat-matrix shortcut
    press = 0.0
    for i in range(25):
        keep = np.arange(25) != i
        refit = LinearRegression().fit(X[keep], y[keep])
        press += (y[i] - refit.predict(X.iloc[[i]])[0]) ** 2
    assert s["press"] == pytest.approx(press, rel=1e-10)
    assert s["pred_r2"] == pytest.approx(1 - press / tss, rel=1e-10)
    assert s["resid_std"] == model.resid_std_


def test_prediction_std_and_intervals(data):
    X, y = data
    model = LinearRegression().fit(X, y)
    new = X.iloc[:4] + 1.0
    A, a = design(X), design(new)
    s2 = model.resid_std_**2
    var_mean = s2 * np.einsum("ij,jk,ik->i", a, np.linalg.inv(A.T @ A), a)
    mean, std = model.predict(new, return_std=True)
    np.testing.assert_allclose(std, np.sqrt(var_mean), rtol=1e-10)
    q = stats.t.ppf(0.975, 21)
    confidence = model.predict_interval(new, kind="confidence")
    prediction = model.predict_interval(new)
    np.testing.assert_allclose(confidence, np.c_[mean - q * std, mean + q * std], rtol=1e-12)
    half = q * np.sqrt(var_mean + s2)
    np.testing.assert_allclose(prediction, np.c_[mean - half, mean + half], rtol=1e-12)
    with pytest.raises(ValueError, match="kind='mean' is not supported"):
        model.predict_interval(new, kind="mean")


def test_anova_partial_sums_of_squares_are_dropped_term_refits(data):
    X, y = data
    model = LinearRegression().fit(X, y)
    table = model.anova()
    assert list(table.columns) == ["df", "sum_sq", "mean_sq", "f", "p_value"]
    assert list(table.index) == ["Model", "temperature", "pressure", "time", "Residual", "Total"]
    rss = model.fit_statistics_["rss"]
    for name in ["temperature", "pressure", "time"]:
        smaller = LinearRegression().fit(X.drop(columns=name), y)
        assert table.loc[name, "sum_sq"] == pytest.approx(
            smaller.fit_statistics_["rss"] - rss, rel=1e-9
        )
        assert table.loc[name, "p_value"] == pytest.approx(
            model.summary().loc[name, "p_value"], rel=1e-8
        )
    assert table.loc["Model", "sum_sq"] + rss == pytest.approx(table.loc["Total", "sum_sq"])
    assert table.loc["Model", "f"] == pytest.approx(model.fit_statistics_["f_statistic"])


def test_lack_of_fit_from_replicated_runs():
    # a straight line fitted to a curve, with every setting run three times
    x = np.repeat([0.0, 1.0, 2.0, 3.0], 3)
    noise = np.tile([-0.1, 0.0, 0.1], 4)
    y = x**2 + noise
    model = LinearRegression().fit(x[:, None], y)
    table = model.anova()
    assert table.loc["Pure error", "df"] == 8 and table.loc["Lack of fit", "df"] == 2
    assert table.loc["Pure error", "sum_sq"] == pytest.approx(4 * 0.02)
    lof_ss = model.fit_statistics_["rss"] - 0.08
    f = (lof_ss / 2) / (0.08 / 8)
    assert table.loc["Lack of fit", "f"] == pytest.approx(f)
    assert model.fit_statistics_["lack_of_fit_pvalue"] == pytest.approx(stats.f.sf(f, 2, 8))
    assert model.fit_statistics_["lack_of_fit_pvalue"] < 1e-4


def test_constant_column_warns_by_name_and_is_zeroed(data):
    X, y = data
    X = X.assign(batch=7.0)
    with pytest.warns(AliasingWarning, match=r"column 'batch' is constant \(7\.0"):
        model = LinearRegression().fit(X, y)
    assert model.aliased_terms_ == ["batch"]
    assert model.coef_[-1] == 0.0
    row = model.summary().loc["batch"]
    assert row["estimate"] == 0.0 and np.isnan(row["std_error"]) and np.isnan(row["p_value"])
    reference = LinearRegression().fit(X.drop(columns="batch"), y)
    np.testing.assert_allclose(model.coef_[:-1], reference.coef_, rtol=1e-12)
    assert model.fit_statistics_["r2"] == pytest.approx(reference.fit_statistics_["r2"])
    assert np.isnan(model.anova().loc["batch", "sum_sq"])


def test_aliased_copy_names_the_relation(data):
    X, y = data
    X = X.assign(temp_f=X.temperature * 1.8 + 32.0)
    with pytest.warns(AliasingWarning, match=r"'temp_f' = 32 \+ 1\.8\*temperature"):
        model = LinearRegression().fit(X, y)
    assert model.aliased_terms_ == ["temp_f"] and model.rank_ == 4
    with pytest.warns(AliasingWarning, match=r"minimum-norm"):
        svd = LinearRegression(solver="svd").fit(X, y)
    np.testing.assert_allclose(svd.predict(X), model.predict(X), rtol=1e-10)


def test_without_intercept_r2_is_about_zero():
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([2.1, 3.9, 6.2, 7.8])
    model = LinearRegression(fit_intercept=False).fit(x, y)
    assert model.intercept_ == 0.0 and model.term_names_ == ["x0"]
    rss = np.sum((y - model.predict(x)) ** 2)
    assert model.fit_statistics_["r2"] == pytest.approx(1 - rss / np.sum(y**2))


def test_ridge_shrinks_and_reports_effective_dof(data):
    X, y = data
    ols = LinearRegression().fit(X, y)
    ridge = LinearRegression(alpha=50.0).fit(X, y)
    assert np.linalg.norm(ridge.coef_) < np.linalg.norm(ols.coef_)
    assert 1.0 < ridge.fit_statistics_["dof_model"] < 4.0
    assert ridge.dof_resid_ == pytest.approx(25 - ridge.fit_statistics_["dof_model"])


def test_gradient_descent_agrees_and_warns_when_stopped_early(data):
    X, y = data
    closed = LinearRegression().fit(X, y)
    gd = LinearRegression(solver="gd").fit(X, y)
    assert gd.solver_ == "gd"
    np.testing.assert_allclose(gd.coef_, closed.coef_, rtol=1e-6)
    assert gd.intercept_ == pytest.approx(closed.intercept_, rel=1e-6)
    with pytest.warns(ConvergenceWarning, match="max_iter=5"):
        LinearRegression(solver="gd", max_iter=5).fit(X, y)


def test_diagnostics_off_keeps_the_coefficients(data):
    X, y = data
    full = LinearRegression().fit(X, y)
    lean = LinearRegression(diagnostics=False).fit(X, y)
    np.testing.assert_allclose(lean.coef_, full.coef_, rtol=1e-12)
    assert np.isnan(lean.fit_statistics_["pred_r2"]) and lean.residuals_ is None
    assert lean.fit_statistics_["r2"] == pytest.approx(full.fit_statistics_["r2"])


@pytest.mark.parametrize("n_rows", [200, 20_000])  # QR path; normal equations (Gram pass)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("row", [0, 7])  # row 0 also feeds the Gram pass's shift
def test_non_finite_array_is_named_on_every_solver_path(n_rows, value, row):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, 10))
    y = X @ np.arange(10.0)
    X[row, 4] = value
    word = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from inside NumPy on the way
        with pytest.raises(ValueError, match=rf"X contains {word} at row {row}, column 4 \("):
            LinearRegression().fit(X, y)
    X[row, 4] = 1.0  # once repaired, the large fit takes the normal equations
    assert LinearRegression().fit(X, y).solver_ == ("cholesky" if n_rows > 1000 else "qr")


def test_bad_input_is_named(data):
    X, y = data
    bad = X.copy()
    bad.loc[3, "pressure"] = np.nan
    with pytest.raises(ValueError, match=r"row 3, column 'pressure'"):
        LinearRegression().fit(bad, y)
    text = X.astype({"time": object})
    text.loc[5, "time"] = "fast"
    with pytest.raises(ValueError, match=r"column 'time': 'fast' is not a number"):
        LinearRegression().fit(text, y)
    with pytest.raises(ValueError, match=r"n_samples=3 but the model has 4 terms"):
        LinearRegression().fit(X.iloc[:3], y[:3])
    with pytest.raises(ValueError, match=r"y contains inf"):
        LinearRegression().fit(X, np.r_[y[:-1], np.inf])
    with pytest.raises(ValueError, match=r"solver='normal' is not supported"):
        LinearRegression(solver="normal").fit(X, y)
    with pytest.raises(TypeError, match=r"fit_intercept='yes'"):
        LinearRegression(fit_intercept="yes").fit(X, y)


def test_saturated_model_has_no_error_estimate(rng):
    X, y = rng.standard_normal((3, 2)), rng.standard_normal(3)
    model = LinearRegression().fit(X, y)
    assert model.dof_resid_ == 0 and np.isnan(model.resid_std_)
    assert np.isnan(model.predict_interval(X)).all()
    assert np.isnan(model.summary()["std_error"]).all()
    assert model.anova().loc[["x0", "x1"], "df"].tolist() == [1.0, 1.0]


def test_unconverged_refinement_is_reported(data, monkeypatch):
    from dataclasses import replace

    import yieldlab.models._regression as regression

    original = regression.fit_least_squares

    def unconverged(*args, **kwargs):
        return replace(original(*args, **kwargs), converged=False)

    monkeypatch.setattr(regression, "fit_least_squares", unconverged)
    X, y = data
    with pytest.warns(UserWarning, match="refinement did not converge"):
        LinearRegression().fit(X, y)


def test_cholesky_on_nearly_collinear_terms_warns_with_the_condition_number(rng):
    # singular values from 1 to 1e-9: the normal equations square the condition number
    # beyond what double precision holds (their Cholesky factor still exists)
    U = np.linalg.qr(rng.standard_normal((200, 6)))[0]
    V = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    X = ((U - U.mean(axis=0)) * np.logspace(0, -9, 6)) @ V.T + 5.0
    y = X @ rng.standard_normal(6) + 1e-3 * rng.standard_normal(200)
    qr = LinearRegression().fit(X, y)
    condition = qr.fit_statistics_["condition_number"]
    assert condition > 1e8
    message = (
        f"LinearRegression: the normal equations (solver='cholesky') square the condition "
        f"number of these terms ({condition:.1e}), so the coefficients and their standard "
        "errors may have lost digits; use the default solver='auto'"
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        cholesky = LinearRegression(solver="cholesky").fit(X, y)
    assert cholesky.solver_ == "cholesky"
    assert cholesky.fit_statistics_["condition_number"] == pytest.approx(condition, rel=1e-3)
    assert np.max(np.abs(cholesky.coef_ - qr.coef_)) > 1e-3 * np.max(np.abs(qr.coef_))


def test_cholesky_on_a_well_conditioned_design_stays_quiet(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LinearRegression(solver="cholesky").fit(X, y)
    np.testing.assert_allclose(model.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-10)


def test_text_in_an_array_is_named_with_the_fix(data):
    X, y = data
    text = X.to_numpy().astype(str)
    text[4, 2] = "fast"
    with pytest.raises(
        ValueError,
        match=r"X, row 4, column 2: 'fast' is not a number; fix the value, or use AutoModel",
    ):
        LinearRegression().fit(text, y)
    model = LinearRegression().fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match=r"X, row 4, column 2: 'fast' is not a number"):
        model.predict(text)
    numbers_as_text = X.to_numpy().astype(str)  # text that reads as numbers still fits
    assert np.allclose(LinearRegression().fit(numbers_as_text, y).coef_, model.coef_)


def test_auto_diagnostics_skip_the_second_pass_on_large_tables():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20_001, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=20_001)
    large = LinearRegression().fit(X, y)
    assert large.residuals_ is None and np.isnan(large.fit_statistics_["pred_r2"])
    small = LinearRegression().fit(X[:20_000], y[:20_000])
    assert small.residuals_ is not None
    assert small.fit_statistics_["pred_r2"] == pytest.approx(small.fit_statistics_["r2"], abs=1e-3)
    forced = LinearRegression(diagnostics=True).fit(X, y)
    assert forced.leverage_.shape == (20_001,)
    assert np.allclose(forced.coef_, large.coef_, rtol=1e-12)
    with pytest.raises(TypeError, match="diagnostics='yes' has the wrong type"):
        LinearRegression(diagnostics="yes").fit(X, y)


@pytest.mark.parametrize("offset", [0.0, 1e6])  # y near zero; y far from zero after row 1,024
def test_r2_from_the_gram_pass_matches_the_direct_sums(offset):
    # the normal equations take the total sum of squares from their Gram pass unless the
    # correction to the first rows' mean would cancel digits: both branches, exact R^2
    rng = np.random.default_rng(5)
    X = rng.normal(size=(70_000, 4))  # m n^2 >= 1e6: the normal equations
    y = X @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=70_000)
    y[1024:] += offset
    model = LinearRegression(diagnostics=False).fit(X, y)
    assert model.solver_ == "cholesky"
    residuals = y - model.predict(X)
    tss = np.sum((y - y.mean()) ** 2)
    assert model.fit_statistics_["tss"] == pytest.approx(tss, rel=1e-12)
    assert model.fit_statistics_["r2"] == pytest.approx(1 - residuals @ residuals / tss, rel=1e-12)
    no_intercept = LinearRegression(fit_intercept=False, diagnostics=False).fit(X, y)
    assert no_intercept.fit_statistics_["tss"] == pytest.approx(y @ y, rel=1e-12)


def test_array_refit_forgets_the_column_names_of_a_frame(data):
    # float64 arrays skip scikit-learn's input sniffing: the bookkeeping must still follow
    X, y = data
    model = LinearRegression().fit(X, y)
    assert list(model.feature_names_in_) == ["temperature", "pressure", "time"]
    model.fit(X.to_numpy()[:, :2], y)
    assert not hasattr(model, "feature_names_in_") and model.n_features_in_ == 2
    assert model.summary().index.tolist() == ["intercept", "x0", "x1"]
    with pytest.raises(ValueError, match=r"y contains NaN at row 2"):
        model.fit(X.to_numpy(), np.where(np.arange(25) == 2, np.nan, y))
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression is expecting 2"):
        model.predict(X.to_numpy())


def test_wide_design_on_the_normal_equations_matches_lstsq():
    # 300 columns: the Gram pass's blocks (512 rows) are shorter than the 1,024 first rows
    # that decide its shift
    rng = np.random.default_rng(11)
    X = rng.normal(size=(3000, 300)) + 3.0
    y = X @ rng.normal(size=300) + 1.0 + 0.01 * rng.normal(size=3000)
    model = LinearRegression(diagnostics=False).fit(X, y)
    assert model.solver_ == "cholesky"
    reference = np.linalg.lstsq(design(X), y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], reference, atol=1e-11)
