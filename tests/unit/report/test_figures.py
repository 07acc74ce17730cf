"""Report figures draw what they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from yieldlab.report import figures


def test_parity_plot_reports_coverage():
    y = np.arange(10.0)
    mean = y.copy()
    mean[:3] += 10.0  # three points far outside their interval
    fig = figures.parity_plot(y, mean, np.ones(10))
    assert fig.axes[0].get_title().startswith("70% of points")


def test_best_so_far_is_a_running_maximum_that_skips_failed_runs():
    fig = figures.best_so_far_plot([3.0, np.nan, 1.0, 5.0, 4.0], maximize=True, optimum=6.0)
    step = fig.axes[0].lines[0]
    assert np.array_equal(step.get_ydata(), [3.0, 3.0, 3.0, 5.0, 5.0])
    fig = figures.best_so_far_plot([3.0, 1.0, 2.0], maximize=False)
    assert np.array_equal(fig.axes[0].lines[0].get_ydata(), [3.0, 1.0, 1.0])


def test_contour_marks_the_predicted_maximum():
    base = pd.Series({"a": 0.0, "b": 0.0, "c": 1.0})

    def predict(frame):
        return -((frame["a"] - 0.3) ** 2) - (frame["b"] + 0.2) ** 2 + frame["c"]

    fig = figures.contour_plot(predict, base, "a", "b", (-1, 1), (-1, 1), n=81)
    star = fig.axes[0].collections[-1].get_offsets()[0]
    assert np.allclose(star, [0.3, -0.2], atol=0.03)


def test_contour_marks_the_predicted_minimum_of_a_response_to_minimize():
    base = pd.Series({"a": 0.0, "b": 0.0})

    def predict(frame):
        return (frame["a"] - 0.3) ** 2 + (frame["b"] + 0.2) ** 2

    fig = figures.contour_plot(
        predict, base, "a", "b", (-1, 1), (-1, 1), n=81, goodness=lambda z: -z
    )
    star = fig.axes[0].collections[-1].get_offsets()[0]
    assert np.allclose(star, [0.3, -0.2], atol=0.03)


def test_the_contour_star_of_a_screen_is_its_best_row_inside_the_axes():
    base = pd.Series({"a": 0.0, "b": 0.0})

    def predict(frame):
        return -((frame["a"] - 0.3) ** 2) - (frame["b"] + 0.2) ** 2

    # the rows that can be run: none at the grid's best (0.3, -0.2); the best of all, at
    # (0.3, -1.5), lies below the range drawn
    allowed = pd.DataFrame({"a": [-0.5, 0.0, 0.5, 0.3], "b": [0.5, 0.5, 0.5, -1.5]})
    fig = figures.contour_plot(predict, base, "a", "b", (-1, 1), (-1, 1), allowed=allowed)
    ax = fig.axes[0]
    star = ax.collections[-1].get_offsets()[0]
    assert np.allclose(star, [0.5, 0.5])
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= star[0] <= x1 and y0 <= star[1] <= y1
    # a response to minimize: the lowest row inside
    fig = figures.contour_plot(
        predict, base, "a", "b", (-1, 1), (-1, 1), goodness=lambda z: -z, allowed=allowed
    )
    assert np.allclose(fig.axes[0].collections[-1].get_offsets()[0], [-0.5, 0.5])


def test_a_logarithmic_input_gets_a_log_axis_in_the_contour_and_the_experiments():
    base = pd.Series({"conc": 0.1, "T": 50.0})

    def predict(frame):
        return np.log(frame["conc"]) + frame["T"] / 10

    fig = figures.contour_plot(predict, base, "T", "conc", (20, 80), (0.01, 10), log=["conc"])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert 0.01 <= ax.collections[-1].get_offsets()[0][1] <= 10  # the star on the plot
    fig = figures.contour_plot(predict, base, "conc", "T", (0.01, 10), (20, 80), log=["conc"])
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "linear"
    frame = pd.DataFrame(
        {"T": [20.0, 50.0, 80.0], "conc": [0.01, 0.3, 10.0], "t": [1.0, 2.0, 3.0],
         "yield": [10.0, 30.0, 20.0]}
    )  # fmt: skip
    fig = figures.experiments_plot(frame, ["T", "conc", "t"], color="yield", log=["conc"])
    # panels: (T, conc), (T, t), (conc, t) as (x, y); the third cell is empty
    scales = [(ax.get_xscale(), ax.get_yscale()) for ax in fig.axes[:3]]
    assert scales == [("linear", "log"), ("linear", "linear"), ("log", "linear")]
    fig = figures.experiments_plot(frame, ["conc"], color="yield", log=["conc"])
    assert fig.axes[0].get_xscale() == "log"


def test_profiles_hold_other_inputs_at_base():
    base = pd.Series({"a": 0.5, "b": 2.0})
    seen = []

    def predict_std(frame):
        seen.append(frame.copy())
        return frame["a"] + frame["b"], np.full(len(frame), 0.1)

    fig = figures.profile_plots(predict_std, base, {"a": (0, 1), "b": (1, 3)})
    assert len(fig.axes) == 2
    assert np.all(seen[0]["b"] == 2.0) and np.all(seen[1]["a"] == 0.5)


def test_other_figures_render():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(size=(20, 3)), columns=["T", "t", "c"])
    frame["yield"] = frame.sum(axis=1)
    importances = pd.DataFrame({"importance": [0.5, 0.1], "std": [0.05, 0.02]}, index=["T", "t"])
    Y = rng.uniform(size=(15, 2))
    front = np.zeros(15, bool)
    front[:3] = True
    made = [
        figures.residual_plot(frame["yield"], frame["yield"] + 0.1),
        figures.importance_plot(importances),
        figures.training_curve([1.0, 0.5, 0.2], [1.1, 0.6, 0.4]),
        figures.gradient_norms_plot(rng.uniform(size=(5, 3))),
        figures.experiments_plot(frame, ["T", "t", "c"], color="yield"),
        figures.experiments_plot(frame, ["T"], color="yield"),
        figures.pareto_plot(Y, front, ["yield", "cost"]),
    ]
    assert all(isinstance(fig, Figure) and fig.axes for fig in made)


def test_parity_plot_draws_and_counts_the_intervals_it_is_given():
    y = np.arange(10.0)
    mean = y + 2.5  # outside mean -/+ 1.96, inside the wider calibrated interval
    fig = figures.parity_plot(y, mean, np.ones(10), lower=mean - 3.0, upper=mean + 3.0)
    assert fig.axes[0].get_title().startswith("100% of points")
    fig = figures.parity_plot(y, mean, np.ones(10))
    assert fig.axes[0].get_title().startswith("0% of points")


def test_profiles_draw_the_band_they_are_given_on_a_shared_axis():
    base = pd.Series({"a": 0.5, "b": 2.0})

    def band(frame):
        mean = frame["a"] + frame["b"]
        return mean, mean - 5.0, mean + 7.0

    fig = figures.profile_plots(band, base, {"a": (0.1, 1), "b": (1, 3)}, log=["a"])
    ax = fig.axes[0]
    vertices = ax.collections[0].get_paths()[0].vertices
    assert np.isclose(vertices[:, 1].min(), 0.1 + 2.0 - 5.0)
    assert np.isclose(vertices[:, 1].max(), 1.0 + 2.0 + 7.0)
    assert ax.get_xscale() == "log" and fig.axes[1].get_xscale() == "linear"
    assert fig.axes[1].get_shared_y_axes().joined(ax, fig.axes[1])


def test_experiments_plot_draws_failed_runs_as_crosses():
    frame = pd.DataFrame(
        {"T": [60.0, 80.0, 100.0, 180.0], "t": [5.0, 10.0, 20.0, 90.0],
         "yield": [10.0, 30.0, 20.0, np.nan]}
    )  # fmt: skip
    fig = figures.experiments_plot(frame, ["T", "t"], color="yield")
    ax = fig.axes[0]
    drawn = [c.get_offsets() for c in ax.collections]
    assert sum(len(d) for d in drawn) == 4  # every run, the failed one too
    assert np.allclose(drawn[-1], [[180.0, 90.0]])
    assert ax.get_xlim()[1] >= 180.0 and ax.get_ylim()[1] >= 90.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["failed (no result)"]
    # every run failed: drawn all the same, without a colour bar of nothing
    fig = figures.experiments_plot(frame.assign(**{"yield": np.nan}), ["T", "t"], "yield")
    assert len(fig.axes) == 1 and len(fig.axes[0].collections[0].get_offsets()) == 4
    fig = figures.experiments_plot(frame, ["T"], color="yield")
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 4


def test_pareto_plot_is_not_flattened_by_one_dominated_run_far_out():
    # yields 40-90 at costs 1.4-4.8, and one failed-ish run at a cost of 1,408
    yields = np.array([40.0, 55.0, 62.0, 70.0, 78.0, 85.0, 90.0, 30.0])
    costs = np.array([1.4, 1.9, 2.5, 3.0, 3.6, 4.2, 4.8, 1408.0])
    front = np.array([True, True, True, True, True, True, True, False])
    ax = figures.pareto_plot(np.column_stack([yields, costs]), front, ["yield", "cost"]).axes[0]
    low, high = ax.get_ylim()
    assert high < 6.0 and low > 1.0  # the front's scale, not 0 to 1,408
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "dominated, off the scale (1), at the edge" in labels
    # nothing far out: the axes span every run, with no such entry
    ax = figures.pareto_plot(np.column_stack([yields[:7], costs[:7]]), front[:7], ["y", "c"])
    assert not any("off the scale" in t.get_text() for t in ax.axes[0].get_legend().get_texts())


def test_best_so_far_is_not_flattened_by_a_first_result_far_out():
    costs = np.array([1408.0, 4.8, 3.6, np.nan, 2.5, 1.9, 1.4])  # one failed run
    ax = figures.best_so_far_plot(costs, maximize=False, label="cost").axes[0]
    low, high = ax.get_ylim()
    assert 1.0 < low < 1.4 and 4.8 < high < 6.0
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "off the scale (1), at the edge" in labels
    # the true optimum stays in view
    ax = figures.best_so_far_plot([40.0, 55.0, 62.0], optimum=85.0).axes[0]
    assert ax.get_ylim()[1] > 85.0
