"""The command line end to end: exit codes, messages, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yieldlab", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_examples_json_reports_the_notes_results(tmp_path):
    result = run("examples", "--json", "--seed", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    line = data["line"]
    assert line["w_gd"] == pytest.approx(line["w_exact"], rel=1e-9)
    assert data["gates"]["XOR"]["single_neuron_correct"] <= 3
    assert data["gates"]["XOR"]["network_correct"] == 4
    sigmoid = data["gradient_norms"]["sigmoid"]
    assert sigmoid[0] / sigmoid[7] < 1e-4


def test_usage_errors_exit_2(tmp_path):
    result = run("examples", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option" in result.stderr
    assert "Traceback" not in result.stderr
    # a negative seed is named at once (NumPy's own words named no option)
    result = run("examples", "--seed", "-5", cwd=tmp_path)
    assert result.returncode == 2 and "Invalid value for '--seed'" in result.stderr


def test_help_shows_an_example(tmp_path):
    result = run("examples", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Example: yieldlab examples" in result.stdout
