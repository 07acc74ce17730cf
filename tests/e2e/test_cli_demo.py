"""`yieldlab demo`, the main job: a whole campaign on the reactor simulator."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .conftest import run_cli


def test_demo_finds_most_of_the_optimum_and_writes_report_and_campaign(tmp_path):
    result = run_cli("demo", "--out", "demo", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["experiments"] == 32 and story["rounds"] == 7
    # the simulator's optimum is 85.6% (Pt, 143 C, 12 min, 2.0 M); a grid of 32 runs finds
    # under 50%; the campaign must do far better than the grid. The default seed is the hard
    # case: both platinum runs of the first design are cold and poor, and pure expected
    # improvement ends on palladium at 78.6%; with the Thompson pick of each batch it finds
    # platinum at 87.8% (seeds 0-19: 87.8% to 99.8%, the default the lowest). The quality of
    # the optimizer itself is measured in benchmarks/, over many seeds.
    assert abs(story["true_optimum"] - 85.575) < 0.01
    assert story["grid_best"] < 50.0
    assert story["best_settings"]["catalyst"] == "Pt"
    assert story["best_true_yield"] >= 0.85 * story["true_optimum"]
    assert story["best_true_yield"] > story["grid_best"] + 15.0
    text = (tmp_path / "demo" / "report.html").read_text(encoding="utf-8")
    ET.fromstring(text.split("\n", 1)[1])
    for section in ("Overview", "Progress", "Experiments", "Model selection"):
        assert f">{section}</h2>" in text
    status = json.loads(run_cli("status", "demo/campaign.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 32}
    assert status["best"][0]["yield"] == story["best_yield"]
