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


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_says_what_the_campaign_file_holds():
    # Ctrl-C exited 130 with nothing printed: the user was not told what was kept
    import signal

    code = (
        "import importlib, sys, time\n"
        "m = importlib.import_module('yieldlab.cli.app')\n"
        "@m.app.command('sleepy')\n"
        "def sleepy():\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
        "sys.argv = ['yieldlab', 'sleepy']\n"
        "m.main()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert err.strip().startswith("interrupted: a campaign file changes in whole transactions")
    assert "Traceback" not in err
