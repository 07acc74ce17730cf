"""The HTML document builder: well-formed, self-contained, atomic writes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from yieldlab.report.figures import parity_plot
from yieldlab.report.html import HtmlReport


def build() -> HtmlReport:
    report = HtmlReport("Study <A & B>")
    report.section("Data")
    report.paragraph("x < y & z")
    report.key_figures({"experiments": "20"})
    report.table(pd.DataFrame({"a": [1.23456789, np.nan], "b": ["p", "<q>"]}), caption="T")
    report.section("Model")
    rng = np.random.default_rng(0)
    y = rng.normal(size=30)
    report.figure(parity_plot(y, y + 0.1, np.full(30, 0.2)), caption="parity")
    report.figure(parity_plot(y, y, None), raster=True)
    report.section("Data")  # a second section with the same title gets its own anchor
    return report


def test_document_is_well_formed_and_escaped():
    text = build().render()
    root = ET.fromstring(text.split("\n", 1)[1])  # strict XML parse after the doctype
    assert root.tag == "html"
    assert "Study &lt;A &amp; B&gt;" in text
    assert "&lt;q&gt;" in text
    assert 'id="data"' in text and 'id="data-2"' in text and 'id="model"' in text
    assert "<svg" in text and "data:image/png;base64," in text
    assert "1.235" in text  # four significant digits
    # nothing is fetched from a network: no scripts, links, or remote sources
    assert "<script" not in text and "<link" not in text
    assert 'src="http' not in text and 'href="http' not in text


def test_write_is_atomic(tmp_path):
    path = build().write(tmp_path / "sub" / "report.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    report = build()
    monkeypatch.setattr(report, "render", lambda: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        report.write(tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


def test_numbers_among_text_are_rounded_like_the_rest():
    # a summary table of a numeric and a categorical column has an object column
    import pandas as pd

    report = HtmlReport("t")
    report.section("s")
    report.table(pd.DataFrame({"value": [146.906409, "Pd", 3]}), index=False)
    text = report.render()
    assert "<td>146.9</td>" in text and "<td>Pd</td>" in text and "<td>3</td>" in text
    assert "146.906409" not in text


def test_cells_that_do_not_apply_in_a_summary_are_left_empty():
    # describe(include="all") of a numeric and a categorical column: the categorical row's
    # mean and the numeric row's count of levels are NaN among text; they printed 'nan'
    import pandas as pd

    frame = pd.DataFrame({"T": [60.0, 80.0, 100.0], "catalyst": ["Pd", "Ni", "Pd"]})
    report = HtmlReport("t")
    report.section("s")
    report.table(frame.describe(include="all").T[["unique", "mean", "max"]])
    text = report.render()
    assert "nan" not in text.lower() and "<td>80</td>" in text and "<td>2</td>" in text
