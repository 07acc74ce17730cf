"""The reports render in a real headless browser without a single console message.

Skipped when Chromium is not installed (``apt-get install chromium``); the reports are
also checked as well-formed XML with every section in ``test_cli_models`` and
``test_cli_campaign``, which need no browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from yieldlab import AutoModel, Campaign, Maximize
from yieldlab.report.campaign_report import campaign_report
from yieldlab.simulators import Reactor

from .conftest import run_cli

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)  # fmt: skip
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed")


def render(path, tmp_path) -> tuple[str, list[str]]:
    """The DOM Chromium built from ``path`` and the console messages it logged."""
    result = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
         "--dump-dom", path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def headings(dom: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", dom)


def test_model_report_renders_every_section_without_console_errors(fitted_model, tmp_path):
    folder, _ = fitted_model
    assert run_cli("report", "runs.ylm", "--out", "model.html", cwd=folder).returncode == 0
    dom, console = render(folder / "model.html", tmp_path)
    assert console == []
    assert headings(dom)[:2] == ["Data", "Model selection"]
    assert {"Which inputs matter", "Response surface"} <= set(headings(dom))
    assert dom.count("<svg") + dom.count("<img") >= 4  # parity, residuals, importances, ...


def test_campaign_report_renders_without_console_errors(tmp_path):
    reactor = Reactor(noise=0.5, random_state=0)
    campaign = Campaign(reactor.space, Maximize("yield", 0, 100), random_state=0)
    first = campaign.design(10, method="lhs")
    measured = reactor(first[reactor.space.names])
    campaign.add(first[["experiment", *reactor.space.names]].assign(yield_=measured["yield"]
                 .to_numpy()).rename(columns={"yield_": "yield"}))  # fmt: skip
    done = campaign.data
    model = AutoModel(candidates=["linear", "response_surface"], random_state=0)
    model.fit(done[reactor.space.names], done["yield"])
    path = campaign_report(campaign, model, optimum={"yield": 85.6}).write(tmp_path / "c.html")
    dom, console = render(path, tmp_path)
    assert console == []
    assert headings(dom)[:3] == ["Overview", "Progress", "Experiments"]
    assert "Model selection" in headings(dom)
