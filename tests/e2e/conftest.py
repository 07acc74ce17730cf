"""Helpers for running the real ``yieldlab`` command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def run_cli(
    *args: str, cwd: Path | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m yieldlab ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "yieldlab", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit code 1, one line on stderr naming the problem, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def reactor_table(n: int = 24, seed: int = 0) -> pd.DataFrame:
    """A small table of experiments with a known optimum near T = 85, P = 3.2, Pd."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "temperature": rng.uniform(60, 110, n),
            "pressure": rng.uniform(1, 5, n),
            "catalyst": rng.choice(["Pd", "Ni"], n),
        }
    )
    frame["yield"] = (
        80
        - 0.02 * (frame["temperature"] - 85) ** 2
        - 1.5 * (frame["pressure"] - 3.2) ** 2
        + np.where(frame["catalyst"] == "Pd", 4.0, 0.0)
        + rng.normal(0, 0.3, n)
    )
    return frame


@pytest.fixture(scope="session")
def fitted_model(tmp_path_factory):
    """A table, and the model file `yieldlab fit` wrote for it (fitted once per session)."""
    folder = tmp_path_factory.mktemp("fitted")
    reactor_table().to_csv(folder / "runs.csv", index=False)
    result = run_cli(
        "fit",
        "runs.csv",
        "--target",
        "yield",
        "--out",
        "runs.ylm",
        "--json",
        "--cv",
        "3",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder, result
