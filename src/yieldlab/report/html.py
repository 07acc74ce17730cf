"""A self-contained HTML document: sections, tables and figures, viewable offline.

The markup is also well-formed XML (void elements closed, text escaped), so a strict XML
parser can check every report in the tests.

Figures are embedded as inline SVG (or PNG in a data URI for plots with many points), the
style sheet is inline, and there is no script: the file opens in any browser without a
network and shows the same thing a year later.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .._files import check_output_file, write_atomically
from ..exceptions import StoreError

__all__ = ["HtmlReport"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       color: #1d2733; background: #f6f7f9; line-height: 1.45; }
header { background: #16324f; color: #fff; padding: 1.4rem 2rem; }
header h1 { margin: 0 0 .3rem 0; font-size: 1.6rem; }
header p { margin: 0; opacity: .85; }
nav { background: #fff; border-bottom: 1px solid #dde2e8; padding: .6rem 2rem; }
nav a { margin-right: 1.1rem; color: #16324f; text-decoration: none; font-size: .92rem; }
main { padding: 1rem 2rem 3rem 2rem; max-width: 1150px; }
section { background: #fff; border: 1px solid #dde2e8; border-radius: 6px;
          padding: 1rem 1.4rem; margin: 1.2rem 0; }
h2 { font-size: 1.25rem; margin-top: .2rem; color: #16324f; }
h3 { font-size: 1.05rem; color: #16324f; }
table { border-collapse: collapse; font-size: .88rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e3e7ec; padding: .3rem .7rem; text-align: right; }
th { background: #eef2f6; }
td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .3rem 0; }
figure { margin: .8rem 0; }
figcaption { font-size: .88rem; color: #4a5868; }
.note { color: #4a5868; font-size: .9rem; }
.key { display: inline-block; background: #eef2f6; border-radius: 4px; padding: .4rem .8rem;
       margin: .2rem .4rem .2rem 0; }
.key b { display: block; font-size: 1.15rem; color: #16324f; }
svg { max-width: 100%; height: auto; }
img { max-width: 100%; }
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    # drop the XML prolog and DOCTYPE: inline SVG in HTML5 starts at <svg
    return text[text.index("<svg") :]


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}"/>'


@dataclass
class _Section:
    title: str
    anchor: str
    parts: list[str] = field(default_factory=list)


class HtmlReport:
    """Build a report section by section, then :meth:`write` one HTML file.

    Parameters
    ----------
    title : str
        Title shown at the top and in the browser tab.
    subtitle : str, optional
        One line under the title (data file, date).

    Examples
    --------
    >>> report = HtmlReport("Reactor study")
    >>> report.section("Data")
    >>> report.paragraph("20 experiments, 4 settings.")
    >>> "<h2 id=\\"data\\">Data</h2>" in report.render()
    True
    """

    def __init__(self, title: str, subtitle: str | None = None) -> None:
        self.title = title
        self.subtitle = subtitle
        self.sections: list[_Section] = []

    def _current(self) -> _Section:
        if not self.sections:
            self.section("Overview")
        return self.sections[-1]

    def section(self, title: str) -> None:
        """Start a new section (listed in the navigation bar)."""
        anchor = _slug(title)
        taken = {s.anchor for s in self.sections}
        base, k = anchor, 2
        while anchor in taken:
            anchor, k = f"{base}-{k}", k + 1
        self.sections.append(_Section(title, anchor))

    def heading(self, text: str) -> None:
        """A sub-heading inside the current section."""
        self._current().parts.append(f"<h3>{html.escape(text)}</h3>")

    def paragraph(self, text: str, note: bool = False) -> None:
        """A paragraph of plain text (escaped)."""
        css = ' class="note"' if note else ""
        self._current().parts.append(f"<p{css}>{html.escape(text)}</p>")

    def key_figures(self, items: dict[str, str]) -> None:
        """A row of headline numbers, e.g. ``{"best yield": "91.2 %"}``."""
        cells = "".join(
            f'<span class="key">{html.escape(k)}<b>{html.escape(v)}</b></span>'
            for k, v in items.items()
        )
        self._current().parts.append(f"<div>{cells}</div>")

    def table(
        self, frame: pd.DataFrame, caption: str | None = None, index: bool = True, digits: int = 4
    ) -> None:
        """A table from a DataFrame; floats shown with ``digits`` significant digits."""
        formatted = frame.copy()
        for column in formatted.columns:
            if pd.api.types.is_float_dtype(formatted[column]):
                formatted[column] = formatted[column].map(
                    lambda v: "" if pd.isna(v) else f"{v:.{digits}g}"
                )
            elif formatted[column].dtype == object:  # numbers among text (a summary table)
                formatted[column] = formatted[column].map(
                    lambda v: (
                        ("" if np.isnan(v) else f"{v:.{digits}g}")
                        if isinstance(v, float | np.floating)
                        else v
                    )
                )
        body = formatted.to_html(index=index, escape=True, border=0, na_rep="")
        if caption:
            body = body.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)
        self._current().parts.append(body)

    def figure(self, fig: Figure, caption: str | None = None, raster: bool = False) -> None:
        """Embed a matplotlib figure (inline SVG, or PNG when ``raster``)."""
        content = _png(fig) if raster else _svg(fig)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self._current().parts.append(f"<figure>{content}{cap}</figure>")

    def render(self) -> str:
        """The whole document as a string."""
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017
        subtitle = html.escape(self.subtitle or f"yieldlab report, {stamp}")
        nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in self.sections)
        body = "".join(
            f'<section><h2 id="{s.anchor}">{html.escape(s.title)}</h2>{"".join(s.parts)}</section>'
            for s in self.sections
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
            f"<body><header><h1>{html.escape(self.title)}</h1><p>{subtitle}</p></header>"
            f"<nav>{nav}</nav><main>{body}</main></body></html>\n"
        )

    def write(self, path: str | os.PathLike) -> Path:
        """Write the report atomically (a temporary file renamed into place), readable by
        whoever could read the file it replaces (or by the umask's rule for a new file).

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        StoreError
            When ``path`` is a campaign file or an existing file that is not HTML, or
            cannot be written.
        """
        path = Path(path)
        check_output_file(path, suffix=".html")
        if path.is_file() and path.suffix.lower() not in (".html", ".htm"):
            raise StoreError(
                f"{str(path)!r} exists and is not an HTML file; the report would replace it: "
                f"give a name ending in .html, such as {str(path.with_suffix('.html'))!r}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.render()
        return write_atomically(
            path, lambda name: Path(name).write_text(text, encoding="utf-8"), "the report"
        )
