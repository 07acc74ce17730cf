"""The model and campaign reports: every section a user is promised, with real content."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import numpy as np
import pandas as pd
import pytest

from yieldlab import AliasingWarning, AutoModel, Campaign, Maximize, Minimize, Space
from yieldlab.experiments import make_design
from yieldlab.report.campaign_report import campaign_model, campaign_report
from yieldlab.report.model_report import model_report
from yieldlab.simulators import Reactor


def sections(html: str) -> list[str]:
    ET.fromstring(html.split("\n", 1)[1])  # well-formed, after the doctype
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", html)


def quadratic_table(rng, n=30):
    X = pd.DataFrame({"temperature": rng.uniform(60, 110, n), "pressure": rng.uniform(1, 5, n)})
    y = 80 - 0.02 * (X.temperature - 85) ** 2 - 1.5 * (X.pressure - 3.2) ** 2
    return X, (y + rng.normal(0, 0.3, n)).rename("yield")


def test_response_surface_report_has_coefficients_and_surfaces(rng):
    X, y = quadratic_table(rng)
    model = AutoModel(candidates=["linear", "response_surface"], random_state=0).fit(X, y)
    html = model_report(model, X, y).render()
    assert sections(html) == [
        "Data", "Model selection", "Which inputs matter", "Coefficients", "Response surface"
    ]  # fmt: skip
    # the coefficient table names the quadratic terms; the surface and profiles are drawn
    assert "temperature^2" in html and "pressure^2" in html
    assert "Predicted yield over the two most important inputs" in html
    assert "One-factor profiles with the 95% interval for a new measurement" in html
    assert "Neural network training" not in html


def test_neural_network_report_shows_training_and_gradient_norms(rng):
    X, y = quadratic_table(rng, 40)
    model = AutoModel(candidates=["mlp_ensemble"], blend=False, random_state=0).fit(X, y)
    html = model_report(model, X, y).render()
    assert sections(html)[-1] == "Neural network training"
    assert "Training loss per epoch" in html and "Per-layer weight-gradient norms" in html
    assert "Coefficients" not in sections(html)  # a network has none


def test_campaign_report_with_two_objectives_draws_the_pareto_front():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, [Maximize("yield"), Minimize("cost")], random_state=0)
    settings = make_design(reactor.space, 12, "lhs", rng=0)
    measured = reactor(settings)
    campaign.add(pd.concat([settings, measured[["yield", "cost"]]], axis=1))
    html = campaign_report(campaign, optimum={"yield": 85.575}).render()
    assert sections(html) == [
        "Overview", "Progress", "Experiments", "Pareto front",
        "Best settings according to the model",
    ]  # fmt: skip
    front = campaign.pareto()
    assert 1 <= len(front) < 12
    # every non-dominated experiment is in the table; the best yield is on the front
    assert np.isclose(front["yield"].max(), measured["yield"].max())
    assert "Non-dominated experiments" in html
    table = html.split("Non-dominated experiments")[1].split("</table>")[0]
    assert "<th>temperature [°C]</th>" in table  # with the parameters' units
    # the overview's figure is the best desirability, not a yield that is not the best
    assert "best desirability" in html and "best yield" not in html
    assert "(largest desirability)" in html


def test_the_model_sections_of_a_campaign_report_say_what_they_describe():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, [Maximize("yield"), Minimize("cost")], random_state=0)
    settings = make_design(reactor.space, 12, "lhs", rng=0)
    campaign.add(pd.concat([settings, reactor(settings)[["yield", "cost"]]], axis=1))
    model = campaign_model(campaign, random_state=0)
    html = campaign_report(campaign, model).render()
    assert "A model of yield" in sections(html)
    assert "cost is not described here" in html
    assert "own models (one per objective, built to find the optimum)" in html


def test_a_model_that_predicts_worse_than_the_average_is_flagged():
    local = np.random.default_rng(0)
    X = pd.DataFrame({"T": local.uniform(60, 110, 10), "P": local.uniform(1, 5, 10)})
    y = pd.Series(local.normal(50, 5, 10), name="yield")  # nothing to learn
    model = AutoModel(candidates=["linear"], random_state=0).fit(X, y)
    r2 = float(model.leaderboard_.set_index("name").loc["linear", "r2"])
    assert r2 < 0
    html = model_report(model, X, y).render()
    assert f"cross-validated R² is {r2:.2f}, below 0" in html


def test_campaign_report_of_a_minimized_objective_holds_at_the_lowest(rng):
    X, y = quadratic_table(rng, 24)
    impurity = (100 - y).rename("impurity")  # smallest where the yield is largest
    space = Space.from_candidates(X.round(6))
    campaign = Campaign(space, Minimize("impurity"), random_state=0)
    campaign.add(X.round(6).assign(impurity=impurity.to_numpy()))
    done = campaign.data
    lowest = int(done.loc[done["impurity"].idxmin(), "experiment"])
    model = AutoModel(candidates=["response_surface"], random_state=0).fit(
        done[space.names], done["impurity"]
    )
    html = campaign_report(campaign, model).render()
    assert f"the best impurity so far (experiment {lowest})" in html


def test_campaign_report_ranks_the_settings_of_a_noisy_screen_by_the_model():
    rng = np.random.default_rng(3)
    wells = pd.DataFrame(
        {"temperature": np.repeat(np.arange(60.0, 101, 5), 2), "ligand": ["L1", "L2"] * 9}
    ).set_axis([f"A{i}" for i in range(18)])
    true = 50 - 0.05 * (wells["temperature"] - 80) ** 2 + 10 * (wells["ligand"] == "L2")
    space = Space.from_candidates(wells)
    campaign = Campaign(space, Maximize("yield"), candidates=wells, random_state=0)
    run = wells[wells["temperature"] != 80]  # 16 wells, the best (80, L2) not run
    campaign.add(run.assign(**{"yield": true[run.index] + rng.normal(0, 1, len(run))}))
    html = campaign_report(campaign).render()
    assert sections(html)[-1] == "Best settings according to the model"
    part = html.split(">Best settings according to the model</h2>")[1]
    ranked, optimum = part.split("</table>")[:2]
    first = re.findall(r"<td>([^<]*)</td>", ranked)[:3]
    assert first[0] in ("A7", "A11") and float(first[1]) in (75.0, 85.0) and first[2] == "L2"
    # 61.3 predicted against 60.8 at the best well run: within the std of 1.2
    assert re.search(
        r"not run, predicted 0\.\d+ better than the best settings run, within", optimum
    )
    cells = re.findall(r"<td>([^<]*)</td>", optimum)
    assert cells[:3] == ["A9", "80", "L2"]  # the well's label, then its settings
    assert abs(float(cells[3]) - 60) < 2  # the predicted mean; the process gives 60
    # the tables of the runs name the well too
    best = campaign.best()
    for caption in ("Best experiment so far", "All experiments run"):
        table = html.split(caption)[1].split("</table>")[0]
        assert "<th>candidate</th>" in table
    table = html.split("Best experiment so far")[1].split("</table>")[0]
    assert f"<td>{best['candidate'].iloc[0]}</td>" in table


def test_campaign_report_with_too_few_results_for_a_model_says_so():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, Maximize("yield"), random_state=0)
    settings = make_design(reactor.space, 3, "lhs", rng=0)
    campaign.add(settings.assign(**{"yield": reactor(settings)["yield"].to_numpy()}))
    html = campaign_report(campaign).render()
    assert sections(html)[-1] == "Model"
    assert "fitted from 5 results on; this campaign has 3" in html


def test_the_campaign_model_takes_the_declared_levels_and_needs_something_to_learn():
    from yieldlab import Categorical, Real
    from yieldlab.report.campaign_report import campaign_model

    ligands = [f"L{i}" for i in range(12)]
    space = Space([Real("T", 20, 80), Categorical("ligand", ligands)])
    campaign = Campaign(space, Maximize("yield"), random_state=0)
    runs = pd.DataFrame({"T": np.linspace(20, 80, 8), "ligand": ligands[:8]})  # each once
    assert campaign_model(campaign) is None  # no results
    campaign.add(runs.assign(**{"yield": 50.0}))
    assert campaign_model(campaign) is None  # all the same: nothing to learn
    campaign.correct(1, {"yield": 55.0}, "typo")
    model = campaign_model(campaign, random_state=0)
    assert model.dropped_columns_.empty  # a declared ligand is no run label
    assert model.encoder_.groups_["ligand"] == list(range(1, 8))


def test_a_campaign_report_with_levels_that_are_numbers_draws_profiles_of_the_rest():
    from yieldlab import Categorical, Real
    from yieldlab.report.campaign_report import campaign_model

    space = Space([Real("T", 20, 80), Categorical("equiv", [1, 2, 3])])
    campaign = Campaign(space, Maximize("yield"), random_state=0)
    T, equiv = np.linspace(20, 80, 12), np.array([1, 2, 3] * 4)
    campaign.add(pd.DataFrame({"T": T, "equiv": equiv, "yield": T / 2 + 5 * equiv}))
    model = campaign_model(campaign, random_state=0)
    assert [c["kind"] for c in model.encoder_.columns_] == ["numeric", "categorical"]
    # the profiles vary T only: equiv=1.03 was drawn and refused ('not seen at fit')
    html = campaign_report(campaign, model).render()
    assert sections(html)[-1] == "Response surface"
    assert "One-factor profiles" in html


def test_coefficients_without_residual_degrees_of_freedom_show_estimates_only(rng):
    local = np.random.default_rng(0)
    X = pd.DataFrame({"T": local.uniform(60, 110, 6), "P": local.uniform(1, 5, 6)})
    y = pd.Series(80 - 0.02 * (X["T"] - 85) ** 2 + local.normal(0, 1, 6), name="yield")
    X["catalyst"] = ["Pd", "Ni", "Cu"] * 2
    with pytest.warns(AliasingWarning, match="12 terms on 6 runs leave 0.0007 residual"):
        model = AutoModel(candidates=["response_surface"], random_state=0).fit(X, y)
    assert model.best_estimator_.estimator_.dof_resid_ < 1  # 12 terms, 6 runs, little ridge
    html = model_report(model, X, y).render()
    assert "would mean nothing, so only the estimates are shown" in html
    assert "p_value" not in html and "estimates with 95% confidence intervals" not in html
    # with enough runs the full table is there
    X, y = quadratic_table(rng, 30)
    model = AutoModel(candidates=["response_surface"], random_state=0).fit(X, y)
    assert "p_value" in model_report(model, X, y).render()


def test_importances_of_five_runs_are_measured_and_all_zero_is_not_shown_as_zero():
    local = np.random.default_rng(0)
    X = pd.DataFrame({"T": local.uniform(60, 110, 5), "P": local.uniform(1, 5, 5)})
    y = pd.Series(80 - 0.02 * (X["T"] - 85) ** 2 + local.normal(0, 1, 5), name="yield")
    model = AutoModel(random_state=0).fit(X, y)
    # folds of one run: values drawn from the whole table, not shuffled within the fold
    # (which changed nothing, and every importance was 0)
    importance = model.importances_["importance"]
    assert importance["T"] > 0.1 and abs(importance["P"]) < 0.01
    html = model_report(model, X, y).render()
    assert "Not measurable yet" not in html
    model.importances_ = model.importances_.assign(importance=0.0)
    html = model_report(model, X, y).render()
    assert "Not measurable yet" in html and "Permutation importance" not in html


def test_importances_not_measured_are_said_so_and_not_ranked(rng):
    X, y = quadratic_table(rng)
    model = AutoModel(candidates=["response_surface"], random_state=0, importance=False)
    html = model_report(model.fit(X, y), X, y).render()
    assert model.importances_.isna().all().all()
    assert "Not measured: the model was fitted with importance=False" in html
    assert "Permutation importance" not in html and "Not measurable yet" not in html
    assert "Predicted yield over the first two numeric inputs (temperature, pressure)" in html


def test_the_selection_text_states_the_rule_that_chose():
    X, y = quadratic_table(np.random.default_rng(3), 40)
    model = AutoModel(candidates=["linear", "response_surface"], random_state=0).fit(X, y)
    html = model_report(model, X, y).render()
    assert model.best_name_ == "response_surface"
    assert "the simplest within one standard error of the best RMSE" in html
    model = AutoModel(candidates=["linear", "response_surface"], one_se=False).fit(X, y)
    assert "the lowest cross-validated RMSE" in model_report(model, X, y).render()


def test_the_selection_text_of_a_blend_says_what_a_blend_is():
    local = np.random.default_rng(0)
    X = pd.DataFrame({"T": local.uniform(60, 110, 25), "P": local.uniform(1, 5, 25)})
    y = pd.Series(np.sin(X["T"] / 10) * 5 + X["P"] + local.normal(0, 0.5, 25), name="y")
    candidates = ["linear", "gaussian_process", "mlp_ensemble"]
    model = AutoModel(candidates=candidates, random_state=0).fit(X, y)
    assert model.best_name_ == "blend"
    html = model_report(model, X, y).render()
    assert "a weighted average of the candidates the data cannot tell apart" in html
    assert "the simplest within one standard error" not in html
    # the leaderboard and the network's section give the weights of the blend used
    used = {name: round(w, 3) for name, _, w in model.best_estimator_.members_}
    text = unescape(html)
    assert "For the blend, 'weights' are those of the blend refitted on all the runs" in text
    assert f"{{'weights': {used}, 'fold_weights': " in text
    weight = used["mlp_ensemble"]
    assert f"'mlp_ensemble', which carries a weight of {weight:.3g} in the blend" in text
    # a model saved when the leaderboard gave the most common fold weights as 'weights'
    board = model.leaderboard_
    row = board.index[board["name"] == "blend"][0]
    folds = board.at[row, "params"]["fold_weights"]
    board.at[row, "params"] = {"weights": folds}
    text = unescape(model_report(model, X, y).render())
    assert f"{{'weights': {used}, 'fold_weights': {folds}}}" in text


def test_campaign_report_lists_pending_experiments_and_units():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, Maximize("yield"), random_state=0)
    settings = make_design(reactor.space, 6, "lhs", rng=0)
    campaign.add(settings.assign(**{"yield": reactor(settings)["yield"].to_numpy()}))
    planned = campaign.suggest(2)
    html = campaign_report(campaign).render()
    assert sections(html)[-1] == "Planned, not yet run"
    assert "2 experiments planned and waiting for results" in html
    for experiment in planned["experiment"]:
        assert f"<td>{experiment}</td>" in html
    unit = reactor.space["temperature"].unit
    assert unit and f"temperature [{unit}]" in html


def test_campaign_report_shows_exclusions_and_corrections_with_their_reasons():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, Maximize("yield"), random_state=0)
    settings = make_design(reactor.space, 6, "lhs", rng=0)
    yields = reactor(settings)["yield"].to_numpy()
    campaign.add(settings.assign(**{"yield": yields * [10, 1, 1, 1, 1, 1]}))
    first, second = campaign.data["experiment"].iloc[:2]
    campaign.correct(first, {"yield": yields[0]}, "typed ten times too large")
    campaign.exclude(second, "reactor leaked")
    html = campaign_report(campaign).render()
    assert sections(html)[-1] == "Changes to recorded experiments"
    assert "excluded<b>1</b>" in html and "experiments run<b>5</b>" in html
    assert f"left out of the models and of the best result: {second}" in html
    assert f"yield: {float(yields[0] * 10)!r} -&gt; {float(yields[0])!r}" in html  # every digit
    assert "typed ten times too large" in html and "reactor leaked" in html
    # the table of experiments run holds the five in use, and says which one it leaves out
    excluded = "All experiments run except the 1 excluded from the models and the best result"
    assert f"{excluded} (experiment {second};" in html
    table = html.split("All experiments run")[1].split("</table>")[0]
    assert table.count("<tr>") == 5 and f"<td>{second}</td>" not in table


# --- what the report's figures and captions show (a catalyst that matters most) ----------


@pytest.fixture(scope="module")
def catalyst_model():
    local = np.random.default_rng(0)
    n = 30
    X = pd.DataFrame(
        {"temperature": local.uniform(60, 110, n), "pressure": local.uniform(1, 5, n),
         "catalyst": ["Pd", "Pt", "Ni"] * 10}
    )  # fmt: skip
    y = 60 - 0.02 * (X.temperature - 85) ** 2 - 1.5 * (X.pressure - 3.2) ** 2
    y = (y + 25 * (X.catalyst == "Pt") + local.normal(0, 0.5, n)).rename("yield")
    model = AutoModel(candidates=["response_surface"], random_state=0).fit(X, y)
    assert model.importances_["importance"].idxmax() == "catalyst"
    return model, X, y


def spy_on(monkeypatch, name, drawn=None):
    """Record the arguments of ``figures.<name>`` while still drawing the figure (appended
    to ``drawn`` when given)."""
    from yieldlab.report import figures

    calls, draw = [], getattr(figures, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        fig = draw(*args, **kwargs)
        if drawn is not None:
            drawn.append(fig)
        return fig

    monkeypatch.setattr(figures, name, spy)
    return calls


def test_profile_bands_are_the_calibrated_interval_that_predict_gives(catalyst_model, monkeypatch):
    model, X, y = catalyst_model
    calls = spy_on(monkeypatch, "profile_plots")
    html = model_report(model, X, y).render()
    band, base = calls[0][0][0], calls[0][0][1]
    grid = pd.DataFrame([base.to_dict()] * 4).assign(temperature=[60.0, 75.0, 90.0, 105.0])
    mean, lower, upper = band(grid)
    interval = model.predict_interval(grid[X.columns], level=0.95)
    assert np.allclose(lower, interval[:, 0]) and np.allclose(upper, interval[:, 1])
    assert np.allclose(mean, model.predict(grid[X.columns]))
    caption = "95% interval for a new measurement (calibrated, as yieldlab predict gives)"
    assert caption in html and "bands for the mean prediction" not in html


def test_parity_and_residual_plots_show_each_run_once(catalyst_model, monkeypatch):
    model, X, y = catalyst_model
    parity, residual = spy_on(monkeypatch, "parity_plot"), spy_on(monkeypatch, "residual_plot")
    cv = model.cv_predictions_
    assert cv["repeat"].nunique() == 3 and len(cv) == 3 * len(X)
    html = model_report(model, X, y).render()
    (measured, predicted, *_), kwargs = parity[0]
    assert len(measured) == len(predicted) == len(X) == len(residual[0][0][0])
    averaged = cv.groupby(level=0)[["mean", "lower", "upper"]].mean()
    assert np.allclose(predicted, averaged["mean"])
    # the bars are the calibrated intervals, not mean -/+ 1.96 std
    assert np.allclose(kwargs["lower"], averaged["lower"])
    assert np.allclose(kwargs["upper"], averaged["upper"])
    assert "one point per run: its out-of-fold predictions averaged over the 3 repeats" in html


def test_the_contour_says_what_its_star_is_and_draws_the_runs_at_the_held_level(
    catalyst_model, monkeypatch
):
    model, X, y = catalyst_model
    calls = spy_on(monkeypatch, "contour_plot")
    html = model_report(model, X, y).render()
    args, kwargs = calls[0]
    held = args[1]["catalyst"]
    assert held == "Pt"  # the best run's catalyst
    points = kwargs["points"]
    assert len(points) == 10 and (points["catalyst"] == "Pt").all()
    assert "Star: the best predicted point of this two-input slice" in html
    assert "Dots: the 10 experiments run at catalyst = Pt" in html
    assert "(the 20 at other levels are not drawn)" in html
    # the catalyst matters most, so the axes hold the two most important *numeric* inputs
    assert "over the two most important numeric inputs (temperature, pressure)" in html


def test_a_ridge_response_surface_shows_its_fit_statistics_and_its_penalty(catalyst_model):
    model, X, y = catalyst_model
    inner = model.best_estimator_.estimator_
    assert not hasattr(model.best_estimator_, "fit_statistics_") and inner.alpha > 0
    html = model_report(model, X, y).render()
    table = html.split("Fit statistics")[1].split("</table>")[0]
    r2 = inner.fit_statistics_["r2"]
    shown = re.search(r"<th>r2</th>\s*<td>([^<]*)</td>", table).group(1)
    assert float(shown) == pytest.approx(r2, rel=1e-3)
    assert "<th>press</th>" in table and "<th>adj_r2</th>" in table
    assert f"The fit is ridge-penalised (alpha = {inner.alpha:.3g})" in html
    assert "p-values and intervals are approximate" in html


def test_a_target_objective_is_reported_as_closest_to_the_target():
    from yieldlab import Target

    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, Target("yield", 40.0), random_state=0)
    settings = make_design(reactor.space, 6, "lhs", rng=0)
    yields = reactor(settings)["yield"].to_numpy()
    campaign.add(settings.assign(**{"yield": yields}))
    closest = yields[np.argmin(np.abs(yields - 40.0))]
    html = campaign_report(campaign).render()
    assert f"yield closest to 40<b>{closest:.4g}</b>" in html
    assert "best yield" not in html


def test_failed_runs_are_drawn_among_the_experiments():
    reactor = Reactor(noise=0.0, random_state=0)
    campaign = Campaign(reactor.space, Maximize("yield"), random_state=0)
    settings = make_design(reactor.space, 6, "lhs", rng=0)
    yields = reactor(settings)["yield"].to_numpy().copy()
    yields[2] = np.nan  # the run failed
    campaign.add(settings.assign(**{"yield": yields}))
    html = campaign_report(campaign).render()
    assert "grey crosses: the 1 failed run(s), which have no result" in html


def test_a_predicted_optimum_far_beyond_every_result_is_flagged():
    from yieldlab.report.campaign_report import _beyond_measured

    objectives = [Maximize("yield"), Minimize("cost")]
    finished = pd.DataFrame({"yield": [40.0, 70.0, 95.0], "cost": [1.4, 3.0, 4.8]})
    # a little beyond the best is what an optimum is: no note
    near = pd.DataFrame({"yield_mean": [97.0], "cost_mean": [1.2]})
    assert _beyond_measured(objectives, near, finished) == []
    # a negative cost, far below every cost measured (1.4 to 4.8): an extrapolation
    far = pd.DataFrame({"yield_mean": [97.0], "cost_mean": [-4.0]})
    assert _beyond_measured(objectives, far, finished) == [
        "cost is predicted at -4, below the lowest, 1.4"
    ]


def test_a_campaign_whose_results_are_all_equal_says_why_it_has_no_model():
    space = Space.from_candidates(pd.DataFrame({"T": [60.0, 70.0, 80.0, 90.0, 100.0, 110.0]}))
    campaign = Campaign(space, Maximize("yield"), random_state=0)
    campaign.add(pd.DataFrame({"T": [60.0, 70.0, 80.0, 90.0, 100.0, 110.0], "yield": 5.0}))
    html = campaign_report(campaign, campaign_model(campaign)).render()
    assert "No model of yield: every one of the 6 results is 5, so there is nothing" in html


def test_corrected_experiments_are_marked_in_the_table_of_runs():
    space = Space.from_candidates(pd.DataFrame({"T": [60.0, 70.0, 80.0]}))
    campaign = Campaign(space, Maximize("yield"), random_state=0)
    campaign.add(pd.DataFrame({"T": [60.0, 70.0, 80.0], "yield": [50.0, 600.0, 70.0]}))
    campaign.correct(2, {"yield": 60.0}, "typed ten times too large")
    html = campaign_report(campaign).render()
    table = html.split("All experiments run")[1].split("</table>")[0]
    assert "corrected: values changed after recording" in table
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.DOTALL)
    rows = [row for row in rows if "<td>" in row]  # the data rows
    marks = [re.findall(r"<td>([^<]*)</td>", row)[-1] for row in rows]
    assert marks == ["", "yes", ""]


# --- the contour of a screen, and parameters on a log scale ------------------------------


def plate_campaign():
    """A screen of 40 wells (5 temperatures x 4 concentrations x 2 ligands), 20 of them run;
    the yield is best at 85 degrees, between two of the plate's temperatures."""
    wells = pd.DataFrame(
        [(t, c, ligand) for t in np.arange(60.0, 101, 10) for c in (0.1, 0.2, 0.5, 1.0)
         for ligand in ("L1", "L2")],
        columns=["temperature", "conc", "ligand"],
    ).set_axis([f"W{i}" for i in range(40)])  # fmt: skip
    true = 50 - 0.05 * (wells.temperature - 85) ** 2 + 10 * (wells.ligand == "L2")
    true += 20 * wells.conc
    campaign = Campaign(
        Space.from_candidates(wells), Maximize("yield"), candidates=wells, random_state=0
    )
    run = wells.sample(20, random_state=1)
    noise = np.random.default_rng(0).normal(0, 1, len(run))
    campaign.add(run.assign(**{"yield": true[run.index] + noise}))
    return campaign, wells


def test_the_contour_star_of_a_screen_is_a_well_of_the_plate_in_its_slice(monkeypatch):
    campaign, wells = plate_campaign()
    done = campaign.data
    model = AutoModel(candidates=["response_surface"], random_state=0).fit(
        done[campaign.space.names], done["yield"]
    )
    drawn = []
    calls = spy_on(monkeypatch, "contour_plot", drawn)
    html = campaign_report(campaign, model).render()
    base, x_name, y_name = calls[0][0][1:4]
    assert {x_name, y_name} == {"temperature", "conc"} and base["ligand"] == "L2"
    ax = drawn[0].axes[0]
    star = ax.collections[-1].get_offsets()[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= star[0] <= x1 and y0 <= star[1] <= y1
    # the star is a well at the held ligand (the grid's best, 85 degrees, is no well) ...
    slice_ = wells[wells["ligand"] == "L2"]
    on_plate = (slice_[x_name] == star[0]) & (slice_[y_name] == star[1])
    assert on_plate.sum() == 1
    # ... the best predicted of them
    predicted = model.predict(slice_[campaign.space.names])
    assert predicted[on_plate.to_numpy()][0] == pytest.approx(predicted.max())
    assert "Star: the best predicted of the 20 candidate rows in this slice" in html
    assert "Star: the best predicted point of this two-input slice" not in html


def test_a_parameter_on_a_log_scale_gets_a_log_axis_in_every_figure(monkeypatch):
    from yieldlab import Real

    space = Space([Real("T", 20, 80), Real("conc", 0.01, 10, log=True)])
    campaign = Campaign(space, Maximize("yield"), random_state=0)
    runs = make_design(space, 12, "lhs", rng=0)
    yields = 40 + runs["T"] / 4 + 5 * np.log10(runs["conc"])
    campaign.add(runs.assign(**{"yield": yields.to_numpy()}))
    done = campaign.data
    model = AutoModel(candidates=["response_surface"], random_state=0).fit(
        done[space.names], done["yield"]
    )
    drawn = {name: [] for name in ("contour_plot", "experiments_plot", "profile_plots")}
    for name, figures_drawn in drawn.items():
        spy_on(monkeypatch, name, figures_drawn)
    campaign_report(campaign, model).render()
    (contour,), (experiments,), (profiles,) = drawn.values()
    ax = contour.axes[0]
    scales = {ax.get_xlabel(): ax.get_xscale(), ax.get_ylabel(): ax.get_yscale()}
    assert scales == {"T": "linear", "conc": "log"}
    ax = experiments.axes[0]  # conc over T
    assert (ax.get_xlabel(), ax.get_xscale(), ax.get_ylabel(), ax.get_yscale()) == (
        "T", "linear", "conc", "log"
    )  # fmt: skip
    assert {ax.get_xlabel(): ax.get_xscale() for ax in profiles.axes} == {
        "T": "linear", "conc": "log"
    }  # fmt: skip
